"""The 金秋助学 batch pages: a batch made, reviewed item by item, one notice, sign-offs one
decision per item; outside the scope 404; a refused item reported by name."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.archives.tests.factories import make_member
from bangfu.assistance.models import Application, CampaignBatch, Kind
from bangfu.assistance.services import application_create
from bangfu.notices.models import Notice

from .factories import aided_household, education_input, make_programme

S = Application.Status


@pytest.fixture
def campaign(network, staff):
    return make_programme(
        network.township,
        staff,
        kind=Kind.EDUCATION,
        campaign=True,
        name="2026 年金秋助学",
        rules={
            "requires_visit": False,
            "one_signoff_limit": Decimal("10000"),
            "county_limit": Decimal("10000"),
        },
    )


@pytest.fixture
def applications(network, staff, campaign):
    made = []
    for n, name in enumerate(("张三丰", "李四光")):
        household = aided_household(network.station_a, staff, name=name)
        child = make_member(household, name=f"孩子{n}", relation="son")
        made.append(
            application_create(
                actor=staff, household_id=household.pk, data=education_input(campaign, child.pk)
            )
        )
    return made


def test_a_batch_walks_through_its_pages(client, network, staff, leader, campaign, applications):
    client.force_login(staff)
    made = client.post(
        reverse("assistance:batch_create"),
        {
            "programme": campaign.pk,
            "unit": network.township.pk,
            "name": "第一批",
            "applications": [a.pk for a in applications],
        },
    )
    batch = CampaignBatch.objects.get()
    assert made.status_code == 302
    assert client.get(reverse("assistance:batch_detail", args=[batch.pk])).status_code == 200

    client.post(reverse("assistance:batch_submit", args=[batch.pk]))
    page = client.get(reverse("assistance:batch_review", args=[batch.pk]))
    assert page.status_code == 200
    reviewed = client.post(
        reverse("assistance:batch_review", args=[batch.pk]),
        {
            "held_on": str(timezone.localdate()),
            "participants": "职工代表 7 人",
            "record": "逐项评议。",
            f"passed_{applications[0].pk}": "yes",
            f"for_{applications[0].pk}": "7",
            f"against_{applications[0].pk}": "0",
            f"passed_{applications[1].pk}": "yes",
            f"for_{applications[1].pk}": "6",
            f"against_{applications[1].pk}": "1",
        },
    )
    assert reviewed.status_code == 302
    client.post(reverse("assistance:batch_notice", args=[batch.pk]), {"starts_on": ""})
    assert Notice.objects.count() == 1
    Notice.objects.update(ends_on=timezone.localdate() - timedelta(days=1))
    client.post(reverse("assistance:batch_send", args=[batch.pk]), {"note": ""})

    client.force_login(leader)
    signed = client.post(
        reverse("assistance:batch_signoff", args=[batch.pk]),
        {
            f"outcome_{applications[0].pk}": "approved",
            f"outcome_{applications[1].pk}": "refused",
            f"opinion_{applications[1].pk}": "",
        },
        follow=True,
    )

    assert signed.status_code == 200
    text = signed.content.decode()
    assert "李四光:退回或不予批准时请填写理由。" in text
    assert "已办理 1 项,未办理 1 项。" in text
    statuses = [Application.objects.get(pk=a.pk).status for a in applications]
    assert statuses == [S.APPROVED, S.PENDING_APPROVAL]


def test_a_batch_outside_the_scope_is_not_found(client, network, staff, campaign, applications):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.tests.factories import make_user
    from bangfu.assistance.campaign import batch_create

    batch = batch_create(actor=staff, programme=campaign, unit=network.township, name="第一批")
    outsider = make_user((Role.STAFF, network.other_township), username="other")
    client.force_login(outsider)

    assert client.get(reverse("assistance:batch_detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("assistance:batch_submit", args=[batch.pk])).status_code == 404
