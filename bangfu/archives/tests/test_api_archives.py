"""The archives API: scope on every endpoint, masking, reveal logged, actions, flat query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import AnnualReview, Household, IdRegistration
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.models import AccessLog, AuditEvent

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def archive_b(network, staff):
    """An archive of station B, with a member."""
    household = make_household(
        network.station_b,
        filed_by=staff,
        id_number=make_id_number(seq=101),
        mobile="13912345678",
        name="王五",
        name_initials="ww",
        archive_no="XS-2026-0002",
        bank_card="6222021234567890123",
    )
    make_member(household, id_number=make_id_number(date(2001, 2, 3), sex="F", seq=102))
    return household


@pytest.fixture
def other_staff(network):
    return make_user((Role.STAFF, network.other_township), username="other_staff")


def _endpoints(pk: int) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("api:household_detail", args=[pk]), {}),
        ("post", reverse("api:household_reveal", args=[pk]), {"purpose": "核对身份"}),
        (
            "post",
            reverse("api:household_close", args=[pk]),
            {"close_reason": "retired", "closed_on": "2026-01-05"},
        ),
        ("post", reverse("api:household_reopen", args=[pk]), {"reason": "恢复在档"}),
        (
            "post",
            reverse("api:annual_review_create", args=[pk]),
            {"reviewed_on": "2026-01-05", "outcome": "continue", "findings": "无变化"},
        ),
    ]


# --- scope ----------------------------------------------------------------------------------


def test_staff_of_another_township_gets_404_on_every_endpoint(network, archive_b, other_staff):
    client = client_for(other_staff)
    events, logs = AuditEvent.objects.count(), AccessLog.objects.count()

    answers = [
        getattr(client, m)(url, data, format="json") for m, url, data in _endpoints(archive_b.pk)
    ]
    missing = [getattr(client, m)(url, data, format="json") for m, url, data in _endpoints(999999)]

    assert [a.status_code for a in answers] == [404] * 5
    assert [a.json() for a in answers] == [a.json() for a in missing]
    listed = client.get(reverse("api:household_list"))
    assert listed.json()["count"] == 0
    archive_b.refresh_from_db()
    assert archive_b.status == Household.Status.ACTIVE
    assert (AuditEvent.objects.count(), AccessLog.objects.count()) == (events, logs)


def test_liaison_of_station_a_cannot_find_or_open_station_bs_archive(
    network, archive_b, liaison_a, staff
):
    own = make_household(network.station_a, filed_by=staff, name="李四")
    client = client_for(liaison_a)

    listed = client.get(reverse("api:household_list"))
    by_name = client.get(reverse("api:household_list"), {"q": "王五"})
    by_tail = client.get(reverse("api:household_list"), {"q": "5678"})
    detail = client.get(reverse("api:household_detail", args=[archive_b.pk]))
    own_detail = client.get(reverse("api:household_detail", args=[own.pk]))
    # The liaison's role holds none of the other actions anywhere: 403 for theirs and others'
    # alike, so the answer tells nothing about the archive.
    others = [
        getattr(client, m)(url, data, format="json").status_code
        for m, url, data in _endpoints(archive_b.pk)[1:]
    ]
    theirs = [
        getattr(client, m)(url, data, format="json").status_code
        for m, url, data in _endpoints(own.pk)[1:]
    ]

    assert [r["id"] for r in listed.json()["results"]] == [own.pk]
    assert by_name.json()["count"] == 0
    assert [r["id"] for r in by_tail.json()["results"]] == [own.pk]
    assert detail.status_code == 404
    assert own_detail.status_code == 200
    assert others == theirs == [403, 403, 403, 403]


# --- list -----------------------------------------------------------------------------------


def test_list_masks_ids_and_phones(network, archive_b, staff):
    response = client_for(staff).get(reverse("api:household_list"))

    row = response.json()["results"][0]
    assert row["id_number"] == archive_b.id_number[:6] + "********" + archive_b.id_number[-4:]
    assert row["mobile"] == "139****5678"
    assert row["unit"] == {"id": network.station_b.pk, "name": "金霞社区帮扶站"}
    assert row["status_label"] == "在档"
    assert archive_b.id_number not in response.content.decode()


def test_list_filters(network, archive_b, staff):
    t = today()
    overdue = make_household(
        network.station_a,
        filed_by=staff,
        name="张三",
        name_initials="zs",
        category="deep",
        review_due_on=t - timedelta(days=1),
        mobile="13800001111",
    )
    make_household(
        network.point_a1,
        filed_by=staff,
        name="赵六",
        status=Household.Status.CLOSED,
        review_due_on=t - timedelta(days=1),
    )
    client = client_for(staff)

    def ids(**params) -> list[int]:
        return [
            r["id"] for r in client.get(reverse("api:household_list"), params).json()["results"]
        ]

    assert ids(q="zs") == [overdue.pk]
    assert ids(q="张") == [overdue.pk]
    assert ids(q="1111") == [overdue.pk]
    assert ids(q=archive_b.id_number[-4:]) == [archive_b.pk]
    assert ids(q=archive_b.id_number.lower()) == [archive_b.pk]
    member_id = archive_b.members.get().id_number
    assert ids(q=member_id) == [archive_b.pk]
    assert ids(category="deep") == [overdue.pk]
    assert len(ids(status="closed")) == 1
    assert len(ids(unit=network.station_a.pk)) == 2  # the station and its point
    assert ids(review_overdue="true") == [overdue.pk]
    bad = client.get(reverse("api:household_list"), {"status": "gone"})
    assert bad.status_code == 400
    assert bad.json()["errors"]["status"].startswith("“状态”:")


def test_list_query_count_does_not_grow_with_rows(network, staff, django_assert_max_num_queries):
    client = client_for(staff)
    for _ in range(3):
        make_household(network.station_a, filed_by=staff)
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("api:household_list"))
    for _ in range(20):
        make_household(network.station_a, filed_by=staff)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("api:household_list"))

    assert response.json()["count"] == 23


# --- detail and reveal ----------------------------------------------------------------------


def test_detail_is_masked_with_members_and_reviews(network, archive_b, staff):
    AnnualReview.objects.create(
        household=archive_b,
        reviewed_on=date(2025, 6, 1),
        findings="无变化",
        outcome="continue",
        reviewed_by=staff,
        next_due_on=date(2026, 6, 1),
    )

    body = client_for(staff).get(reverse("api:household_detail", args=[archive_b.pk])).json()

    assert body["bank_card"] == "***************0123"
    assert body["members"][0]["id_number"].count("*") == 8
    assert body["reviews"][0]["next_due_on"] == "2026-06-01"
    assert archive_b.id_number not in str(body)


def test_reveal_returns_full_values_and_writes_the_access_log(network, archive_b, staff):
    response = client_for(staff).post(
        reverse("api:household_reveal", args=[archive_b.pk]),
        {"purpose": "办理医疗救助,核对身份"},
        format="json",
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["id_number"] == archive_b.id_number
    assert body["mobile"] == "13912345678"
    assert body["members"][0]["id_number"] == archive_b.members.get().id_number
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.purpose, log.fields) == (
        staff,
        str(archive_b.pk),
        "办理医疗救助,核对身份",
        "id_number,mobile,bank_card,members.id_number",
    )


def test_reveal_without_a_purpose_is_refused_and_not_logged(network, archive_b, staff):
    response = client_for(staff).post(
        reverse("api:household_reveal", args=[archive_b.pk]), {}, format="json"
    )

    assert response.status_code == 400
    assert "purpose" in response.json()["errors"]
    assert AccessLog.objects.count() == 0


# --- actions --------------------------------------------------------------------------------


def test_review_close_and_reopen_through_the_api(network, archive_b, staff):
    client = client_for(staff)

    review = client.post(
        reverse("api:annual_review_create", args=[archive_b.pk]),
        {"reviewed_on": "2026-01-05", "outcome": "continue", "findings": "家庭情况无变化"},
        format="json",
    )
    closed = client.post(
        reverse("api:household_close", args=[archive_b.pk]),
        {"close_reason": "retired", "closed_on": "2026-01-06"},
        format="json",
    )
    closed_again = client.post(
        reverse("api:household_close", args=[archive_b.pk]),
        {"close_reason": "retired", "closed_on": "2026-01-06"},
        format="json",
    )
    reopened = client.post(
        reverse("api:household_reopen", args=[archive_b.pk]),
        {"reason": "返聘后再次失业"},
        format="json",
    )

    assert review.status_code == 201
    assert review.json()["next_due_on"] == "2027-01-05"
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["retention_review_on"] == "2036-01-06"
    assert closed_again.status_code == 409
    assert "只有在档的档案才能撤档" in closed_again.json()["detail"]
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "active"
    assert IdRegistration.objects.filter(household=archive_b).count() == 2


def test_close_errors_name_the_api_fields(network, archive_b, staff):
    response = client_for(staff).post(
        reverse("api:household_close", args=[archive_b.pk]),
        {"close_reason": "other", "closed_on": "2026-01-06"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"close_note": "撤档原因为“其他”时,请填写撤档说明。"}
    archive_b.refresh_from_db()
    assert archive_b.status == Household.Status.ACTIVE


def test_reopen_refused_when_the_id_is_taken_answers_409(network, archive_b, staff):
    client = client_for(staff)
    client.post(
        reverse("api:household_close", args=[archive_b.pk]),
        {"close_reason": "transferred", "closed_on": "2026-01-06"},
        format="json",
    )
    make_household(network.station_a, filed_by=staff, id_number=archive_b.id_number, name="王五新")

    response = client.post(
        reverse("api:household_reopen", args=[archive_b.pk]), {"reason": "调回"}, format="json"
    )

    assert response.status_code in (400, 409)
    assert "已在响水乡职工服务(帮扶)中心的档案" in response.json()["detail"]
    archive_b.refresh_from_db()
    assert archive_b.status == Household.Status.CLOSED


# --- filing through the API -----------------------------------------------------------------


def _create_payload(network, **overrides) -> dict:
    from bangfu.archives.tests.factories import make_area

    payload = {
        "unit": network.station_a.pk,
        "area": make_area().pk,
        "applied_on": "2026-03-02",
        "name": "张三",
        "id_number": make_id_number(seq=201),
        "work_status": "laid_off",
        "housing": "owned",
        "marital_status": "married",
        "hukou": "urban",
        "address": "响水乡响水社区 1 号",
        "medical_insurance": "employee",
        "main_cause": 3,
        "mobile": "13800005678",
        "members": [
            {
                "name": "李四",
                "relation": "spouse",
                "id_number": make_id_number(date(1977, 3, 2), sex="F", seq=202),
                "identity": "unemployed",
            }
        ],
    }
    payload.update(overrides)
    return payload


def test_create_files_an_application_and_answers_masked(network, staff):
    payload = _create_payload(network)

    response = client_for(staff).post(reverse("api:household_create"), payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert household.status == Household.Status.APPLIED
    assert household.id_number == payload["id_number"]
    assert body["id_number"] == payload["id_number"][:6] + "********" + payload["id_number"][-4:]
    assert len(body["members"]) == 1
    assert IdRegistration.objects.filter(household=household).count() == 2


def test_create_with_bad_input_answers_400_per_field_in_chinese_and_writes_nothing(network, staff):
    payload = _create_payload(network, id_number="430302197506150010", main_cause=99)

    response = client_for(staff).post(reverse("api:household_create"), payload, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["main_cause"].startswith("“主要致困原因”:")
    assert Household.objects.count() == 0


def test_create_with_a_duplicate_id_names_the_other_archive(network, staff, archive_b):
    payload = _create_payload(network, id_number=archive_b.id_number)

    response = client_for(staff).post(reverse("api:household_create"), payload, format="json")

    assert response.status_code == 400
    message = response.json()["errors"]["id_number"]
    assert message.endswith(f"的档案 {archive_b.archive_no or '未编号'} 中。")
    assert "王五" not in message  # the holder's name is not told to the filer
    assert archive_b.id_number not in message
    assert Household.objects.count() == 1


def test_create_in_a_unit_outside_scope_is_refused(network, liaison_a):
    payload = _create_payload(network, unit=network.station_b.pk)

    response = client_for(liaison_a).post(reverse("api:household_create"), payload, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"unit": "未找到所选帮扶站(点)。"}
    assert Household.objects.count() == 0


def test_update_changes_the_head_and_is_scoped(network, staff, liaison_a, liaison_b):
    created = client_for(staff).post(
        reverse("api:household_create"), _create_payload(network), format="json"
    )
    pk = created.json()["id"]
    payload = _create_payload(network, address="响水乡响水社区 2 号")
    payload["members"] = []

    outside = client_for(liaison_b).put(
        reverse("api:household_update", args=[pk]), payload, format="json"
    )
    inside = client_for(liaison_a).put(
        reverse("api:household_update", args=[pk]), payload, format="json"
    )

    assert outside.status_code == 404
    assert inside.status_code == 200, inside.json()
    assert Household.objects.get(pk=pk).address == "响水乡响水社区 2 号"
    assert Household.objects.get(pk=pk).members.count() == 1
