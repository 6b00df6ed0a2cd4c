"""The follow-up API: due/overdue follow-ups of the caller's scope, recording an outcome with
the same service as the page — 404 outside the scope, 409 a second time, 400 bad input, each
refusal changing nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bangfu.assistance.models import Application, FollowUp, Kind
from bangfu.assistance.services import application_create, followup_schedule
from bangfu.core.models import AuditEvent

from .factories import aided_household, make_programme, medical_input


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def followups(network, staff):
    programme = make_programme(network.township, staff, kind=Kind.MEDICAL)
    made = []
    for n, (station, days_ago) in enumerate(
        ((network.station_a, 40), (network.station_a, 5), (network.station_b, 40))
    ):
        household = aided_household(station, staff, name=f"户主{n}")
        application = application_create(
            actor=staff, household_id=household.pk, data=medical_input(programme)
        )
        Application.objects.filter(pk=application.pk).update(status=Application.Status.APPROVED)
        made.append(
            followup_schedule(
                application=application, paid_on=timezone.localdate() - timedelta(days=days_ago)
            )
        )
    return made


def _ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_the_list_shows_the_scope_overdue_first(staff, liaison_a, followups):
    overdue, upcoming, other_station = followups

    everything = _client(staff).get(reverse("api:assistance_followup_list"))
    late = _client(staff).get(reverse("api:assistance_followup_list"), {"state": "overdue"})
    station = _client(liaison_a).get(reverse("api:assistance_followup_list"))

    assert everything.status_code == 200
    assert _ids(everything) == [overdue.pk, other_station.pk, upcoming.pk]
    assert everything.json()["results"][0]["overdue"] is True
    assert everything.json()["results"][0]["household_name"] == "户主0"
    assert _ids(late) == [overdue.pk, other_station.pk]
    assert _ids(station) == [overdue.pk, upcoming.pk]


def test_an_unknown_state_is_refused(staff, followups):
    response = _client(staff).get(reverse("api:assistance_followup_list"), {"state": "late"})

    assert response.status_code == 400


def test_recording_an_outcome_once(staff, followups):
    followup = followups[0]
    url = reverse("api:assistance_followup_record", args=[followup.pk])
    body = {"done_on": str(timezone.localdate()), "outcome": "improved", "notes": "已返岗。"}

    first = _client(staff).post(url, body, format="json")
    second = _client(staff).post(url, body, format="json")

    assert first.status_code == 200
    assert first.json()["outcome"] == "improved"
    assert first.json()["overdue"] is False
    assert second.status_code == 409
    assert AuditEvent.objects.filter(action="assistance.followup.record").count() == 1


def test_a_follow_up_outside_the_scope_is_not_found_and_unchanged(liaison_a, staff, followups):
    other = followups[2]
    url = reverse("api:assistance_followup_record", args=[other.pk])
    body = {"done_on": str(timezone.localdate()), "outcome": "improved", "notes": "已返岗。"}

    response = _client(liaison_a).post(url, body, format="json")

    assert response.status_code == 404
    assert FollowUp.objects.get(pk=other.pk).done_on is None


def test_a_liaison_may_read_but_not_record(liaison_a, followups):
    url = reverse("api:assistance_followup_record", args=[followups[0].pk])
    body = {"done_on": str(timezone.localdate()), "outcome": "improved", "notes": "已返岗。"}

    response = _client(liaison_a).post(url, body, format="json")

    assert response.status_code == 404
    assert FollowUp.objects.get(pk=followups[0].pk).done_on is None


def test_bad_input_names_the_field_and_changes_nothing(staff, followups):
    url = reverse("api:assistance_followup_record", args=[followups[0].pk])
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = _client(staff).post(
        url, {"done_on": str(tomorrow), "outcome": "improved", "notes": "已返岗。"}, format="json"
    )

    assert response.status_code == 400
    assert "回访日期不能晚于今天。" in str(response.json())
    assert FollowUp.objects.get(pk=followups[0].pk).done_on is None
