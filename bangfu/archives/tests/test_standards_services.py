"""Areas, 低保 standards and minimum wages: who may enter them, what is refused, what is kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tasks_db.models import DBTaskResult

from bangfu.archives.models import Area, DibaoStandard, MinimumWage, Reevaluation
from bangfu.archives.selectors.standards import minimum_wage_on, standard_on
from bangfu.archives.services import standards as services
from bangfu.archives.services.categories import household_determine
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent, Job

pytestmark = pytest.mark.django_db


# --- selectors ----------------------------------------------------------------------------


def test_standard_on_picks_the_latest_effective_by_that_day():
    area = make_area()
    old, old_wage = make_standards(area, dibao="600", effective_from=date(2025, 1, 1))
    new, new_wage = make_standards(area, dibao="650", effective_from=date(2026, 1, 1))

    assert standard_on(area, date(2024, 12, 31)) is None
    assert standard_on(area, date(2025, 1, 1)) == old
    assert standard_on(area, date(2025, 12, 31)) == old
    assert standard_on(area, date(2026, 1, 1)) == new
    assert minimum_wage_on(area, date(2025, 6, 1)) == old_wage
    assert minimum_wage_on(area.pk, date(2027, 1, 1)) == new_wage
    other = make_area("430321", "湘潭县", "county")
    assert standard_on(other, date(2026, 1, 1)) is None


# --- areas ----------------------------------------------------------------------------------


def test_admin_adds_an_area(sysadmin):
    area = services.area_create(actor=sysadmin, code=" 430321 ", name="湘潭县", kind="county")

    assert (area.code, area.name, area.kind) == ("430321", "湘潭县", "county")
    event = AuditEvent.objects.get(action="archives.area.create")
    assert event.changes == {
        "code": [None, "430321"],
        "kind": [None, "county"],
        "name": [None, "湘潭县"],
    }


@pytest.mark.parametrize(
    ("code", "name", "kind", "field", "message"),
    [
        ("", "湘潭县", "county", "code", "请填写行政区划代码。"),
        (
            "43032",
            "湘潭县",
            "county",
            "code",
            "行政区划代码应为 6 位、9 位或 12 位数字,如 430302。",
        ),
        ("430302", "湘潭县", "county", "code", "行政区划代码 430302 已经录入。"),
        ("430321", "", "county", "name", "请填写地区名称。"),
        ("430321", "湘潭县", "town", "kind", "请选择地区类别。"),
    ],
)
def test_bad_area_input_is_refused_naming_the_field(sysadmin, code, name, kind, field, message):
    make_area("430302")
    before = Area.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.area_create(actor=sysadmin, code=code, name=name, kind=kind)

    assert caught.value.errors[field] == message
    assert Area.objects.count() == before
    assert AuditEvent.objects.count() == 0


def test_staff_cannot_add_an_area(staff):
    with pytest.raises(PermissionDenied):
        services.area_create(actor=staff, code="430321", name="湘潭县", kind="county")
    assert Area.objects.count() == 0


# --- 低保 standards --------------------------------------------------------------------------


def test_admin_adds_the_latest_standard_and_a_reevaluation_job_starts_after_commit(
    sysadmin, django_capture_on_commit_callbacks
):
    area = make_area()

    with django_capture_on_commit_callbacks(execute=True):
        saved = services.dibao_standard_create(
            actor=sysadmin,
            area=area,
            amount="680.5",
            effective_from=date(2026, 7, 1),
            document=" 潭民发〔2026〕5 号 ",
        )

    standard = DibaoStandard.objects.get()
    assert standard == saved.standard
    assert (standard.amount, standard.effective_from, standard.document) == (
        Decimal("680.50"),
        date(2026, 7, 1),
        "潭民发〔2026〕5 号",
    )
    assert standard.created_by == sysadmin
    reevaluation = Reevaluation.objects.get()
    assert saved.reevaluation == reevaluation
    assert reevaluation.standard == standard
    assert reevaluation.started_by == sysadmin
    job = Job.objects.get()
    assert reevaluation.job == job
    assert (job.kind, job.user, job.status) == ("archives.reevaluate", sysadmin, "queued")
    assert job.title == "低保标准调整后重新评估:雨湖区 680.50 元"
    task = DBTaskResult.objects.get()
    assert task.task_path == "bangfu.archives.tasks.reevaluate_area"
    assert task.args_kwargs["kwargs"] == {"job_id": str(job.pk), "reevaluation_id": reevaluation.pk}
    event = AuditEvent.objects.get(action="archives.dibao_standard.create")
    assert event.changes == {
        "amount": [None, "680.50"],
        "area": [None, str(area.pk)],
        "document": [None, "潭民发〔2026〕5 号"],
        "effective_from": [None, "2026-07-01"],
        "reevaluation": [None, reevaluation.pk],
    }


def test_an_earlier_standard_is_history_and_starts_no_reevaluation(sysadmin):
    area = make_area()
    make_standards(area, effective_from=date(2026, 1, 1))

    saved = services.dibao_standard_create(
        actor=sysadmin, area=area, amount="600", effective_from=date(2025, 1, 1)
    )

    assert saved.reevaluation is None
    assert Reevaluation.objects.count() == 0
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "day", "field", "message"),
    [
        ("", date(2026, 7, 1), "amount", "请填写低保标准。"),
        ("六百", date(2026, 7, 1), "amount", "低保标准格式不正确:“六百”,请填写数字,如 1234.50。"),
        ("0", date(2026, 7, 1), "amount", "低保标准必须大于 0。"),
        ("-650", date(2026, 7, 1), "amount", "低保标准必须大于 0。"),
        (
            "7800000",
            date(2026, 7, 1),
            "amount",
            "低保标准是每人每月的金额,不能超过 100,000.00 元。",
        ),
        ("650", None, "effective_from", "请填写执行日期。"),
        (
            "650",
            date(1980, 1, 1),
            "effective_from",
            "执行日期超出范围:只能录入 1990 至 2099 年。",
        ),
        (
            "700",
            date(2024, 1, 1),
            "effective_from",
            "“雨湖区”2024-01-01 起执行的标准已经录入(650.00 元)。"
            "标准录入后不能修改;如录入有误且尚未使用,请先删除再录入。",
        ),
    ],
)
def test_bad_standard_input_is_refused_and_nothing_is_written(
    sysadmin, amount, day, field, message
):
    area = make_area()
    make_standards(area, effective_from=date(2024, 1, 1))

    with pytest.raises(ValidationError) as caught:
        services.dibao_standard_create(actor=sysadmin, area=area, amount=amount, effective_from=day)

    assert caught.value.errors[field] == message
    assert DibaoStandard.objects.count() == 1
    assert Reevaluation.objects.count() == 0
    assert Job.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_staff_cannot_add_a_standard(staff):
    area = make_area()
    with pytest.raises(PermissionDenied):
        services.dibao_standard_create(
            actor=staff, area=area, amount="650", effective_from=date(2026, 1, 1)
        )
    assert DibaoStandard.objects.count() == 0


def test_a_mistaken_unused_standard_is_deleted_with_its_reevaluation(sysadmin):
    area = make_area()
    saved = services.dibao_standard_create(
        actor=sysadmin, area=area, amount="6500", effective_from=date(2026, 7, 1)
    )

    services.dibao_standard_delete(actor=sysadmin, standard=saved.standard)

    assert DibaoStandard.objects.count() == 0
    assert Reevaluation.objects.count() == 0
    event = AuditEvent.objects.get(action="archives.dibao_standard.delete")
    assert event.changes["amount"] == ["6500.00", None]
    assert saved.reevaluation is not None
    assert event.changes["reevaluations"] == [[saved.reevaluation.pk], None]


def test_a_standard_used_by_a_determination_is_never_deleted(network, staff, sysadmin):
    area = make_area()
    standard, _ = make_standards(area)
    household = make_household(network.station_a, filed_by=staff, area=area)
    household_determine(actor=staff, household=household, on=date(2026, 3, 1))
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as caught:
        services.dibao_standard_delete(actor=sysadmin, standard=standard)

    assert caught.value.message == (
        "该低保标准已用于类别认定,不能删除。标准有变化时请录入新的标准(新的执行日期)。"
    )
    assert DibaoStandard.objects.filter(pk=standard.pk).exists()
    assert AuditEvent.objects.count() == events


# --- minimum wages ----------------------------------------------------------------------------


def test_admin_adds_a_minimum_wage_without_reevaluation(sysadmin):
    area = make_area()

    wage = services.minimum_wage_create(
        actor=sysadmin, area=area, amount="2100", effective_from=date(2026, 4, 1)
    )

    assert (wage.amount, wage.created_by) == (Decimal("2100.00"), sysadmin)
    assert Job.objects.count() == 0
    assert AuditEvent.objects.get().action == "archives.minimum_wage.create"


def test_minimum_wage_errors_name_the_field(sysadmin):
    area = make_area()
    with pytest.raises(ValidationError) as caught:
        services.minimum_wage_create(
            actor=sysadmin, area=area, amount="0", effective_from=date(2026, 4, 1)
        )
    assert caught.value.errors == {"amount": "最低工资标准必须大于 0。"}
    assert MinimumWage.objects.count() == 0


def test_a_used_minimum_wage_is_kept_and_an_unused_one_deleted(network, staff, sysadmin):
    area = make_area()
    _, used = make_standards(area)
    unused = MinimumWage.objects.create(
        area=area, amount=Decimal("19300"), effective_from=date(2026, 6, 1)
    )
    household = make_household(network.station_a, filed_by=staff, area=area)
    household_determine(actor=staff, household=household, on=date(2026, 3, 1))

    with pytest.raises(Conflict):
        services.minimum_wage_delete(actor=sysadmin, wage=used)
    services.minimum_wage_delete(actor=sysadmin, wage=unused)

    assert list(MinimumWage.objects.all()) == [used]
    assert AuditEvent.objects.filter(action="archives.minimum_wage.delete").count() == 1
