"""Registration and handling: the whole path, the statute's refusals (nothing changed), repeats,
referrals through the hooks, the rating."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.petitions import hooks
from bangfu.petitions.models import Deadline, Petition, Reply, Representative, Route
from bangfu.petitions.services import handling as h
from bangfu.petitions.services.registration import petition_register

from .factories import petition_input, register, representatives, visit_input

pytestmark = pytest.mark.django_db
S = Petition.Status
OUT = Petition.Outcome


def _snapshot(petition: Petition | None = None) -> tuple:
    row = None
    if petition is not None:
        petition.refresh_from_db()
        row = (
            petition.status,
            petition.unit_id,
            petition.outcome,
            petition.extension_days,
            petition.rating,
            petition.acknowledged_on,
        )
    return (
        row,
        Petition.objects.count(),
        Deadline.objects.count(),
        list(Deadline.objects.order_by("pk").values_list("due_on", "met_on")),
        Reply.objects.count(),
        Route.objects.count(),
        Representative.objects.count(),
        AuditEvent.objects.count(),
    )


def _accepted(network, staff, **kw):
    petition = register(staff, network.township, **kw)
    return h.petition_accept(actor=staff, petition=petition, handling_unit=network.station_a)


def _replied(network, staff, **kw):
    petition = _accepted(network, staff, **kw)
    h.petition_reply(
        actor=staff,
        petition=petition,
        outcome=OUT.UPHELD,
        decision="责成湘电配件厂于 2026 年 1 月 31 日前补发工资。",
        basis="《工资支付暂行规定》第七条、第十八条。",
    )
    petition.refresh_from_db()
    return petition


def test_a_letter_goes_the_whole_way_to_a_final_recheck(network, staff, leader):
    # given a letter received today
    today = timezone.localdate()
    petition = register(staff, network.township)
    assert petition.number == f"XF{today:%Y}-{petition.pk:06d}"
    assert petition.status == S.REGISTERED
    assert sorted(petition.deadlines.values_list("stage", flat=True)) == ["acknowledge", "route"]
    assert len(petition.query_code) == 19

    # when it is accepted for station A, acknowledged, extended, answered, reviewed, rechecked
    h.petition_accept(actor=staff, petition=petition, handling_unit=network.station_a)
    h.petition_acknowledge(actor=staff, petition=petition, method=Petition.AckMethod.LETTER)
    h.petition_extend(
        actor=leader, petition=petition, days=30, reason="需调取工厂账册核实", told_on=today
    )
    h.petition_reply(
        actor=staff,
        petition=petition,
        outcome=OUT.PARTLY_UPHELD,
        decision="补发 10 月、11 月工资;12 月已按约定发放。",
        basis="《工资支付暂行规定》第七条。",
    )
    h.petition_review_request(actor=staff, petition=petition, reason="12 月工资并未发放")
    h.petition_review_reply(
        actor=leader, petition=petition, outcome=OUT.UPHELD, decision="补发三个月工资", basis="账册"
    )
    h.petition_recheck_request(actor=staff, petition=petition, reason="要求赔偿金")
    h.petition_recheck_reply(
        actor=leader, petition=petition, outcome=OUT.UPHELD, decision="维持复查意见", basis="同上"
    )

    # then
    petition.refresh_from_db()
    assert (petition.status, petition.unit, petition.outcome) == (
        S.RECHECKED,
        network.station_a,
        OUT.UPHELD,
    )
    handle = petition.deadlines.get(stage="handle")
    assert handle.days == 90
    assert handle.rule == "办理答复:自受理之日起 60 日(信访工作条例);经 何亮 批准延期 30 日"
    assert sorted(petition.deadlines.values_list("stage", "met_on")) == [
        ("acknowledge", today),
        ("handle", today),
        ("recheck_reply", today),
        ("recheck_request", today),
        ("review_reply", today),
        ("review_request", today),
        ("route", today),
    ]
    assert list(petition.replies.values_list("stage", flat=True)) == ["reply", "review", "recheck"]
    assert list(
        AuditEvent.objects.filter(object_id=str(petition.pk), object_type="petitions.petition")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == [
        "petitions.petition.register",
        "petitions.petition.accept",
        "petitions.petition.acknowledge",
        "petitions.petition.extend",
        "petitions.petition.reply",
        "petitions.petition.review_request",
        "petitions.petition.review_reply",
        "petitions.petition.recheck_request",
        "petitions.petition.recheck_reply",
    ]


def test_a_registration_without_request_or_facts_is_refused_and_writes_nothing(network, staff):
    before = _snapshot()

    with pytest.raises(ValidationError) as refused:
        petition_register(
            actor=staff, unit=network.township, data=petition_input(request=" ", facts="")
        )

    assert refused.value.errors == {
        "request": "请填写信访诉求:信访人要求解决什么问题。",
        "facts": "请填写事实:发生了什么、何时、何地、涉及谁。",
    }
    assert _snapshot() == before


def test_a_group_of_six_representatives_is_refused(network, staff):
    before = _snapshot()

    with pytest.raises(ValidationError) as refused:
        petition_register(
            actor=staff,
            unit=network.township,
            data=visit_input(group_size=30, representatives=representatives(6)),
        )

    assert refused.value.errors == {
        "representatives": "集体访推选的代表不能超过 5 人(信访工作条例第三十三条),现为 6 人。"
    }
    assert _snapshot() == before


def test_a_group_of_five_representatives_is_registered(network, staff):
    petition = petition_register(
        actor=staff,
        unit=network.township,
        data=visit_input(group_size=30, representatives=representatives(5)),
    )

    assert list(petition.representatives.values_list("name", flat=True)) == [
        "王建国",
        "李春燕",
        "赵德胜",
        "刘桂兰",
        "陈立军",
    ]
    assert petition.representatives.values_list("phone", flat=True)[0] == "13807320000"


def test_a_large_group_visit_must_name_its_representatives(network, staff):
    with pytest.raises(ValidationError) as refused:
        petition_register(actor=staff, unit=network.township, data=visit_input(group_size=12))

    assert refused.value.errors == {
        "representatives": "多人来访须推选代表(不超过 5 人),请登记代表的姓名。"
    }


def test_an_oral_matter_must_be_read_back_before_it_is_registered(network, staff):
    before = _snapshot()

    with pytest.raises(ValidationError) as refused:
        petition_register(
            actor=staff,
            unit=network.township,
            data=petition_input(channel=Petition.Channel.CALL, read_back=False),
        )

    assert refused.value.errors == {
        "read_back": "口头反映的事项须如实记录,并向信访人宣读、经其确认;请在宣读确认后勾选。"
    }
    assert _snapshot() == before


def test_a_call_read_back_is_recorded_with_who_and_when(network, staff):
    petition = petition_register(
        actor=staff,
        unit=network.township,
        data=petition_input(channel=Petition.Channel.CALL, read_back=True),
    )

    assert (petition.oral, petition.read_back_by) == (True, staff)
    assert petition.read_back_at is not None


def test_only_a_report_may_be_anonymous_and_a_report_is_always_restricted(network, staff):
    with pytest.raises(ValidationError) as refused:
        petition_register(
            actor=staff,
            unit=network.township,
            data=petition_input(anonymous=True, petitioner_name=""),
        )
    assert refused.value.errors == {"anonymous": "只有检举控告可以匿名;其他信访请填写信访人姓名。"}

    report = petition_register(
        actor=staff,
        unit=network.township,
        data=petition_input(
            nature=Petition.Nature.REPORT,
            anonymous=True,
            petitioner_name="",
            phone="13800000000",
            subject="湘电配件厂车间主任",
        ),
    )
    assert (report.anonymous, report.restricted, report.petitioner_name) == (True, True, "")
    assert report.petitioner_phone == ""


def test_a_wrong_id_number_is_named(network, staff):
    with pytest.raises(ValidationError) as refused:
        petition_register(
            actor=staff, unit=network.township, data=petition_input(id_number="430302197506150012")
        )

    assert set(refused.value.errors) == {"id_number"}
    assert "校验" in refused.value.errors["id_number"]


def test_a_station_liaison_registers_only_for_its_own_station(network, liaison_a):
    with pytest.raises(PermissionDenied) as refused:
        register(liaison_a, network.station_b)

    assert refused.value.message == "您无权在该单位登记信访。"
    petition = register(liaison_a, network.station_a)
    assert (petition.unit, petition.centre) == (network.station_a, network.township)


def test_a_reply_before_acceptance_is_refused_and_changes_nothing(network, staff):
    petition = register(staff, network.township)
    before = _snapshot(petition)

    with pytest.raises(Conflict) as refused:
        h.petition_reply(
            actor=staff, petition=petition, outcome=OUT.UPHELD, decision="x", basis="y"
        )

    assert refused.value.message == "该信访件尚未受理,不能答复;请先受理(或作不予受理、转交)。"
    assert _snapshot(petition) == before


def test_a_second_extension_is_refused_and_changes_nothing(network, staff, leader):
    petition = _accepted(network, staff)
    today = timezone.localdate()
    h.petition_extend(actor=leader, petition=petition, days=15, reason="核实", told_on=today)
    before = _snapshot(petition)

    with pytest.raises(Conflict) as refused:
        h.petition_extend(actor=leader, petition=petition, days=10, reason="再核实", told_on=today)

    assert refused.value.message == "办理期限只能延长一次,已延长 15 日。"
    assert _snapshot(petition) == before


def test_an_extension_over_thirty_days_or_by_staff_is_refused(network, staff, leader):
    petition = _accepted(network, staff)
    today = timezone.localdate()
    before = _snapshot(petition)

    with pytest.raises(ValidationError) as too_long:
        h.petition_extend(actor=leader, petition=petition, days=31, reason="核实", told_on=today)
    with pytest.raises(PermissionDenied) as not_head:
        h.petition_extend(actor=staff, petition=petition, days=10, reason="核实", told_on=today)
    with pytest.raises(ValidationError) as untold:
        h.petition_extend(actor=leader, petition=petition, days=10, reason="核实", told_on=None)

    assert too_long.value.errors == {"days": "延期不能超过 30 日(信访工作条例)。"}
    assert not_head.value.message == "延期须经中心负责人批准。"
    assert untold.value.errors == {"told_on": "请填写把延期理由告知信访人的日期。"}
    assert _snapshot(petition) == before


def test_a_recheck_after_a_recheck_is_refused_and_changes_nothing(network, staff, leader):
    petition = _replied(network, staff)
    h.petition_review_request(actor=staff, petition=petition, reason="不服")
    h.petition_review_reply(
        actor=leader, petition=petition, outcome=OUT.UPHELD, decision="d", basis="b"
    )
    h.petition_recheck_request(actor=staff, petition=petition, reason="仍不服")
    h.petition_recheck_reply(
        actor=leader, petition=petition, outcome=OUT.UPHELD, decision="d", basis="b"
    )
    before = _snapshot(petition)

    with pytest.raises(Conflict) as refused:
        h.petition_recheck_request(actor=staff, petition=petition, reason="再次复核")

    assert refused.value.message == (
        "该信访事项已请求过复核;复核意见为终结意见,同一事项不再复查、复核或受理。"
    )
    assert _snapshot(petition) == before


def test_a_review_request_after_thirty_days_is_refused(network, staff):
    petition = register(staff, network.township, received_on=date(2025, 1, 2))
    h.petition_accept(
        actor=staff, petition=petition, handling_unit=network.township, accepted_on=date(2025, 1, 6)
    )
    h.petition_reply(
        actor=staff,
        petition=petition,
        outcome=OUT.NOT_UPHELD,
        decision="d",
        basis="b",
        replied_on=date(2025, 2, 10),
    )
    before = _snapshot(petition)

    with pytest.raises(ValidationError) as refused:
        h.petition_review_request(
            actor=staff, petition=petition, reason="不服", requested_on=date(2025, 3, 13)
        )

    # 30 days from 2025-02-10 end on 2025-03-12 (a Wednesday).
    assert refused.value.errors == {
        "requested_on": "复查请求应在 2025-03-12 之前提出(请求复查:自收到答复之日起 30 日"
        "(信访工作条例)),已超过期限。"
    }
    assert _snapshot(petition) == before


def test_the_limits_start_from_the_right_days(network, staff):
    petition = register(staff, network.township, received_on=date(2025, 9, 20))
    h.petition_accept(
        actor=staff,
        petition=petition,
        handling_unit=network.township,
        accepted_on=date(2025, 9, 30),
    )

    dues = dict(petition.deadlines.values_list("stage", "due_on"))
    # received Saturday 9-20: 15 days end on 10-05, inside 国庆 → 10-09; accepted 9-30: 60 days
    # end on 2025-11-29 (Saturday) → Monday 12-01.
    assert dues == {
        "route": date(2025, 10, 9),
        "acknowledge": date(2025, 10, 9),
        "handle": date(2025, 12, 1),
    }
    assert petition.deadlines.get(stage="route").met_on == date(2025, 9, 30)


def test_a_visit_acknowledged_on_the_spot_meets_its_limit_at_once(network, staff):
    petition = petition_register(
        actor=staff, unit=network.township, data=visit_input(acknowledged_on_the_spot=True)
    )

    assert petition.ack_method == Petition.AckMethod.ON_THE_SPOT
    assert petition.deadlines.get(stage="acknowledge").met_on == petition.received_on


def test_the_same_person_on_a_similar_matter_is_linked_as_a_repeat(network, staff):
    first = register(staff, network.township)
    other = register(staff, network.township, request="要求社区解决子女上学问题")

    again = register(
        staff,
        network.station_a,
        request="要求湘电配件厂补发拖欠的 2025 年 10 月至 12 月工资 9600 元",
        phone="138 0732 5678",
    )
    unrelated = register(staff, network.township, category=Petition.Category.WORK_INJURY)

    assert again.repeat_of == first
    assert (again.repeat_similarity or 0) >= 40
    assert other.repeat_of is None
    assert unrelated.repeat_of is None


def test_a_repeat_by_id_number_matches_even_with_another_phone(network, staff):
    first = register(staff, network.township, id_number="11010519491231002X")

    again = register(staff, network.township, id_number="11010519491231002x", phone="")

    assert again.repeat_of == first


def test_the_same_matter_after_a_final_recheck_is_not_accepted_again(network, staff, leader):
    first = _replied(network, staff)
    h.petition_review_request(actor=staff, petition=first, reason="不服")
    h.petition_review_reply(
        actor=leader, petition=first, outcome=OUT.UPHELD, decision="d", basis="b"
    )
    h.petition_recheck_request(actor=staff, petition=first, reason="不服")
    h.petition_recheck_reply(
        actor=leader, petition=first, outcome=OUT.UPHELD, decision="d", basis="b"
    )
    again = register(staff, network.township)
    assert again.repeat_of == first
    before = _snapshot(again)

    with pytest.raises(Conflict) as refused:
        h.petition_accept(actor=staff, petition=again, handling_unit=network.township)

    assert refused.value.message == (
        f"同一事项已于 {first.number} 复核终结;依照信访工作条例,对同一事项不再受理。"
        "请作不予受理处理,并告知信访人。"
    )
    assert _snapshot(again) == before
    h.petition_decline(actor=staff, petition=again, reason="同一事项已复核终结")
    again.refresh_from_db()
    assert again.status == S.DECLINED


def test_a_transfer_records_where_and_why(network, staff):
    petition = register(staff, network.township, category=Petition.Category.SOCIAL_INSURANCE)

    h.petition_transfer(
        actor=staff, petition=petition, body="雨湖区社会保险事业中心", reason="社保缴费属其职责"
    )

    petition.refresh_from_db()
    assert (petition.status, petition.outcome, petition.transferred_to) == (
        S.TRANSFERRED,
        OUT.TRANSFERRED,
        "雨湖区社会保险事业中心",
    )


def test_a_referral_waits_until_the_module_that_takes_it_is_installed(network, staff):
    petition = _accepted(network, staff)

    route = h.petition_refer(
        actor=staff, petition=petition, kind=Route.Kind.LEGAL_AID, reason="需要代理仲裁"
    )

    assert (route.state, route.reference) == (Route.State.WAITING, "")
    taken = h.route_take(actor=staff, route=route, reference="FY2026-0001")
    assert (taken.state, taken.reference) == (Route.State.TAKEN, "FY2026-0001")


def test_a_registered_handler_turns_the_referral_into_its_record(network, staff):
    from bangfu.archives.tests.factories import make_household

    household = make_household(network.station_a, filed_by=staff)
    petition = _accepted(network, staff, household_id=household.pk)
    calls = []

    def draft(*, actor, route):
        calls.append((actor, route.petition.household_id))
        return "SQ2026-0042"

    installed = hooks.route_handler(Route.Kind.ASSISTANCE)
    hooks.register_route_handler(Route.Kind.ASSISTANCE, draft)
    try:
        route = h.petition_refer(
            actor=staff, petition=petition, kind=Route.Kind.ASSISTANCE, reason="生活困难"
        )
    finally:
        hooks.unregister_route_handler(Route.Kind.ASSISTANCE)
        if installed is not None:  # the handler a module above registered (funds.links)
            hooks.register_route_handler(Route.Kind.ASSISTANCE, installed)

    assert calls == [(staff, household.pk)]
    assert (route.state, route.reference) == (Route.State.TAKEN, "SQ2026-0042")


def test_assistance_needs_a_linked_archive(network, staff):
    petition = _accepted(network, staff)
    before = _snapshot(petition)

    with pytest.raises(ValidationError) as refused:
        h.petition_refer(actor=staff, petition=petition, kind=Route.Kind.ASSISTANCE, reason="困难")

    assert refused.value.errors == {"kind": "转帮扶救助须先关联困难职工档案(先建档后帮扶)。"}
    assert _snapshot(petition) == before


def test_the_rating_comes_after_the_reply_and_only_once(network, staff):
    petition = _accepted(network, staff)
    with pytest.raises(Conflict) as early:
        h.petition_rate(actor=staff, petition=petition, rating=Petition.Rating.SATISFIED)
    assert early.value.message == "答复之后才能评价。"

    h.petition_reply(actor=staff, petition=petition, outcome=OUT.UPHELD, decision="d", basis="b")
    h.petition_rate(actor=staff, petition=petition, rating=Petition.Rating.BASICALLY_SATISFIED)
    before = _snapshot(petition)

    with pytest.raises(Conflict) as twice:
        h.petition_rate(actor=staff, petition=petition, rating=Petition.Rating.DISSATISFIED)

    assert twice.value.message.startswith("已于 ")
    assert "评价为“基本满意”,不能重复评价。" in twice.value.message
    assert _snapshot(petition) == before


def test_a_station_liaison_cannot_touch_another_stations_petition(network, staff, liaison_b):
    petition = _accepted(network, staff)  # assigned to station A

    with pytest.raises(NotFound):
        h.petition_reply(
            actor=liaison_b, petition=petition, outcome=OUT.UPHELD, decision="d", basis="b"
        )


def test_the_liaison_of_the_assigned_station_handles_it(network, staff, liaison_a):
    petition = _accepted(network, staff)

    h.petition_reply(
        actor=liaison_a, petition=petition, outcome=OUT.UPHELD, decision="d", basis="b"
    )

    petition.refresh_from_db()
    assert petition.status == S.REPLIED


def test_an_extension_after_the_limit_has_passed_is_refused(network, staff, leader):
    long_ago = timezone.localdate() - timedelta(days=120)
    petition = register(staff, network.township, received_on=long_ago)
    h.petition_accept(
        actor=staff, petition=petition, handling_unit=network.township, accepted_on=long_ago
    )

    with pytest.raises(Conflict) as refused:
        h.petition_extend(
            actor=leader, petition=petition, days=10, reason="x", told_on=timezone.localdate()
        )

    assert refused.value.message.startswith("办理期限已于 ")
