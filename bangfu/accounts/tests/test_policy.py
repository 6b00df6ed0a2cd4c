"""Who may do what, and where: scope filters, permission checks, role rules, declarations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.accounts import policy, selectors
from bangfu.accounts.permissions import AccountsPermission
from bangfu.accounts.roles import ADMIN_ROLES, BUSINESS_ROLES, Role, incompatible_roles
from bangfu.accounts.tests.factories import make_user
from bangfu.core.errors import NotFound, PermissionDenied, ValidationError
from bangfu.network import selectors as network_selectors
from bangfu.network.models import OrgUnit
from bangfu.network.permissions import NetworkPermission

pytestmark = pytest.mark.django_db


def visible_units(user, perm=NetworkPermission.VIEW) -> set[str]:
    return set(
        OrgUnit.objects.filter(policy.scope_q(user, perm, field="")).values_list("name", flat=True)
    )


# --- scope_q --------------------------------------------------------------------------------


def test_liaison_sees_only_its_station_and_what_lies_under_it(liaison_a):
    assert visible_units(liaison_a) == {"响水社区帮扶站", "响水社区一组帮扶点"}


def test_township_staff_sees_the_township_but_not_its_neighbour(staff):
    assert visible_units(staff) == {
        "响水乡职工服务(帮扶)中心",
        "响水社区帮扶站",
        "金霞社区帮扶站",
        "湘潭电机厂帮扶站",
        "响水社区一组帮扶点",
    }


def test_scope_is_empty_without_the_permission(liaison_a, network):
    assert visible_units(liaison_a, AccountsPermission.VIEW_USERS) == set()
    assert policy.scope_paths(liaison_a, AccountsPermission.VIEW_USERS) == []


def test_scope_follows_a_relation(staff, liaison_a, liaison_b, sysadmin, network):
    from bangfu.accounts.models import User

    in_scope = User.objects.filter(
        policy.scope_q(liaison_a, NetworkPermission.VIEW, field="unit")
    ).values_list("username", flat=True)

    assert sorted(in_scope) == ["liaison_a"]


def test_nested_grants_collapse_to_the_outer_unit(network):
    user = make_user((Role.STAFF, network.township), (Role.LIAISON, network.station_a))

    assert policy.scope_paths(user, NetworkPermission.VIEW) == [network.township.path]


def test_a_disabled_user_has_no_scope(staff):
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    policy.forget_grants(staff)

    assert visible_units(staff) == set()
    assert policy.user_permissions(staff) == frozenset()


def test_liaison_of_station_a_cannot_reach_station_b(liaison_a, liaison_b, network):
    with pytest.raises(NotFound):
        network_selectors.access_unit(user=liaison_a, unit_id=network.station_b.pk)
    with pytest.raises(NotFound):
        selectors.access_user(user=liaison_a, user_id=liaison_b.pk)
    assert network_selectors.access_unit(user=liaison_a, unit_id=network.station_a.pk) == (
        network.station_a
    )


def test_liaison_of_station_a_gets_404_for_station_b_pages(client, liaison_a, network):
    client.force_login(liaison_a)

    other = client.get(reverse("network:unit_detail", args=[network.station_b.pk]))
    own = client.get(reverse("network:unit_detail", args=[network.station_a.pk]))

    assert other.status_code == 404
    assert own.status_code == 200


def test_station_admin_gets_404_for_users_of_another_station(client, network, liaison_b):
    station_admin = make_user((Role.SECURITY_ADMIN, network.station_a), username="sa_a")
    client.force_login(station_admin)

    response = client.get(reverse("accounts:user_detail", args=[liaison_b.pk]))

    assert response.status_code == 404


# --- require_perm and has_perm --------------------------------------------------------------


def test_require_perm_raises_without_the_permission(liaison_a):
    with pytest.raises(PermissionDenied) as caught:
        policy.require_perm(liaison_a, AccountsPermission.VIEW_USERS)

    assert caught.value.message == "您没有执行此操作的权限。"


def test_require_perm_passes_with_the_permission(security_admin):
    policy.require_perm(security_admin, AccountsPermission.ASSIGN_ROLES)  # raises if refused


def test_require_perm_refuses_an_anonymous_user():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        policy.require_perm(AnonymousUser(), policy.AUTHENTICATED)


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        (
            Role.SYSTEM_ADMIN,
            {"accounts.view_users", "accounts.manage_users", "accounts.use_api"},
        ),
        (
            Role.SECURITY_ADMIN,
            {
                "accounts.view_users",
                "accounts.assign_roles",
                "accounts.unlock",
                "accounts.reset_password",
                "accounts.revoke_tokens",
                "accounts.view_csp_reports",
            },
        ),
        (Role.AUDITOR, {"accounts.view_users"}),
        (Role.LEADER, {"accounts.use_api"}),
        (Role.LIAISON, {"accounts.use_api"}),
        (Role.SUPERVISOR, set()),
    ],
)
def test_accounts_permissions_follow_the_three_admins_rule(role, granted):
    accounts_perms = {p for p in policy.role_permissions(role) if p.startswith("accounts.")}

    assert accounts_perms == granted


# --- Role rules -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_each_admin_role_excludes_every_other_role(role):
    assert incompatible_roles(role) == frozenset(set(Role.values) - {role})


@pytest.mark.parametrize("role", sorted(BUSINESS_ROLES - {Role.SUPERVISOR}))
def test_working_roles_exclude_the_admin_roles_and_the_supervisor(role):
    assert incompatible_roles(role) == ADMIN_ROLES | {Role.SUPERVISOR}


def test_the_supervisor_holds_no_other_role():
    assert incompatible_roles(Role.SUPERVISOR) == frozenset(set(Role.values) - {Role.SUPERVISOR})


# --- Declarations ---------------------------------------------------------------------------


def test_every_declared_permission_is_granted_to_some_role():
    declared = {policy.url_permission(name) or "" for name in policy.declared_url_names()}
    needed = declared - {policy.PUBLIC, policy.AUTHENTICATED}

    assert {perm for perm in needed if not policy.roles_with(perm)} == set()


def test_accounts_pages_declare_what_the_brief_names():
    assert policy.url_permission("accounts:login") == policy.PUBLIC
    assert policy.url_permission("accounts:password_change") == policy.AUTHENTICATED
    assert policy.url_permission("accounts:role_assign") == AccountsPermission.ASSIGN_ROLES
    assert policy.url_permission("accounts:user_create") == AccountsPermission.MANAGE_USERS


@pytest.mark.urls("bangfu.accounts.tests.urls_undeclared")
def test_a_page_that_declares_nothing_is_refused(client, sysadmin):
    client.force_login(sysadmin)

    response = client.get("/undeclared/")

    assert response.status_code == 403
    assert "secret" not in response.content.decode()


@pytest.mark.urls("bangfu.accounts.tests.urls_undeclared")
def test_an_undeclared_page_sends_an_anonymous_visitor_to_log_in(client, network):
    response = client.get("/undeclared/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- the scope vocabulary: require_in_scope, units_in_scope, scoped_get ----------------------


def test_require_in_scope_passes_for_a_unit_under_the_grant(liaison_a, network):
    policy.require_in_scope(liaison_a, NetworkPermission.VIEW, network.point_a1)


def test_require_in_scope_refuses_a_unit_outside_with_the_given_message(liaison_a, network):
    with pytest.raises(PermissionDenied) as refused:
        policy.require_in_scope(
            liaison_a, NetworkPermission.VIEW, network.station_b, message="不在本站范围内。"
        )
    assert refused.value.message == "不在本站范围内。"


def test_require_in_scope_refuses_without_the_permission_anywhere(liaison_a, network):
    with pytest.raises(PermissionDenied) as refused:
        policy.require_in_scope(liaison_a, AccountsPermission.MANAGE_USERS, network.station_a)
    assert refused.value.message == "您没有执行此操作的权限。"


def test_require_in_scope_refuses_no_unit(staff):
    with pytest.raises(PermissionDenied):
        policy.require_in_scope(staff, NetworkPermission.VIEW, None)


def test_units_in_scope_lists_the_units_under_the_grants_in_tree_order(staff, network):
    names = list(
        policy.units_in_scope(staff, NetworkPermission.VIEW).values_list("name", flat=True)
    )
    assert names[0] == "响水乡职工服务(帮扶)中心"
    assert set(names) == {
        "响水乡职工服务(帮扶)中心",
        "响水社区帮扶站",
        "金霞社区帮扶站",
        "湘潭电机厂帮扶站",
        "响水社区一组帮扶点",
    }


def test_units_in_scope_filters_by_kind(staff):
    stations = policy.units_in_scope(staff, NetworkPermission.VIEW, kind=OrgUnit.Kind.STATION)
    assert set(stations.values_list("name", flat=True)) == {
        "响水社区帮扶站",
        "金霞社区帮扶站",
        "湘潭电机厂帮扶站",
    }


def test_units_in_scope_is_empty_without_the_permission(liaison_a):
    assert not policy.units_in_scope(liaison_a, AccountsPermission.MANAGE_USERS).exists()


def test_scoped_get_returns_the_object_in_scope(liaison_a, network):
    units = OrgUnit.objects.filter(policy.scope_q(liaison_a, NetworkPermission.VIEW, field=""))
    assert policy.scoped_get(units, str(network.station_a.pk)) == network.station_a


@pytest.mark.parametrize(
    "key", ["1" * 25, "-1", "0", "abc", "", None, "1.5", "null", True, 2**63, "١"]
)
def test_scoped_get_answers_not_found_for_a_key_that_cannot_be_one(network, key):
    with pytest.raises(NotFound) as missing:
        policy.scoped_get(OrgUnit.objects.all(), key, message="未找到该单位。")
    assert missing.value.message == "未找到该单位。"


def test_scoped_get_answers_the_same_for_outside_scope_and_missing(liaison_a, network):
    units = OrgUnit.objects.filter(policy.scope_q(liaison_a, NetworkPermission.VIEW, field=""))
    with pytest.raises(NotFound) as outside:
        policy.scoped_get(units, network.station_b.pk)
    with pytest.raises(NotFound) as missing:
        policy.scoped_get(units, 10**9)
    assert outside.value.message == missing.value.message == "未找到。"


def test_scoped_get_takes_uuid_keys(staff):
    from bangfu.core.models import Job

    job = Job.objects.create(kind="test", title="t", user=staff)
    assert policy.scoped_get(Job.objects.all(), str(job.pk)) == job
    with pytest.raises(NotFound):
        policy.scoped_get(Job.objects.all(), "not-a-uuid")


def test_require_unit_choice_refuses_a_chosen_unit_outside_the_scope_on_its_field(
    liaison_a, network
):
    policy.require_unit_choice(liaison_a, NetworkPermission.VIEW, network.point_a1)

    with pytest.raises(ValidationError) as outside:
        policy.require_unit_choice(
            liaison_a, NetworkPermission.VIEW, network.station_b, field="parent"
        )
    with pytest.raises(ValidationError) as none:
        policy.require_unit_choice(liaison_a, NetworkPermission.VIEW, None, message="请选择单位。")

    assert outside.value.errors == {"parent": "所选单位不在您的管理范围内。"}
    assert none.value.errors == {"unit": "请选择单位。"}


def test_scoped_get_reads_one_row_without_ordering(liaison_a, network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    units = OrgUnit.objects.filter(policy.scope_q(liaison_a, NetworkPermission.VIEW, field=""))
    with CaptureQueriesContext(connection) as captured:
        assert policy.scoped_get(units, network.station_a.pk) == network.station_a

    (sql,) = [q["sql"] for q in captured if "network_orgunit" in q["sql"]]
    assert "ORDER BY" not in sql
    assert "LIMIT 1" in sql
