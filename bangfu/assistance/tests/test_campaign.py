from datetime import timedelta

import pytest
from django.utils import timezone

from bangfu.archives.tests.factories import make_member
from bangfu.assistance.models import Application, Kind
from bangfu.assistance.services import application_create
from bangfu.core.errors import ValidationError

from .factories import aided_household, education_input, make_programme


@pytest.fixture
def household(network, staff):
    return aided_household(network.station_a, staff)


@pytest.fixture
def child(household):
    return make_member(household, name="张小明", relation="son")


@pytest.fixture
def campaign(network, staff):
    return make_programme(network.township, staff, kind=Kind.EDUCATION, campaign=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"school_kind": "military"}, "school_kind", "军事院校的学生不在金秋助学资助范围内。"),
        (
            {"school_kind": "free_teacher"},
            "school_kind",
            "免费师范生的学生不在金秋助学资助范围内。",
        ),
        (
            {"aided_elsewhere": True},
            "aided_elsewhere",
            "已获其他助学资助的学生不在金秋助学资助范围内。",
        ),
    ],
)
def test_the_campaign_excludes_what_domain_excludes(
    staff, household, child, campaign, overrides, field, message
):
    with pytest.raises(ValidationError) as refused:
        application_create(
            actor=staff,
            household_id=household.pk,
            data=education_input(campaign, child.pk, **overrides),
        )

    assert refused.value.errors == {field: message}
    assert not Application.objects.exists()


def test_outside_the_application_window_is_refused(network, staff, household, child):
    today = timezone.localdate()
    programme = make_programme(
        network.township,
        staff,
        kind=Kind.EDUCATION,
        campaign=True,
        rules={"opens_on": today + timedelta(days=1), "closes_on": today + timedelta(days=30)},
    )

    with pytest.raises(ValidationError) as refused:
        application_create(
            actor=staff, household_id=household.pk, data=education_input(programme, child.pk)
        )

    assert refused.value.errors == {
        "programme": f"2026 年助学的申请时间为 {today + timedelta(days=1)} 至 "
        f"{today + timedelta(days=30)},现在不能申请。"
    }
    assert not Application.objects.exists()


def test_a_military_academy_is_fine_outside_the_campaign(network, staff, household, child):
    programme = make_programme(network.township, staff, kind=Kind.EDUCATION, name="助学专项")

    application = application_create(
        actor=staff,
        household_id=household.pk,
        data=education_input(programme, child.pk, school_kind="military"),
    )

    assert application.school_kind == "military"


def test_two_children_apply_each_but_one_child_only_once(staff, household, child, campaign):
    sister = make_member(household, name="张小红", relation="daughter")
    application_create(
        actor=staff, household_id=household.pk, data=education_input(campaign, child.pk)
    )
    application_create(
        actor=staff, household_id=household.pk, data=education_input(campaign, sister.pk)
    )

    with pytest.raises(ValidationError):
        application_create(
            actor=staff, household_id=household.pk, data=education_input(campaign, child.pk)
        )

    assert Application.objects.count() == 2
