from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.archives.tests.factories import make_member
from bangfu.assistance.models import Application, Kind
from bangfu.assistance.selectors import student_members, student_rows
from bangfu.assistance.services import application_create

from .factories import aided_household, education_input, make_programme


@pytest.fixture
def household(network, staff):
    return aided_household(network.station_a, staff)


def test_the_register_lists_students_grants_and_who_must_reapply(network, staff, household):
    son = make_member(
        household,
        name="张小明",
        relation="son",
        identity="student",
        enrolled_year=2024,
        schooling_years=4,
        employer_or_school="湘潭大学",
    )
    graduate = make_member(
        household, name="张小红", relation="daughter", enrolled_year=2023, schooling_years=3
    )
    last_year = make_programme(network.township, staff, kind=Kind.EDUCATION, year=2025)
    for member in (son, graduate):
        app = application_create(
            actor=staff,
            household_id=household.pk,
            data=education_input(
                last_year,
                member.pk,
                period_start=date(2025, 9, 1),
                period_end=date(2026, 6, 30),
            ),
        )
        Application.objects.filter(pk=app.pk).update(status=Application.Status.APPROVED)

    rows = student_rows(list(student_members(user=staff)), year=2026)

    by_name = {r.member.name: r for r in rows}
    assert set(by_name) == {"张小明", "张小红"}
    assert by_name["张小明"].expected_graduation == 2028
    assert by_name["张小明"].grants == {2025: 5000}
    assert by_name["张小明"].must_reapply
    assert not by_name["张小红"].must_reapply  # graduates in 2026


def test_the_register_is_scoped_and_takes_constant_queries(
    client, network, staff, liaison_b, household
):
    client.force_login(staff)
    make_member(household, name="学生一", identity="student")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("assistance:student_register"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    one, page = count()
    assert "学生一" in page
    for n in range(5):
        make_member(household, name=f"学生{n + 2}", identity="student")
    assert count()[0] == one
    assert list(student_members(user=liaison_b)) == []
