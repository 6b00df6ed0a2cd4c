"""The procedure's pages and API: fixed answers (400 invalid, 403 not allowed, 404 outside the
scope, 409 wrong state), and the batch approval page deciding each application on its own."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from bangfu.assistance.models import Application, Kind
from bangfu.assistance.services import ApplicationInput, application_create
from bangfu.core.models import AuditEvent

from .factories import aided_household, make_programme
from .test_procedure import _to_approval

S = Application.Status


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def festival(network, staff):
    return make_programme(
        network.township, staff, kind=Kind.FESTIVAL, rules={"standard_amount": Decimal("800")}
    )


def _draft(staff, household, programme, month=1):
    return application_create(
        actor=staff,
        household_id=household.pk,
        data=ApplicationInput(
            programme=programme,
            period_start=programme_day(programme, month, 1),
            period_end=programme_day(programme, month, 28),
        ),
    )


def programme_day(programme, month, day):
    from datetime import date

    return date(programme.year, month, day)


def test_the_steps_answer_409_in_the_wrong_state_403_without_the_role_404_outside(
    network, staff, supervisor, liaison_b, festival
):
    application = _draft(staff, aided_household(network.station_a, staff), festival)
    notice_url = reverse("assistance:application_notice", args=[application.pk])
    submit_url = reverse("assistance:application_submit", args=[application.pk])

    early = _client(staff).post(notice_url)
    refused = _client(supervisor).post(submit_url)
    outside = _client(liaison_b).post(submit_url)

    assert early.status_code == 409
    assert refused.status_code == 403
    assert outside.status_code == 404
    assert Application.objects.get(pk=application.pk).status == S.DRAFT
    assert not AuditEvent.objects.filter(action="assistance.application.submit").exists()


def test_the_detail_page_offers_the_next_step_only(network, staff, leader, festival):
    application = _draft(staff, aided_household(network.station_a, staff), festival)

    staff_page = _client(staff).get(reverse("assistance:application_detail", args=[application.pk]))
    leader_page = _client(leader).get(
        reverse("assistance:application_detail", args=[application.pk])
    )

    assert 'data-testid="action-submit"' in staff_page.content.decode()
    assert 'data-testid="action-signoff"' not in staff_page.content.decode()
    assert 'data-testid="action-submit"' not in leader_page.content.decode()


def test_batch_approval_page_decides_each(network, staff, leader, festival):
    first = _to_approval(staff, _draft(staff, aided_household(network.station_a, staff), festival))
    second = _to_approval(
        staff, _draft(staff, aided_household(network.station_a, staff, name="李四"), festival)
    )
    client = _client(leader)
    page = client.get(reverse("assistance:approval_batch")).content.decode()
    assert "李四" in page

    response = client.post(
        reverse("assistance:approval_batch"),
        {"applications": [first.pk, second.pk], "outcome": "approved", "opinion": ""},
    )

    assert response.status_code == 200
    assert set(Application.objects.values_list("status", flat=True)) == {S.APPROVED}
    assert AuditEvent.objects.filter(action="assistance.application.signoff").count() == 2


def test_the_api_walks_the_steps_and_refuses_a_second_click(network, staff, leader, festival):
    application = _draft(staff, aided_household(network.station_a, staff), festival)
    api = APIClient()
    api.force_authenticate(staff)

    def step(name, body=None, client=api):
        url = reverse(f"api:assistance_application_{name}", args=[application.pk])
        return client.post(url, body or {}, format="json")

    assert step("submit").json()["status"] == "submitted"
    again = step("submit")
    assert again.status_code == 409
    assert again.json()["detail"] == "只有草稿可以提交(当前状态:已提交)。"
