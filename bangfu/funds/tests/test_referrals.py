"""Petitions → assistance (wired in `funds.links`): a petition referred to assistance becomes a
draft application for its linked archive; refused, changing nothing, when the archive is not
在档 or there is no programme to apply under."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bangfu.archives.models import Household
from bangfu.archives.tests.factories import make_household
from bangfu.assistance.models import Application, Kind
from bangfu.assistance.tests.factories import aided_household, make_programme
from bangfu.core.errors import ValidationError
from bangfu.funds import links
from bangfu.petitions.models import Petition, Route
from bangfu.petitions.services import handling
from bangfu.petitions.tests.factories import register


@pytest.fixture(autouse=True)
def _wired():
    # Another test may have unregistered the handler (petitions' own hook tests).
    links.connect()


@pytest.fixture
def temporary(network, staff):
    year = timezone.localdate().year
    return make_programme(network.township, staff, kind=Kind.TEMPORARY, year=year)


def _accepted(network, staff, household):
    petition = register(staff, network.township, household_id=household.pk)
    return handling.petition_accept(actor=staff, petition=petition, handling_unit=network.station_a)


def test_a_petition_referred_to_assistance_becomes_a_draft_application(network, staff, temporary):
    household = aided_household(network.station_a, staff)
    petition = _accepted(network, staff, household)

    route = handling.petition_refer(
        actor=staff, petition=petition, kind=Route.Kind.ASSISTANCE, reason="生活困难,需临时救助"
    )

    application = Application.objects.get(household=household)
    assert application.status == Application.Status.DRAFT
    assert application.programme == temporary
    assert application.created_by == staff
    assert application.cause.startswith("信访转来:")
    assert (route.state, route.reference) == (
        Route.State.TAKEN,
        f"{application.year}-{application.pk}",
    )


def test_an_archive_not_in_the_roster_refuses_the_referral_and_changes_nothing(
    network, staff, temporary
):
    household = make_household(network.station_a, filed_by=staff, status=Household.Status.APPLIED)
    petition = _accepted(network, staff, household)

    with pytest.raises(ValidationError) as refused:
        handling.petition_refer(
            actor=staff, petition=petition, kind=Route.Kind.ASSISTANCE, reason="生活困难"
        )

    assert refused.value.message == (
        f"关联的档案 {household.name} 状态为「待入户调查」,不在档,不能转帮扶救助。"
    )
    assert not Route.objects.exists()
    assert not Application.objects.exists()
    assert Petition.objects.get(pk=petition.pk).status == petition.status


def test_without_a_programme_this_year_the_referral_is_refused(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    petition = _accepted(network, staff, household)

    with pytest.raises(ValidationError) as refused:
        handling.petition_refer(
            actor=staff, petition=petition, kind=Route.Kind.ASSISTANCE, reason="生活困难"
        )

    assert refused.value.message == (
        f"{timezone.localdate().year} 年度没有该档案所属单位的临时救助项目,"
        "请先设立项目再转帮扶救助。"
    )
    assert not Route.objects.exists()
    assert not Application.objects.exists()
