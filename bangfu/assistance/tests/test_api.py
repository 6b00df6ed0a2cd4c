from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bangfu.assistance.models import Application, Kind
from bangfu.assistance.services import application_create

from .factories import aided_household, make_programme, medical_input


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def household(network, staff):
    return aided_household(network.station_a, staff)


@pytest.fixture
def medical(network, staff):
    return make_programme(network.township, staff, kind=Kind.MEDICAL)


def _body(household, programme, **overrides):
    body = {
        "household_id": household.pk,
        "programme_id": programme.pk,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "illness": "肺癌",
        "hospital": "湘潭市中心医院",
        "bill_items": [{"item": "住院费", "amount": "10000"}, {"item": "药费", "amount": "2000"}],
        "insurance_paid": "3000",
        "other_aid": "360",
        "self_paid": "8640",
    }
    body.update(overrides)
    return body


def test_create_through_the_api_computes_the_amount_and_hides_the_illness(
    staff, household, medical
):
    response = _client(staff).post(
        reverse("api:assistance_application_create"), _body(household, medical), format="json"
    )

    assert response.status_code == 201
    data = response.json()
    assert data["suggested_amount"] == "4320.00"
    assert data["working"] == "自付 8,640.00 元 × 50% = 4,320.00 元,未超过年度上限 5,000.00 元"
    assert "illness" not in data
    assert Application.objects.get().illness == "肺癌"


def test_bills_that_do_not_add_up_answer_400_and_change_nothing(staff, household, medical):
    response = _client(staff).post(
        reverse("api:assistance_application_create"),
        _body(household, medical, self_paid="100"),
        format="json",
    )

    assert response.status_code == 400
    assert not Application.objects.exists()


def test_outside_the_scope_is_404_and_the_list_shows_only_the_scope(
    staff, liaison_a, liaison_b, household, medical
):
    application = application_create(
        actor=staff, household_id=household.pk, data=medical_input(medical)
    )
    url = reverse("api:assistance_application_detail", args=[application.pk])

    assert _client(liaison_b).get(url).status_code == 404
    assert _client(liaison_a).get(url).status_code == 200
    listed = _client(liaison_b).get(reverse("api:assistance_application_list")).json()
    assert listed["results"] == []
    mine = _client(liaison_a).get(reverse("api:assistance_application_list")).json()
    assert [a["id"] for a in mine["results"]] == [application.pk]
    assert Decimal(mine["results"][0]["amount"]) == Decimal("4320.00")


def test_a_supervisor_cannot_apply(supervisor, household, medical):
    response = _client(supervisor).post(
        reverse("api:assistance_application_create"), _body(household, medical), format="json"
    )

    assert response.status_code == 403
    assert not Application.objects.exists()
