from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.assistance.models import Application, Kind, Programme, RuleVersion
from bangfu.assistance.services import ApplicationInput, application_create

from .factories import aided_household, make_programme, medical_input


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def household(network, staff):
    return aided_household(network.station_a, staff)


@pytest.fixture
def medical(network, staff):
    return make_programme(network.township, staff, kind=Kind.MEDICAL)


def _form(programme, **overrides):
    data = {
        "programme": programme.pk,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "illness": "肺癌",
        "hospital": "湘潭市中心医院",
        "bill_items": "住院费 10000\n药费 2,000",
        "insurance_paid": "3000",
        "other_aid": "360",
        "self_paid": "8640",
    }
    data.update(overrides)
    return data


def test_staff_apply_from_the_archive_page_and_see_the_working(staff, household, medical):
    client = _client(staff)
    archive = client.get(reverse("archives:household_detail", args=[household.pk])).content.decode()
    url = f"{reverse('assistance:application_create')}?household={household.pk}"
    assert url in archive

    response = client.post(url, _form(medical))

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assistance:application_detail", args=[application.pk])
    page = client.get(response["Location"]).content.decode()
    assert "自付 8,640.00 元 × 50% = 4,320.00 元,未超过年度上限 5,000.00 元" in page
    assert "一名领导签批" not in page  # 4,320 元 needs two leaders
    assert "两名领导签批" in page


def test_bills_that_do_not_add_up_answer_400_with_the_reason(staff, household, medical):
    client = _client(staff)
    url = f"{reverse('assistance:application_create')}?household={household.pk}"

    response = client.post(url, _form(medical, self_paid="9000"))

    assert response.status_code == 400
    assert "而填写的个人自付为 9,000.00 元。" in response.content.decode()
    assert not Application.objects.exists()


def test_a_liaison_cannot_open_another_stations_application(
    network, staff, liaison_b, household, medical
):
    application = application_create(
        actor=staff, household_id=household.pk, data=medical_input(medical)
    )

    response = _client(liaison_b).get(
        reverse("assistance:application_detail", args=[application.pk])
    )
    form = _client(liaison_b).get(
        f"{reverse('assistance:application_create')}?household={household.pk}"
    )

    assert response.status_code == 404
    assert form.status_code == 404


def test_revising_rules_through_the_page_adds_a_version(staff, medical):
    client = _client(staff)
    url = reverse("assistance:rule_revise", args=[medical.pk])
    form = client.get(url)
    assert form.status_code == 200

    response = client.post(
        url,
        {
            "yearly_cap": "6000",
            "living_multiple": "1",
            "medical_ratio": "0.5",
            "university_amount": "5000",
            "high_school_amount": "3000",
            "duplicates": "refuse",
            "requires_visit": "on",
            "requires_review": "on",
            "requires_notice": "on",
            "mask_names": "on",
            "one_signoff_limit": "1000",
            "county_limit": "5000",
            "followup_days": "30",
            "note": "年度上限调整",
        },
    )

    assert response.status_code == 302
    latest = RuleVersion.objects.get(programme=medical, version=2)
    assert latest.yearly_cap == Decimal("6000.00")


def test_staff_create_a_programme(network, staff):
    response = _client(staff).post(
        reverse("assistance:programme_create"),
        {
            "unit": network.township.pk,
            "kind": "education",
            "year": "2026",
            "name": "2026 年金秋助学",
            "campaign": "on",
        },
    )

    assert response.status_code == 302
    programme = Programme.objects.get()
    assert programme.campaign
    assert programme.rules.get().university_amount == Decimal("5000.00")


def test_the_list_and_the_household_panel_take_constant_queries(network, staff, household):
    client = _client(staff)
    festival = make_programme(
        network.township, staff, kind=Kind.FESTIVAL, rules={"standard_amount": Decimal("500")}
    )

    def apply(month):
        data = ApplicationInput(
            programme=festival,
            period_start=date(2026, month, 1),
            period_end=date(2026, month, 28),
        )
        application_create(actor=staff, household_id=household.pk, data=data)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    apply(1)
    list_url = reverse("assistance:application_list")
    panel_url = reverse("archives:household_detail", args=[household.pk])
    one = (count(list_url), count(panel_url))
    for month in range(2, 7):
        apply(month)
    assert (count(list_url), count(panel_url)) == one
    assert Application.objects.count() == 6
