"""The org-unit API: scope, token auth, refusals that change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bangfu.accounts.models import ApiToken
from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.models import AuditEvent
from bangfu.network.models import OrgUnit, UnitPerson

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    _token, secret = ApiToken.objects.create(user=user, name="测试")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def unit_snapshot(unit: OrgUnit) -> tuple:
    unit.refresh_from_db()
    return (unit.name, unit.parent_id, unit.kind, unit.path, unit.depth, unit.address)


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["results"]]


# --- list ---------------------------------------------------------------------------------


def test_liaison_lists_only_its_station_and_what_lies_under_it(network, liaison_a):
    response = client_for(liaison_a).get(reverse("api:orgunit_list"))

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert names(response) == ["响水社区帮扶站", "响水社区一组帮扶点"]


def test_staff_lists_the_township_filtered_by_kind_parent_and_name(network, staff):
    client = client_for(staff)

    stations = client.get(reverse("api:orgunit_list"), {"kind": "station"})
    under_a = client.get(reverse("api:orgunit_list"), {"parent": network.station_a.pk})
    by_name = client.get(reverse("api:orgunit_list"), {"q": "金霞"})

    assert names(stations) == ["响水社区帮扶站", "金霞社区帮扶站", "湘潭电机厂帮扶站"]
    assert names(under_a) == ["响水社区一组帮扶点"]
    assert names(by_name) == ["金霞社区帮扶站"]


def test_list_output_carries_the_labels(network, liaison_a):
    response = client_for(liaison_a).get(reverse("api:orgunit_list"))

    first = response.json()["results"][0]
    assert first == {
        "id": network.station_a.pk,
        "name": "响水社区帮扶站",
        "short_name": "",
        "kind": "station",
        "kind_label": "帮扶站",
        "level": "",
        "level_label": "",
        "station_type": "community",
        "station_type_label": "社区",
        "parent_id": network.township.pk,
        "depth": 2,
        "address": "",
        "phone": "",
        "sort_order": 0,
    }


def test_a_bad_filter_is_refused_naming_the_field(network, staff):
    response = client_for(staff).get(reverse("api:orgunit_list"), {"kind": "castle"})

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["kind"]
    assert body["detail"].startswith("“类型”:")


def test_list_is_paginated(network, staff):
    response = client_for(staff).get(reverse("api:orgunit_list"), {"limit": 2, "offset": 1})

    body = response.json()
    assert body["count"] == 5
    assert names(response) == ["响水社区帮扶站", "响水社区一组帮扶点"]
    assert body["next"].endswith("limit=2&offset=3")


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_people_leading_group_and_visible_children(network, staff):
    UnitPerson.objects.create(unit=network.township, name="张书记", role="group_head", post="书记")
    UnitPerson.objects.create(
        unit=network.township, name="刘站长", role="leader", phone="13812345678"
    )

    response = client_for(staff).get(reverse("api:orgunit_detail", args=[network.township.pk]))

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "响水乡职工服务(帮扶)中心"
    assert body["parent_name"] == "雨湖区总工会职工服务(帮扶)中心"
    assert [c["name"] for c in body["children"]] == [
        "响水社区帮扶站",
        "金霞社区帮扶站",
        "湘潭电机厂帮扶站",
    ]
    assert [(p["name"], p["role_label"], p["phone"]) for p in body["people"]] == [
        ("刘站长", "负责人", "13812345678")
    ]
    assert [(p["name"], p["role_label"], p["post"]) for p in body["leading_group"]] == [
        ("张书记", "领导小组组长", "书记")
    ]


def test_detail_of_a_top_unit_has_no_parent_name(network, auditor):
    response = client_for(auditor).get(reverse("api:orgunit_detail", args=[network.county.pk]))

    assert response.status_code == 200
    assert response.json()["parent_name"] is None
    assert response.json()["parent_id"] is None


# --- scope: outside looks exactly like missing ------------------------------------------------


def test_liaison_gets_404_for_another_station_like_for_a_missing_id(network, liaison_a):
    client = client_for(liaison_a)

    other = client.get(reverse("api:orgunit_detail", args=[network.station_b.pk]))
    missing = client.get(reverse("api:orgunit_detail", args=[999999]))

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json() == {"detail": "未找到。"}


def test_liaison_does_not_see_another_station_in_the_list(network, liaison_a):
    response = client_for(liaison_a).get(reverse("api:orgunit_list"), {"q": "金霞"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_liaison_may_not_change_or_delete_any_unit(network, liaison_a):
    """A liaison holds no right to manage units anywhere: every id gets the same 403, so the
    answer tells nothing about which units exist."""
    client = client_for(liaison_a)
    before = unit_snapshot(network.station_b)
    events = AuditEvent.objects.count()

    answers = [
        client.patch(reverse("api:orgunit_update", args=[uid]), {"name": "改"}, format="json")
        for uid in (network.station_a.pk, network.station_b.pk, 999999)
    ] + [
        client.delete(reverse("api:orgunit_delete", args=[uid]))
        for uid in (network.station_a.pk, network.station_b.pk, 999999)
    ]

    assert [a.status_code for a in answers] == [403] * 6
    assert {a.json()["detail"] for a in answers} == {"您没有执行此操作的权限。"}
    assert unit_snapshot(network.station_b) == before
    assert AuditEvent.objects.count() == events


def test_station_manager_gets_404_for_another_station_in_get_patch_and_delete(network):
    manager_a = make_user((Role.STAFF, network.station_a), username="manager_a")
    client = client_for(manager_a)
    before = unit_snapshot(network.station_b)
    events = AuditEvent.objects.count()
    url_args = [network.station_b.pk]

    got = client.get(reverse("api:orgunit_detail", args=url_args))
    patched = client.patch(
        reverse("api:orgunit_update", args=url_args), {"name": "改名"}, format="json"
    )
    put = client.put(
        reverse("api:orgunit_update", args=url_args),
        {
            "parent": network.township.pk,
            "name": "改名",
            "kind": "station",
            "station_type": "community",
        },
        format="json",
    )
    deleted = client.delete(reverse("api:orgunit_delete", args=url_args))
    missing = client.delete(reverse("api:orgunit_delete", args=[999999]))

    assert [r.status_code for r in (got, patched, put, deleted, missing)] == [404] * 5
    assert {r.json()["detail"] for r in (got, patched, put, deleted, missing)} == {"未找到。"}
    assert unit_snapshot(network.station_b) == before
    assert AuditEvent.objects.count() == events


# --- authentication ---------------------------------------------------------------------------


def test_token_auth_has_the_same_scope(network, liaison_a):
    client = token_client(liaison_a)

    listed = client.get(reverse("api:orgunit_list"))
    own = client.get(reverse("api:orgunit_detail", args=[network.station_a.pk]))
    other = client.get(reverse("api:orgunit_detail", args=[network.station_b.pk]))

    assert names(listed) == ["响水社区帮扶站", "响水社区一组帮扶点"]
    assert own.status_code == 200
    assert other.status_code == 404


def test_a_wrong_token_is_refused(network):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get(reverse("api:orgunit_list"))

    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "令牌无效、已过期或已撤销,请重新获取令牌。"}


def test_unauthenticated_calls_are_refused(network):
    client = APIClient()

    answers = [
        client.get(reverse("api:orgunit_list")),
        client.get(reverse("api:orgunit_detail", args=[network.station_a.pk])),
        client.post(reverse("api:orgunit_create"), {}, format="json"),
        client.delete(reverse("api:orgunit_delete", args=[network.point_a1.pk])),
    ]

    assert {a.status_code for a in answers} <= {401, 403}
    assert {a.json()["detail"] for a in answers} == {"身份认证信息未提供。"}
    assert OrgUnit.objects.filter(pk=network.point_a1.pk).exists()


def test_a_user_who_must_change_the_password_is_refused(network):
    fresh = make_user((Role.STAFF, network.township), username="fresh", must_change_password=True)

    by_session = client_for(fresh).get(reverse("api:orgunit_list"))
    by_token = token_client(fresh).get(reverse("api:orgunit_list"))

    assert by_session.status_code == by_token.status_code == 403
    assert by_session.json() == by_token.json() == {"detail": "请先在网页上修改初始密码。"}


def test_session_writes_need_the_csrf_token(network, staff):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    count = OrgUnit.objects.count()

    response = client.post(
        reverse("api:orgunit_create"),
        {
            "parent": network.station_a.pk,
            "name": "新点",
            "kind": "point",
            "station_type": "community",
        },
        format="json",
    )

    assert response.status_code == 403
    assert OrgUnit.objects.count() == count


# --- create -------------------------------------------------------------------------------------


def test_staff_creates_a_point_with_one_audit_event(network, staff):
    events = AuditEvent.objects.count()

    response = client_for(staff).post(
        reverse("api:orgunit_create"),
        {
            "parent": network.station_a.pk,
            "name": " 响水社区二组帮扶点 ",
            "kind": "point",
            "station_type": "community",
            "phone": "0731-5551234",
        },
        format="json",
    )

    assert response.status_code == 201
    unit = OrgUnit.objects.get(name="响水社区二组帮扶点")
    assert response.json()["id"] == unit.pk
    assert response.json()["kind_label"] == "帮扶点"
    assert unit.parent == network.station_a
    assert unit.path == f"{network.station_a.path}{unit.pk}/"
    assert unit.phone == "0731-5551234"
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("seq").action == "network.unit.create"


def test_a_duplicate_name_under_the_parent_is_refused_and_nothing_is_created(network, staff):
    units, events = OrgUnit.objects.count(), AuditEvent.objects.count()

    response = client_for(staff).post(
        reverse("api:orgunit_create"),
        {
            "parent": network.township.pk,
            "name": "金霞社区帮扶站",
            "kind": "station",
            "station_type": "community",
        },
        format="json",
    )

    assert response.status_code == 400
    message = "“响水乡职工服务(帮扶)中心”下已有名为“金霞社区帮扶站”的单位。"
    assert response.json() == {"detail": message, "errors": {"name": message}}
    assert OrgUnit.objects.count() == units
    assert AuditEvent.objects.count() == events


def test_create_names_every_missing_field_in_chinese(network, staff):
    units = OrgUnit.objects.count()

    response = client_for(staff).post(reverse("api:orgunit_create"), {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {
        "parent": "“上级单位”:该字段是必填项。",
        "name": "“名称”:该字段是必填项。",
        "kind": "“类型”:该字段是必填项。",
    }
    assert body["detail"] == "“上级单位”:该字段是必填项。"
    assert OrgUnit.objects.count() == units


def test_a_parent_outside_the_scope_reads_like_a_missing_one(network):
    manager_a = make_user((Role.STAFF, network.station_a), username="manager_a")
    units = OrgUnit.objects.count()
    payload = {"name": "新点", "kind": "point", "station_type": "community"}

    outside = client_for(manager_a).post(
        reverse("api:orgunit_create"), {**payload, "parent": network.station_b.pk}, format="json"
    )
    missing = client_for(manager_a).post(
        reverse("api:orgunit_create"), {**payload, "parent": 999999}, format="json"
    )

    assert outside.status_code == missing.status_code == 400
    assert (
        outside.json()
        == missing.json()
        == {
            "detail": "未找到所选的上级单位。",
            "errors": {"parent": "未找到所选的上级单位。"},
        }
    )
    assert OrgUnit.objects.count() == units


def test_a_station_directly_under_a_station_is_refused(network, staff):
    response = client_for(staff).post(
        reverse("api:orgunit_create"),
        {
            "parent": network.station_a.pk,
            "name": "站中站",
            "kind": "station",
            "station_type": "community",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"parent": "“帮扶站”不能设在“响水社区帮扶站”(帮扶站)之下。"}
    assert not OrgUnit.objects.filter(name="站中站").exists()


# --- update -------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(network, staff):
    network.station_a.address = "响水路 1 号"
    network.station_a.save()
    events = AuditEvent.objects.count()

    response = client_for(staff).patch(
        reverse("api:orgunit_update", args=[network.station_a.pk]),
        {"name": "响水社区职工帮扶站"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["name"] == "响水社区职工帮扶站"
    network.station_a.refresh_from_db()
    assert network.station_a.name == "响水社区职工帮扶站"
    assert network.station_a.address == "响水路 1 号"
    assert network.station_a.parent == network.township
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("seq").changes == {
        "name": ["响水社区帮扶站", "响水社区职工帮扶站"]
    }


def test_patch_moving_a_station_moves_its_points(network):
    county_staff = make_user((Role.STAFF, network.county), username="county_staff")

    response = client_for(county_staff).patch(
        reverse("api:orgunit_update", args=[network.station_a.pk]),
        {"parent": network.other_township.pk},
        format="json",
    )

    assert response.status_code == 200
    network.point_a1.refresh_from_db()
    assert network.point_a1.path == (
        f"{network.other_township.path}{network.station_a.pk}/{network.point_a1.pk}/"
    )


def test_a_refused_update_changes_nothing(network, staff):
    before = unit_snapshot(network.station_a)
    events = AuditEvent.objects.count()

    response = client_for(staff).patch(
        reverse("api:orgunit_update", args=[network.station_a.pk]),
        {"name": "金霞社区帮扶站", "address": "别处"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "name": "“响水乡职工服务(帮扶)中心”下已有名为“金霞社区帮扶站”的单位。"
    }
    assert unit_snapshot(network.station_a) == before
    assert AuditEvent.objects.count() == events


def test_put_replaces_every_field(network, staff):
    network.station_b.address = "金霞路 2 号"
    network.station_b.save()

    response = client_for(staff).put(
        reverse("api:orgunit_update", args=[network.station_b.pk]),
        {
            "parent": network.township.pk,
            "name": "金霞社区帮扶站",
            "kind": "station",
            "station_type": "enterprise",
        },
        format="json",
    )

    assert response.status_code == 200
    network.station_b.refresh_from_db()
    assert network.station_b.station_type == "enterprise"
    assert network.station_b.address == ""


# --- delete -------------------------------------------------------------------------------------


def test_deleting_a_unit_with_children_is_a_conflict_and_changes_nothing(network, staff):
    units, events = OrgUnit.objects.count(), AuditEvent.objects.count()

    response = client_for(staff).delete(reverse("api:orgunit_delete", args=[network.station_a.pk]))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "“响水社区帮扶站”有下级单位,不能删除。请先移走或删除它们。"
    }
    assert OrgUnit.objects.count() == units
    assert AuditEvent.objects.count() == events


def test_deleting_an_empty_unit_answers_204_with_one_audit_event(network, staff):
    events = AuditEvent.objects.count()

    response = client_for(staff).delete(reverse("api:orgunit_delete", args=[network.point_a1.pk]))

    assert response.status_code == 204
    assert not OrgUnit.objects.filter(pk=network.point_a1.pk).exists()
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("seq").action == "network.unit.delete"
