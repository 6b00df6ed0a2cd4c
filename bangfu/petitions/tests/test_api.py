"""The petitions API: the same services and scope as the pages, answers declared in the schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bangfu.core.models import AuditEvent
from bangfu.petitions.models import Petition

from .factories import register

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_register_accept_extend_and_answer_through_the_api(network, staff, leader):
    client = _api(staff)

    created = client.post(
        reverse("api:petition_create"),
        {
            "unit_id": network.township.pk,
            "channel": "call",
            "category": "work_injury",
            "petitioner_name": "赵德胜",
            "phone": "13807329999",
            "request": "要求认定工伤",
            "facts": "2025 年 11 月在车间被机器压伤左手",
            "read_back": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert (body["status"], body["phone"], body["oral"]) == ("registered", "138****9999", True)
    assert [d["stage"] for d in body["deadlines"]] == ["route", "acknowledge"]

    accepted = client.post(
        reverse("api:petition_accept", args=[pk]),
        {"handling_unit_id": network.station_a.pk},
        format="json",
    )
    extended = _api(leader).post(
        reverse("api:petition_extend", args=[pk]),
        {"days": 20, "reason": "等待工伤鉴定", "told_on": accepted.json()["accepted_on"]},
        format="json",
    )
    second = _api(leader).post(
        reverse("api:petition_extend", args=[pk]),
        {"days": 5, "reason": "再等", "told_on": accepted.json()["accepted_on"]},
        format="json",
    )
    replied = client.post(
        reverse("api:petition_reply", args=[pk]),
        {"outcome": "referred", "decision": "转法律援助代理工伤认定", "basis": "工伤保险条例"},
        format="json",
    )

    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert extended.status_code == 200 and extended.json()["extension_days"] == 20
    assert second.status_code == 409
    assert second.json() == {"detail": "办理期限只能延长一次,已延长 20 日。"}
    assert replied.status_code == 200
    assert replied.json()["replies"][0]["outcome_label"] == "转介法律援助或帮扶"


def test_bad_input_through_the_api_names_the_fields_and_writes_nothing(network, staff):
    before = (Petition.objects.count(), AuditEvent.objects.count())

    response = _api(staff).post(
        reverse("api:petition_create"),
        {
            "unit_id": network.township.pk,
            "channel": "visit",
            "category": "wages",
            "petitioner_name": "王建国",
            "request": "",
            "facts": "",
            "group_size": 40,
            "representatives": [{"name": f"代表{i}"} for i in range(6)],
            "read_back": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"request", "facts", "representatives"}
    assert (Petition.objects.count(), AuditEvent.objects.count()) == before


def test_a_reply_before_acceptance_answers_409(network, staff):
    petition = register(staff, network.township)

    response = _api(staff).post(
        reverse("api:petition_reply", args=[petition.pk]),
        {"outcome": "upheld", "decision": "d", "basis": "b"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "该信访件尚未受理,不能答复;请先受理(或作不予受理、转交)。"


def test_outside_the_scope_every_step_answers_404(network, staff, liaison_b):
    petition = register(staff, network.station_a)
    client = _api(liaison_b)

    assert client.get(reverse("api:petition_detail", args=[petition.pk])).status_code == 404
    for step in ("accept", "reply", "rate", "extend"):
        response = client.post(reverse(f"api:petition_{step}", args=[petition.pk]), {})
        assert response.status_code == 404, step
    listed = client.get(reverse("api:petition_list")).json()
    assert listed["count"] == 0
