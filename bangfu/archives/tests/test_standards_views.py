"""Pages of standards, benefit types and re-evaluations, and the determine action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.archives.models import Area, BenefitType, DibaoStandard, Household, ReevaluationItem
from bangfu.archives.services.categories import household_determine
from bangfu.archives.services.standards import dibao_standard_create
from bangfu.archives.tasks import reevaluate_area
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core.models import AuditEvent, Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, sysadmin):
    client.force_login(sysadmin)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_standards_pages_are_for_the_system_admin_only(client, network, staff, sysadmin):
    area = make_area()
    make_standards(area)
    urls = [
        reverse("archives:standard_area_list"),
        reverse("archives:standard_area_detail", args=[area.pk]),
        reverse("archives:dibao_standard_create", args=[area.pk]),
        reverse("archives:benefit_type_list"),
    ]
    client.force_login(staff)
    assert [client.get(url).status_code for url in urls] == [403, 403, 403, 403]
    client.force_login(sysadmin)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200, 200]


def test_the_area_list_shows_the_figures_in_force(admin_client):
    area = make_area()
    make_standards(area, dibao="650.00", minimum_wage="1930.00")
    make_area("430321", "湘潭县", "county")

    page = admin_client.get(reverse("archives:standard_area_list")).content.decode()

    assert "650.00" in page and "1930.00" in page
    assert "湘潭县" in page and "未录入" in page


def test_admin_adds_an_area_through_the_page(admin_client):
    response = admin_client.post(
        reverse("archives:area_create"), {"code": "430321", "name": "湘潭县", "kind": "county"}
    )
    area = Area.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("archives:standard_area_detail", args=[area.pk])


def test_a_new_standard_leads_to_its_reevaluation_job(
    admin_client, django_capture_on_commit_callbacks
):
    area = make_area()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("archives:dibao_standard_create", args=[area.pk]),
            {"amount": "680", "effective_from": "2026-07-01", "document": "潭民发〔2026〕5 号"},
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:job_detail", kwargs={"job_id": job.pk})
    assert DibaoStandard.objects.get().amount == Decimal("680.00")


def test_a_bad_standard_keeps_what_was_typed_and_saves_nothing(admin_client):
    area = make_area()
    events = AuditEvent.objects.count()

    response = admin_client.post(
        reverse("archives:dibao_standard_create", args=[area.pk]),
        {"amount": "六百八", "effective_from": "2026-07-01", "document": "潭民发〔2026〕5 号"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "低保标准格式不正确:“六百八”,请填写数字,如 1234.50。" in page
    assert 'value="六百八"' in page and 'value="潭民发〔2026〕5 号"' in page
    assert DibaoStandard.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_admin_deletes_a_mistaken_standard_but_not_a_used_one(admin_client, network, staff):
    area = make_area()
    used, _ = make_standards(area)
    household_determine(
        actor=staff,
        household=make_household(network.station_a, filed_by=staff, area=area),
        on=date(2026, 3, 1),
    )
    mistake = DibaoStandard.objects.create(
        area=area, amount=Decimal("6500"), effective_from=date(2026, 7, 1)
    )

    admin_client.post(reverse("archives:dibao_standard_delete", args=[mistake.pk]))
    response = admin_client.post(reverse("archives:dibao_standard_delete", args=[used.pk]))

    assert list(DibaoStandard.objects.all()) == [used]
    assert response.status_code == 409  # the area's page, the reason on top
    assert (
        '<div class="alert alert-danger" role="alert" data-testid="refusal">'
        "该低保标准已用于类别认定,不能删除。标准有变化时请录入新的标准(新的执行日期)。</div>"
        in response.content.decode()
    )


def test_admin_adds_a_benefit_type_through_the_page(admin_client):
    response = admin_client.post(
        reverse("archives:benefit_type_list"),
        {"code": "heating", "name": "取暖补贴", "sort_order": "50"},
    )
    assert response.status_code == 302
    assert BenefitType.objects.get(code="heating").name == "取暖补贴"

    response = admin_client.post(
        reverse("archives:benefit_type_list"),
        {"code": "heating", "name": "又一个", "sort_order": "1"},
    )
    assert "代码“heating”已被使用。" in response.content.decode()
    assert 'value="又一个"' in response.content.decode()


# --- re-evaluation pages --------------------------------------------------------------------


@pytest.fixture
def pending_item(network, staff, sysadmin):
    area = make_area()
    make_standards(area)
    household = make_household(
        network.station_a,
        filed_by=staff,
        area=area,
        wage_income=Decimal("8100"),
    )
    household_determine(actor=staff, household=household, on=date(2026, 3, 1))
    saved = dibao_standard_create(
        actor=sysadmin, area=area, amount="700", effective_from=date(2026, 7, 1)
    )
    reevaluation = saved.reevaluation
    assert reevaluation is not None
    reevaluate_area.call(job_id=str(reevaluation.job_id), reevaluation_id=reevaluation.pk)
    return ReevaluationItem.objects.get()


def test_staff_see_the_changes_with_masked_ids(staff_client, pending_item):
    household = pending_item.household
    list_page = staff_client.get(reverse("archives:reevaluation_list")).content.decode()
    page = staff_client.get(
        reverse("archives:reevaluation_detail", args=[pending_item.reevaluation_id])
    ).content.decode()

    assert "雨湖区" in list_page
    assert household.name in page
    assert "月人均净收入 675.00 元 ≤ 低保标准 700.00 元 → 深度困难" in page
    assert household.id_number not in page
    assert household.id_number[:6] + "********" + household.id_number[-4:] in page


def test_a_liaison_cannot_open_reevaluations(client, liaison_a, pending_item):
    client.force_login(liaison_a)
    assert client.get(reverse("archives:reevaluation_list")).status_code == 403
    response = client.post(reverse("archives:reevaluation_item_confirm", args=[pending_item.pk]))
    assert response.status_code == 403
    assert ReevaluationItem.objects.get().status == "pending"


def test_staff_of_another_township_get_404_for_the_item(client, network, pending_item):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.tests.factories import make_user

    client.force_login(make_user((Role.STAFF, network.other_township), username="other"))
    page = client.get(reverse("archives:reevaluation_detail", args=[pending_item.reevaluation_id]))
    response = client.post(reverse("archives:reevaluation_item_confirm", args=[pending_item.pk]))

    assert pending_item.household.name not in page.content.decode()
    assert response.status_code == 404
    assert ReevaluationItem.objects.get().status == "pending"


def test_staff_confirm_through_the_page(staff_client, pending_item):
    response = staff_client.post(
        reverse("archives:reevaluation_item_confirm", args=[pending_item.pk]), follow=True
    )

    assert "的困难类别变更为“深度困难”。" in response.content.decode()
    assert Household.objects.get(pk=pending_item.household_id).category == "deep"


def test_confirming_twice_shows_the_reevaluation_with_the_reason_and_changes_nothing(
    staff_client, pending_item
):
    url = reverse("archives:reevaluation_item_confirm", args=[pending_item.pk])
    staff_client.post(url)
    events = AuditEvent.objects.count()

    again = staff_client.post(url)

    page = again.content.decode()
    assert again.status_code == 409
    assert "这条类别变更已经处理过了。</div>" in page
    assert 'data-testid="refusal"' in page
    assert AuditEvent.objects.count() == events


def test_staff_dismiss_all_through_the_page(staff_client, pending_item):
    staff_client.post(
        reverse("archives:reevaluation_dismiss_all", args=[pending_item.reevaluation_id])
    )

    assert ReevaluationItem.objects.get().status == "dismissed"
    assert Household.objects.get(pk=pending_item.household_id).category == "relative"


# --- determining from the detail page -------------------------------------------------------


def test_determine_through_the_page(staff_client, network, staff):
    area = make_area()
    make_standards(area)
    household = make_household(
        network.station_a, filed_by=staff, area=area, wage_income=Decimal("7350")
    )

    response = staff_client.post(
        reverse("archives:household_determine", args=[household.pk]), follow=True
    )

    assert (
        "认定结果:月人均净收入 612.50 元 ≤ 低保标准 650.00 元 → 深度困难"
        in response.content.decode()
    )
    assert Household.objects.get(pk=household.pk).category == "deep"


def test_determine_without_a_standard_says_why(staff_client, network, staff):
    household = make_household(network.station_a, filed_by=staff, area=make_area())

    response = staff_client.post(
        reverse("archives:household_determine", args=[household.pk]), follow=True
    )

    assert "没有执行中的低保标准,请系统管理员先录入低保标准。" in response.content.decode()
    assert Household.objects.get(pk=household.pk).category == ""


def test_determine_outside_the_scope_is_404(client, network, staff, liaison_b):
    area = make_area()
    make_standards(area)
    household = make_household(network.station_a, filed_by=staff, area=area)
    client.force_login(liaison_b)
    events = AuditEvent.objects.count()

    response = client.post(reverse("archives:household_determine", args=[household.pk]))

    assert response.status_code == 404
    assert AuditEvent.objects.count() == events
