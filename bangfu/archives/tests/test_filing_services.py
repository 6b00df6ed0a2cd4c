"""Filing an archive: checks, numbering, the ID registry, updates and members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bangfu.archives.identity import id_index
from bangfu.archives.models import Household, HouseholdMember, IdRegistration
from bangfu.archives.models import choices as c
from bangfu.archives.services import filing
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.idnumber import check_character
from bangfu.core.models import AuditEvent
from bangfu.kits.workflow.models import Visit

from .factories import make_household, make_id_number, make_member
from .filing_factories import bank_card, household_input, member_input


def _counts() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        HouseholdMember.objects.count(),
        IdRegistration.objects.count(),
        AuditEvent.objects.count(),
    )


def test_create_files_an_application_with_number_registry_visit_and_masked_audit(network, staff):
    # given
    head_id = make_id_number(date(1975, 6, 15), seq=11)
    spouse_id = make_id_number(date(1977, 3, 2), sex="F", seq=12)
    data = household_input(
        network.station_a,
        id_number=head_id,
        members=[member_input(id_number=spouse_id)],
        bank_name="中国工商银行",
        bank_card=bank_card(),
        bank_account_holder="张三",
    )

    # when
    household = filing.household_create(actor=staff, data=data)

    # then
    household.refresh_from_db()
    assert household.status == Household.Status.APPLIED
    assert household.archive_no == "2026-00001"
    assert household.centre == network.township
    assert household.sex == "M"
    assert household.birth_date == date(1975, 6, 15)
    assert household.name_initials == "zs"
    assert household.id_last4 == head_id[-4:]
    assert household.mobile_last4 == "5678"
    assert household.bank_card_last4 == bank_card()[-4:]
    assert household.filed_by == staff
    member = household.members.get()
    assert (member.sex, member.birth_date) == ("F", date(1977, 3, 2))
    assert set(IdRegistration.objects.values_list("id_index", flat=True)) == {
        id_index(head_id),
        id_index(spouse_id),
    }
    visit = Visit.objects.get(case__subject_id=household.pk)
    assert visit.due_rule == "入户调查:申请后 5 个工作日"
    assert visit.due_on == date(2026, 3, 9)  # Mon 2 March + 5 working days
    event = AuditEvent.objects.get(action="archives.household.create")
    assert event.object_id == str(household.pk)
    assert event.changes["id_number"] == [None, head_id[:6] + "********" + head_id[-4:]]
    assert event.changes["mobile"] == [None, "138****5678"]
    (spouse,) = event.changes["members"][1]  # the members as filed, their IDs masked
    assert spouse["id_number"] == spouse_id[:6] + "********" + spouse_id[-4:]
    assert spouse["birth_date"] == "1977-03-02"
    assert head_id not in str(event.changes)
    assert spouse_id not in str(event.changes)
    assert bank_card() not in str(event.changes)


def test_draft_has_no_visit_due(network, staff):
    household = filing.household_create(
        actor=staff, data=household_input(network.station_a), draft=True
    )
    assert household.status == Household.Status.DRAFT
    assert not Visit.objects.exists()


def test_fifteen_digit_id_is_converted_and_sex_birth_derived(network, staff):
    # given a legacy number 430302 750615 123 (odd: male)
    data = household_input(network.station_a, id_number="４３０３０２７５０６１５１２３")

    # when
    household = filing.household_create(actor=staff, data=data)

    # then
    household.refresh_from_db()
    first17 = "43030219750615123"
    assert household.id_number == first17 + check_character(first17)
    assert household.birth_date == date(1975, 6, 15)
    assert household.sex == "M"


def test_duplicate_id_across_households_is_refused_naming_the_other_masked(network, staff):
    # given an archive of 王五 at station B holding the ID
    taken = make_id_number(seq=21)
    other = make_household(network.station_b, filed_by=staff, id_number=taken, name="王五")
    other.archive_no = "2026-00012"
    other.save()
    before = _counts()

    # when the same person is filed as a member elsewhere
    data = household_input(network.station_a, members=[member_input(id_number=taken)])
    with pytest.raises(ValidationError) as exc:
        filing.household_create(actor=staff, data=data)

    # then
    masked = taken[:6] + "********" + taken[-4:]
    assert exc.value.errors == {
        "members.0.id_number": (
            f"身份证号 {masked} 已在响水乡职工服务(帮扶)中心的档案 2026-00012 中。"
        )
    }
    assert _counts() == before


def test_validate_household_reports_every_field(network, staff):
    # given
    data = household_input(
        network.station_a,
        id_number="430302197506151235",  # wrong check character
        housing="castle",
        main_cause=11,
        secondary_causes=[3, 3, 4, 5],
        bank_card="6222020200112345670",
        bank_account_holder="李四",
        applied_on=date(2099, 1, 1),
        mobile="12345",
        members=[member_input(name="", id_number="", sex="", birth_date=None)],
    )

    # when
    errors = filing.validate_household(data)

    # then
    assert errors["id_number"].startswith("身份证号校验位错误")
    assert errors["housing"] == "住房类型“castle”不是有效的选项。"
    assert errors["main_cause"] == "主要致困原因应为 1–10 中的一个代码。"
    assert errors["secondary_causes"] == "次要致困原因最多 3 个。"
    assert errors["bank_card"] == "银行卡号校验失败,请核对。"
    assert errors["bank_account_holder"] == "银行卡须为户主本人账户(实名制)。"
    assert errors["applied_on"] == "申请日期不能晚于今天。"
    assert errors["mobile"] == "手机号应为 11 位数字,以 1 开头。"
    assert errors["members.0.name"] == "请填写家庭成员的姓名。"
    assert errors["members.0.sex"] == "未填身份证号时请选择性别。"
    assert errors["members.0.birth_date"] == "未填身份证号时请填写出生日期。"


def test_choices_and_amounts_are_taken_or_refused_alike_for_head_and_members(network):
    def label(model, name):
        return str(model._meta.get_field(name).verbose_name)

    # given: blank, unknown and good choices; amounts negative, too large, not a number,
    # typed as text, and good ones needing rounding — for the head and a member
    data = household_input(
        network.station_a,
        housing="",
        work_status=None,
        industry="",
        hukou="castle",
        wage_income=Decimal("-1"),
        business_income=Decimal("10000000000"),
        property_income=Decimal("NaN"),
        transfer_income="12.345",
        other_income=Decimal("9999999999.994"),
        medical_spending=Decimal("-0"),
        members=[
            member_input(relation="", health="bad", monthly_income=Decimal("-0.01")),
            member_input(
                id_number="", sex="M", birth_date=date(2015, 1, 1), monthly_income=Decimal("1.005")
            ),
        ],
    )

    # when
    errors, (cleaned,) = filing._validate_batch([data])

    # then
    assert errors == {
        "0.housing": f"请选择{label(Household, 'housing')}。",
        "0.work_status": f"请选择{label(Household, 'work_status')}。",
        "0.hukou": f"{label(Household, 'hukou')}“castle”不是有效的选项。",
        "0.wage_income": f"{label(Household, 'wage_income')}不能为负数。",
        "0.business_income": f"{label(Household, 'business_income')}金额过大,请核对。",
        "0.property_income": f"{label(Household, 'property_income')}应为金额(元)。",
        "0.members.0.relation": f"请选择{label(HouseholdMember, 'relation')}。",
        "0.members.0.health": f"{label(HouseholdMember, 'health')}“bad”不是有效的选项。",
        "0.members.0.monthly_income": f"{label(HouseholdMember, 'monthly_income')}不能为负数。",
    }
    head = cleaned.head
    assert head["transfer_income"] == Decimal("12.34")  # half to even, as before
    assert str(head["other_income"]) == "9999999999.99"
    assert str(head["medical_spending"]) == "-0.00"
    assert str(head["head_monthly_income"]) == "0.00"
    assert str(cleaned.members[1]["monthly_income"]) == "1.00"


def test_secondary_cause_equal_to_main_is_refused(network):
    data = household_input(network.station_a, main_cause=3, secondary_causes=[3])
    assert filing.validate_household(data) == {
        "secondary_causes": "次要致困原因不能与主要致困原因相同。"
    }


def test_bank_holder_not_the_head_is_refused_and_nothing_written(network, staff):
    before = _counts()
    data = household_input(
        network.station_a, bank_name="建设银行", bank_card=bank_card(), bank_account_holder="李四"
    )
    with pytest.raises(ValidationError) as exc:
        filing.household_create(actor=staff, data=data)
    assert exc.value.errors == {"bank_account_holder": "银行卡须为户主本人账户(实名制)。"}
    assert _counts() == before


def test_bank_card_failing_luhn_is_refused(network, staff):
    card = bank_card()
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    data = household_input(
        network.station_a, bank_name="建设银行", bank_card=wrong, bank_account_holder="张三"
    )
    assert filing.validate_household(data) == {"bank_card": "银行卡号校验失败,请核对。"}


def test_same_id_twice_within_household_and_sex_mismatch(network):
    head = make_id_number(seq=31)
    data = household_input(
        network.station_a,
        id_number=head,
        sex="F",
        members=[member_input(id_number=head.lower())],
    )
    errors = filing.validate_household(data)
    masked = head[:6] + "********" + head[-4:]
    assert errors == {
        "sex": "性别与身份证号不符,身份证号显示为男。",
        "members.0.id_number": f"身份证号 {masked} 在本户中重复填写。",
    }


def test_validate_household_runs_one_query(network, django_assert_num_queries):
    data = household_input(
        network.station_a, members=[member_input(), member_input(name="张小", relation="son")]
    )
    with django_assert_num_queries(1):
        assert filing.validate_household(data) == {}


def test_liaison_files_for_own_station_only(network, liaison_a):
    # when filing at its own point: allowed
    own = filing.household_create(actor=liaison_a, data=household_input(network.point_a1))
    assert own.unit == network.point_a1
    before = _counts()

    # when filing at another station: refused, nothing written
    with pytest.raises(ValidationError) as exc:
        filing.household_create(actor=liaison_a, data=household_input(network.station_b))
    assert exc.value.errors == {"unit": "所属帮扶站(点)“金霞社区帮扶站”不在您的管理范围内。"}
    assert _counts() == before


def test_numbers_are_sequential_per_centre_and_year(network, staff, django_user_model):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.tests.factories import make_user

    other_staff = make_user((Role.STAFF, network.other_township), username="staff2")
    from bangfu.network.tests.factories import make_unit

    station_c = make_unit("长城社区帮扶站", parent=network.other_township, kind="station")
    numbers = [
        filing.household_create(actor=staff, data=household_input(network.station_a)).archive_no,
        filing.household_create(actor=staff, data=household_input(network.station_b)).archive_no,
        filing.household_create(actor=other_staff, data=household_input(station_c)).archive_no,
        filing.household_create(
            actor=staff, data=household_input(network.enterprise, applied_on=date(2025, 12, 30))
        ).archive_no,
        filing.household_create(actor=staff, data=household_input(network.point_a1)).archive_no,
    ]
    assert numbers == ["2026-00001", "2026-00002", "2026-00001", "2025-00001", "2026-00003"]


def test_update_records_masked_diff_and_reregisters_changed_id(network, staff):
    # given
    household = filing.household_create(actor=staff, data=household_input(network.station_a))
    old_index = household.id_index
    new_id = make_id_number(date(1976, 1, 1), seq=41)
    data = household_input(
        network.station_a, id_number=new_id, address="响水社区 2 号", mobile="13900001111"
    )

    # when
    filing.household_update(actor=staff, household=household, data=data)

    # then
    household.refresh_from_db()
    assert household.id_number == new_id
    assert household.birth_date == date(1976, 1, 1)
    assert household.mobile_last4 == "1111"
    assert list(IdRegistration.objects.values_list("id_index", flat=True)) == [id_index(new_id)]
    assert not IdRegistration.objects.filter(id_index=old_index).exists()
    event = AuditEvent.objects.get(action="archives.household.update")
    assert event.changes["address"] == ["响水乡响水社区 1 号", "响水社区 2 号"]
    assert event.changes["mobile"] == ["138****5678", "139****1111"]
    assert event.changes["birth_date"] == ["1975-06-15", "1976-01-01"]
    assert new_id not in str(event.changes)


def test_update_of_closed_archive_is_refused(network, staff):
    household = make_household(network.station_a, filed_by=staff, status=Household.Status.CLOSED)
    before = _counts()
    with pytest.raises(Conflict):
        filing.household_update(
            actor=staff, household=household, data=household_input(network.station_a)
        )
    assert _counts() == before


def test_member_add_update_remove(network, staff):
    household = filing.household_create(actor=staff, data=household_input(network.station_a))
    child_id = make_id_number(date(2012, 9, 1), seq=51)

    member = filing.member_add(
        actor=staff,
        household=household,
        data=member_input(name="张小", relation="son", id_number=child_id, identity="student"),
    )
    assert IdRegistration.objects.filter(member=member).count() == 1

    filing.member_update(
        actor=staff,
        member=member,
        data=member_input(
            name="张小明",
            relation="son",
            id_number=child_id,
            identity="student",
            monthly_income=Decimal("0"),
        ),
    )
    member.refresh_from_db()
    assert member.name == "张小明"

    filing.member_remove(actor=staff, member=member)
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()
    assert not IdRegistration.objects.filter(id_index=id_index(child_id)).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(household.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "archives.household.create",
        "archives.member.add",
        "archives.member.update",
        "archives.member.remove",
    ]


def test_members_of_an_archive_outside_the_filing_scope_are_not_changed(network, staff, liaison_b):
    # Given an archive of station A and the liaison of station B
    household = make_household(network.station_a, filed_by=staff)
    member = make_member(household, name="李梅")
    before = _counts()

    # When the liaison adds, changes or removes a member
    with pytest.raises(PermissionDenied) as added:
        filing.member_add(actor=liaison_b, household=household, data=member_input(name="张小"))
    with pytest.raises(PermissionDenied):
        filing.member_update(actor=liaison_b, member=member, data=member_input(name="李美"))
    with pytest.raises(PermissionDenied):
        filing.member_remove(actor=liaison_b, member=member)

    # Then each is refused and nothing changed
    assert added.value.message == "您无权修改该档案。"
    assert _counts() == before
    assert HouseholdMember.objects.get(pk=member.pk).name == "李梅"


def test_member_with_id_in_other_archive_is_refused(network, staff):
    taken = make_id_number(seq=61)
    other = make_household(network.station_b, filed_by=staff, name="王五")
    make_member(other, id_number=taken, name="王小")
    household = filing.household_create(actor=staff, data=household_input(network.station_a))
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        filing.member_add(actor=staff, household=household, data=member_input(id_number=taken))
    assert list(exc.value.errors) == ["id_number"]
    assert "响水乡职工服务(帮扶)中心的档案" in exc.value.errors["id_number"]
    assert _counts() == before


def test_release_and_register_ids(network, staff):
    household = filing.household_create(actor=staff, data=household_input(network.station_a))
    with filing.transaction.atomic():
        assert filing.release_ids(household) == 1
    assert not IdRegistration.objects.exists()
    with filing.transaction.atomic():
        filing.register_ids(household)
    assert IdRegistration.objects.get().household == household


def test_register_ids_refused_when_taken_meanwhile(network, staff):
    household = filing.household_create(actor=staff, data=household_input(network.station_a))
    with filing.transaction.atomic():
        filing.release_ids(household)
        household.status = Household.Status.CLOSED
        household.save()
    make_household(network.station_b, filed_by=staff, id_number=household.id_number, name="张三")
    with pytest.raises(ValidationError) as exc, filing.transaction.atomic():
        filing.register_ids(household)
    assert "的档案" in exc.value.errors["id_number"]


def test_member_of_closed_archive_cannot_be_added(network, staff):
    household = make_household(network.station_a, filed_by=staff, status=Household.Status.REFUSED)
    with pytest.raises(Conflict):
        filing.member_add(actor=staff, household=household, data=member_input())


def test_work_status_required(network):
    data = household_input(network.station_a, work_status="")
    assert filing.validate_household(data) == {"work_status": "请选择工作状态。"}
    assert c.WorkStatus.LAID_OFF == "laid_off"


def test_adding_the_same_member_twice_is_refused_and_changes_nothing(network, staff):
    """Given an archive with a child who has no ID yet, when the same member form is posted
    again (a double click), then the second is refused and nothing is added."""
    from bangfu.archives.inputs import MemberInput
    from bangfu.archives.services.filing import member_add
    from bangfu.archives.tests.factories import make_household
    from bangfu.core.errors import ValidationError as DomainValidationError
    from bangfu.core.models import AuditEvent

    household = make_household(network.station_a, filed_by=staff)
    child = MemberInput(
        name="张小宝",
        relation="son",
        sex="M",
        birth_date=date(2019, 5, 3),
        identity="preschool",
    )
    member_add(actor=staff, household=household, data=child)
    events = AuditEvent.objects.count()

    with pytest.raises(DomainValidationError) as refused:
        member_add(actor=staff, household=household, data=child)

    assert "张小宝" in refused.value.message
    assert household.members.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_batch_is_checked_against_the_day_it_is_checked_on(network):
    """`_validate_batch` looks today up once for the batch (`_BATCH_TODAY`): a date is in the
    future by that day, moved with the clock, and nothing of it is left after the batch."""
    import time_machine

    item = household_input(network.station_a, applied_on=date(2030, 6, 2))
    with time_machine.travel(date(2030, 6, 1), tick=False):
        errors = filing.validate_households([item])
        assert errors["0.applied_on"] == "申请日期不能晚于今天。"
    with time_machine.travel(date(2030, 6, 2), tick=False):
        assert "0.applied_on" not in filing.validate_households([item])
    assert filing._BATCH_TODAY.get() is None
