"""No route reaches an archive outside the user's scope: every archives URL that names an
archive (or one of its members, attachments or benefits) answers 404 for staff of another
station, by GET and by POST, exactly as for an archive that does not exist — and changes
nothing."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.urls import get_resolver, reverse

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Attachment, BenefitType, Household, HouseholdBenefit
from bangfu.archives.tests.factories import make_household, make_member
from bangfu.core.models import AccessLog, AuditEvent

pytestmark = pytest.mark.django_db

# URL kwarg "pk" of these routes names something other than an archive.
OTHER_OBJECT = {
    "archives:member_update": "member",
    "archives:member_remove": "member",
    "archives:attachment_download": "attachment",
    "archives:attachment_withdraw": "attachment",
    "archives:household_benefit_end": "benefit",
}
# Routes with a pk that is not part of an archive (standards, spot checks, re-evaluations).
NOT_ARCHIVE = (
    "archives:spot_check",
    "archives:standard",
    "archives:dibao_standard",
    "archives:minimum_wage",
    "archives:benefit_type",
    "archives:reevaluation",
)


def _archive_routes() -> list[tuple[str, str]]:
    resolver = get_resolver()
    routes = []
    for namespace, kwarg in (("archives", "pk"), ("api", "household_id")):
        sub = resolver.namespace_dict[namespace][1]
        for name, entries in sub.reverse_dict.lists():
            if not isinstance(name, str):
                continue
            params = entries[0][0][0][1]
            full = f"{namespace}:{name}"
            if params == [kwarg] and not full.startswith(NOT_ARCHIVE):
                if namespace == "api" and not name.startswith(("household", "annual_review")):
                    continue
                routes.append((full, kwarg))
    return sorted(set(routes))


def test_every_route_to_an_archive_outside_scope_answers_404_and_changes_nothing(
    client, network, staff
):
    outsider = make_user((Role.STAFF, network.station_a), username="staff_station_a")
    household = make_household(network.station_b, filed_by=staff)
    member = make_member(household, id_number=None)
    attachment = Attachment.objects.create(
        household=household,
        kind=Attachment.Kind.OTHER,
        file="archives/none.bin",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256=hashlib.sha256(b"x").hexdigest(),
        uploaded_by=staff,
    )
    benefit_type = BenefitType.objects.first() or BenefitType.objects.create(code="x", name="x")
    benefit = HouseholdBenefit.objects.create(
        household=household, benefit=benefit_type, started_on=date(2026, 1, 1)
    )
    ids = {"member": member.pk, "attachment": attachment.pk, "benefit": benefit.pk}
    routes = _archive_routes()
    assert len(routes) >= 30, routes
    client.force_login(outsider)  # (the log-in itself is an audit event)
    before = (
        Household.objects.get(pk=household.pk).updated_at,
        AuditEvent.objects.count(),
        AccessLog.objects.count(),
    )

    answers = {}
    for name, kwarg in routes:
        pk = ids.get(OTHER_OBJECT.get(name, ""), household.pk)
        url = reverse(name, kwargs={kwarg: pk})
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"purpose": "核对", "reason": "测试"})
            if response.status_code != 405:
                answers[(name, method)] = response.status_code

    assert {key: code for key, code in answers.items() if code != 404} == {}
    after = (
        Household.objects.get(pk=household.pk).updated_at,
        AuditEvent.objects.count(),
        AccessLog.objects.count(),
    )
    assert after == before
