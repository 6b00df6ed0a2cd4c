"""Revealing full values: the permission, a reason, one access-log row, nothing else changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household, HouseholdMember
from bangfu.archives.services.reveal import household_reveal
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.errors import PermissionDenied, ValidationError
from bangfu.core.models import AccessLog, AuditEvent

ALL = ["id_number", "mobile", "bank_card", "members.id_number"]


@pytest.fixture
def household(network, staff):
    h = make_household(
        network.station_a,
        filed_by=staff,
        name="张三",
        id_number=make_id_number(seq=21),
        mobile="13812345678",
        bank_card="6222020200112233445",
    )
    make_member(h, id_number=make_id_number(date(1977, 3, 2), sex="F", seq=22), name="李四")
    return h


def url(h):
    return reverse("archives:household_reveal", args=[h.pk])


def snapshot(h):
    return (
        list(Household.objects.filter(pk=h.pk).values()),
        list(HouseholdMember.objects.filter(household=h).values()),
        AuditEvent.objects.count(),
    )


def test_a_reveal_shows_the_full_values_once_and_logs_one_row(client, household, staff):
    # given
    client.force_login(staff)
    before = snapshot(household)
    member = household.members.get()

    # when
    response = client.post(url(household), {"shown": ALL, "purpose": "核对低保申报材料"})

    # then
    body = response.content.decode()
    assert response.status_code == 200
    for value in (household.id_number, "13812345678", "6222020200112233445", member.id_number):
        assert value in body
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.user, log.object_type, log.object_id) == (
        staff,
        "archives.household",
        str(household.pk),
    )
    assert log.fields == "id_number,mobile,bank_card,members.id_number"
    assert log.purpose == "核对低保申报材料"
    assert snapshot(household) == before


def test_only_the_chosen_fields_are_shown_and_logged(client, household, staff):
    client.force_login(staff)

    response = client.post(url(household), {"shown": ["mobile"], "purpose": "电话回访"})

    body = response.content.decode()
    assert "13812345678" in body
    assert household.id_number not in body
    assert AccessLog.objects.get().fields == "mobile"


@pytest.mark.parametrize("purpose", ["", "  ", "看"])
def test_a_reveal_without_a_reason_is_refused_and_logs_nothing(client, household, staff, purpose):
    # given
    client.force_login(staff)
    before = snapshot(household)

    # when
    response = client.post(url(household), {"shown": ALL, "purpose": purpose})

    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "请填写查看事由" in body
    assert household.id_number not in body
    assert AccessLog.objects.count() == 0
    assert snapshot(household) == before


def test_the_form_page_asks_for_the_reason_and_is_not_cached(client, household, staff):
    client.force_login(staff)

    response = client.get(url(household))

    assert response.status_code == 200
    assert "事由" in response.content.decode()
    assert household.id_number not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.count() == 0


def test_without_the_permission_the_url_answers_403(client, household, liaison_a):
    client.force_login(liaison_a)

    response = client.post(url(household), {"shown": ALL, "purpose": "想看看"})

    assert response.status_code == 403
    assert household.id_number not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_outside_scope_the_url_answers_404(client, household, network):
    other = make_user((Role.STAFF, network.other_township))
    client.force_login(other)

    response = client.post(url(household), {"shown": ALL, "purpose": "核对材料"})

    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


def test_the_service_checks_permission_scope_fields_and_purpose(
    household, liaison_a, network, staff
):
    other = make_user((Role.STAFF, network.other_township))

    with pytest.raises(PermissionDenied):
        household_reveal(user=liaison_a, household=household, fields=ALL, purpose="核对材料")
    with pytest.raises(PermissionDenied) as outside:
        household_reveal(user=other, household=household, fields=ALL, purpose="核对材料")
    assert outside.value.message == "您无权查看该档案的完整信息。"
    with pytest.raises(ValidationError) as exc:
        household_reveal(user=staff, household=household, fields=[], purpose="核对材料")
    assert exc.value.errors == {"fields": "请选择要显示的信息。"}
    with pytest.raises(ValidationError):
        household_reveal(user=staff, household=household, fields=["notes"], purpose="核对材料")
    with pytest.raises(ValidationError) as exc:
        household_reveal(user=staff, household=household, fields=ALL, purpose=" ")
    assert exc.value.errors == {"purpose": "请填写查看事由。"}
    assert AccessLog.objects.count() == 0


def test_every_reveal_is_one_more_row(household, staff):
    for n in range(3):
        household_reveal(user=staff, household=household, fields=["id_number"], purpose=f"核对{n}")

    assert list(AccessLog.objects.order_by("id").values_list("purpose", flat=True)) == [
        "核对0",
        "核对1",
        "核对2",
    ]
