"""Every view of an archive is logged, masked ones included (DOMAIN: personal information)."""

import pytest
from django.urls import reverse

from bangfu.archives.tests.factories import make_household
from bangfu.core.models import AccessLog

pytestmark = pytest.mark.django_db


def test_opening_an_archive_and_printing_its_form_are_logged_as_masked_views(client, staff):
    household = make_household(staff.unit, filed_by=staff)
    client.force_login(staff)

    client.get(reverse("archives:household_detail", args=[household.pk]))
    client.get(reverse("archives:household_pdf", args=[household.pk]))

    logs = list(
        AccessLog.objects.order_by("id").values_list("user", "object_id", "fields", "purpose")
    )
    assert logs == [
        (staff.pk, str(household.pk), "masked", "查看档案详情(脱敏)"),
        (staff.pk, str(household.pk), "masked", "打印档案表(脱敏)"),
    ]


def test_an_archive_outside_scope_is_not_logged(client, liaison_b, staff):
    household = make_household(staff.unit, filed_by=staff)
    client.force_login(liaison_b)

    response = client.get(reverse("archives:household_detail", args=[household.pk]))

    assert response.status_code == 404
    assert AccessLog.objects.count() == 0
