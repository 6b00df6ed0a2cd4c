"""The filing procedure through the API: the same services and scope as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household
from bangfu.archives.services import filing
from bangfu.core.models import AuditEvent
from bangfu.kits.workflow.models import Case, SignOff, Visit
from bangfu.notices.models import Notice, Objection

from .factories import make_id_number
from .filing_factories import household_input

pytestmark = pytest.mark.django_db
S = Household.Status
TODAY = timezone.localdate


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(name: str, household: Household, **kwargs) -> str:
    return reverse(f"api:procedure_{name}", kwargs={"household_id": household.pk, **kwargs})


def _applied(network, staff) -> Household:
    return filing.household_create(actor=staff, data=household_input(network.station_a))


VISIT = {
    "visited_on": "2026-03-05",
    "visitors": ["郭相妍", "李联络"],
    "findings": "家中两人,丈夫下岗。",
    "recommendation": "agree",
}
REVIEW = {
    "held_on": "2026-03-10",
    "participants": "居民代表 7 人",
    "votes_for": 7,
    "votes_against": 0,
    "passed": True,
    "record": "一致同意。",
}


def _to_notice(client, household) -> None:
    assert client.post(_url("visit", household), VISIT, format="json").status_code == 200
    assert client.post(_url("review", household), REVIEW, format="json").status_code == 200
    assert client.post(_url("notice", household), {}, format="json").status_code == 200


def _end_notice() -> None:
    Notice.objects.update(ends_on=TODAY() - timedelta(days=1))


def test_the_whole_procedure_through_the_api(network, staff, leader):
    household = _applied(network, staff)
    staff_api = _client(staff)

    _to_notice(staff_api, household)
    _end_notice()
    submitted = staff_api.post(_url("submit", household), {"note": ""}, format="json")
    decided = _client(leader).post(
        _url("decide", household), {"outcome": "approved", "reason": "同意建档"}, format="json"
    )

    assert submitted.status_code == 200
    assert submitted.json()["step"] == "approval"
    assert submitted.json()["next_action"] == "等待响水乡职工服务(帮扶)中心领导审批"
    assert decided.status_code == 200
    body = decided.json()
    assert (body["status"], body["step"]) == (S.ACTIVE, "approved")
    assert [(s["outcome"], s["opinion"], s["signed_by"]) for s in body["signoffs"]] == [
        ("approved", "同意建档", "何亮")
    ]
    household.refresh_from_db()
    assert household.filed_on == TODAY()


def test_the_procedure_reads_as_its_panel(network, staff):
    household = _applied(network, staff)

    response = _client(staff).get(_url("detail", household))

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.visit_due_on is not None
    assert response.json()["step"] == "visit"
    assert response.json()["visit_due_on"] == case.visit_due_on.isoformat()
    assert response.json()["next_action"].startswith("请您入户调查,截止 ")


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("detail", None),
        ("visit", VISIT),
        ("review", REVIEW),
        ("consent", {"kind": "publication", "given_on": "2026-03-01"}),
        ("notice", {}),
        ("submit", {"note": ""}),
        ("decide", {"outcome": "refused", "reason": "不符合"}),
        ("objection", {"received_on": "2026-03-12", "channel": "phone", "content": "异议"}),
    ],
)
def test_an_archive_outside_the_scope_is_not_found_and_nothing_changes(
    network, staff, liaison_b, name, body
):
    household = _applied(network, staff)
    events = AuditEvent.objects.count()
    client = _client(liaison_b)

    response = (
        client.get(_url(name, household))
        if body is None
        else client.post(_url(name, household), body, format="json")
    )

    assert response.status_code == 404
    assert AuditEvent.objects.count() == events
    assert Household.objects.get(pk=household.pk).status == S.APPLIED


def test_a_liaison_may_not_record_the_visit_of_its_own_station(network, staff, liaison_a):
    household = _applied(network, staff)

    response = _client(liaison_a).post(_url("visit", household), VISIT, format="json")

    assert response.status_code == 403
    assert not Visit.objects.exclude(visited_on=None).exists()


def test_a_second_visit_is_a_conflict_naming_the_state(network, staff):
    household = _applied(network, staff)
    client = _client(staff)
    client.post(_url("visit", household), VISIT, format="json")

    response = client.post(_url("visit", household), VISIT, format="json")

    assert response.status_code == 409
    assert "当前状态为“待民主评议”,不能执行此操作。" in response.json()["detail"]
    assert Visit.objects.count() == 1


def test_one_visitor_is_refused_naming_the_field(network, staff):
    household = _applied(network, staff)

    response = _client(staff).post(
        _url("visit", household), {**VISIT, "visitors": ["郭相妍"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"visitors": "入户调查人员至少两人,请填写两个不同的姓名。"}
    assert Household.objects.get(pk=household.pk).status == S.APPLIED


def test_the_filer_cannot_decide(network):
    both = make_user((Role.STAFF, network.township), (Role.LEADER, network.township))
    household = filing.household_create(actor=both, data=household_input(network.station_a))
    client = _client(both)
    _to_notice(client, household)
    _end_notice()
    client.post(_url("submit", household), {"note": ""}, format="json")

    response = client.post(_url("decide", household), {"outcome": "approved"}, format="json")

    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_an_upheld_objection_lets_the_approver_only_return_or_refuse(network, staff, leader):
    household = _applied(network, staff)
    client = _client(staff)
    _to_notice(client, household)
    recorded = client.post(
        _url("objection", household),
        {"received_on": TODAY().isoformat(), "channel": "phone", "content": "有收入未申报"},
        format="json",
    )
    objection = Objection.objects.get()
    blocked = client.post(_url("submit", household), {"note": ""}, format="json")
    settled = client.post(
        _url("objection_settle", household, objection_id=objection.pk),
        {"upheld": True, "resolution": "经核实属实"},
        format="json",
    )
    _end_notice()
    client.post(_url("submit", household), {"note": ""}, format="json")

    approved = _client(leader).post(
        _url("decide", household), {"outcome": "approved"}, format="json"
    )

    assert recorded.status_code == 200
    assert blocked.status_code == 409
    assert blocked.json()["detail"] == "公示有未处理的异议,处理后才能提交审批。"
    assert settled.status_code == 200
    assert approved.status_code == 409
    assert approved.json()["detail"] == ("公示未正常结束(异议成立),不能批准建档;请退回或不予建档。")


def test_an_objection_of_another_archive_is_not_found(network, staff):
    household = _applied(network, staff)
    other = filing.household_create(
        actor=staff,
        data=household_input(network.station_a, name="李四", id_number=make_id_number(seq=77)),
    )
    client = _client(staff)
    _to_notice(client, household)
    client.post(
        _url("objection", household),
        {"received_on": TODAY().isoformat(), "channel": "phone", "content": "异议"},
        format="json",
    )
    objection = Objection.objects.get()

    response = client.post(
        _url("objection_settle", other, objection_id=objection.pk),
        {"upheld": False, "resolution": "不属实"},
        format="json",
    )

    assert response.status_code == 404
    assert Objection.objects.get().status == Objection.Status.OPEN
