"""Writes of accounts and roles: the rules they apply and what a refusal leaves behind."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation

from bangfu.accounts import services
from bangfu.accounts.models import RoleAssignment, User
from bangfu.accounts.roles import ADMIN_ROLES, BUSINESS_ROLES, Role
from bangfu.accounts.tests.factories import make_user
from bangfu.accounts.validators import CharacterClassValidator, MinimumLengthValidator
from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def assignments() -> list[tuple[int, str, int]]:
    return list(RoleAssignment.objects.values_list("user", "role", "unit").order_by("pk"))


# --- Password policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "code"),
    [
        ("abcdefghij", "password_too_simple"),
        ("Abcdefg12", "password_too_short"),
        ("ABCDEFGHIJ12", "password_too_simple"),
        ("1234567890", "password_too_simple"),
    ],
)
def test_password_policy_refuses(candidate, code):
    with pytest.raises(DjangoValidationError) as caught:
        password_validation.validate_password(candidate)

    assert code in {error.code for error in caught.value.error_list}


def test_character_class_rule_names_the_classes():
    with translation.override("zh-hans"), pytest.raises(DjangoValidationError) as caught:
        CharacterClassValidator(min_classes=3).validate("abcdefghij")

    assert caught.value.messages == ["密码须至少包含大写字母、小写字母、数字、符号中的 3 类。"]


def test_length_rule_speaks_chinese():
    with translation.override("zh-hans"), pytest.raises(DjangoValidationError) as caught:
        MinimumLengthValidator(min_length=10).validate("Abcdefg12")

    assert caught.value.messages == ["密码太短,至少须有 10 个字符。"]
    MinimumLengthValidator(min_length=10).validate("Abcdefgh12")  # raises if refused


@pytest.mark.parametrize("candidate", ["Abcdefgh12", "abcdefgh1!", "QWERTYui-z"])
def test_password_policy_accepts_ten_characters_of_three_classes(candidate):
    password_validation.validate_password(candidate)  # raises if refused


def test_generated_passwords_meet_the_policy():
    for _ in range(20):
        password_validation.validate_password(services.generate_password())


# --- Creating and changing accounts ---------------------------------------------------------


def test_user_create_makes_an_account_that_must_change_its_password(sysadmin, network):
    user, password = services.user_create(
        actor=sysadmin,
        username=" zhaoliu ",
        full_name="赵六",
        unit=network.station_a,
        phone="13812345678",
    )

    user.refresh_from_db()
    assert user.username == "zhaoliu"
    assert user.unit == network.station_a
    assert user.must_change_password is True
    assert user.check_password(password)
    event = AuditEvent.objects.get(action="accounts.user.create")
    assert event.actor == sysadmin
    assert password not in str(event.changes)
    assert "13812345678" not in str(event.changes)


def test_user_create_outside_scope_writes_nothing(sysadmin, network):
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.user_create(
            actor=sysadmin, username="zhaoliu", full_name="赵六", unit=network.other_township
        )

    assert caught.value.errors == {"unit": "所选单位不在您的管理范围内。"}
    assert not User.objects.filter(username="zhaoliu").exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("actor_name", ["security_admin", "auditor", "staff"])
def test_only_the_system_admin_creates_accounts(request, network, actor_name):
    actor = request.getfixturevalue(actor_name)

    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=actor, username="zhaoliu", full_name="赵六", unit=network.station_a
        )

    assert not User.objects.filter(username="zhaoliu").exists()


def test_password_change_clears_the_first_login_flag(staff):
    staff.must_change_password = True
    staff.save(update_fields=["must_change_password"])

    services.password_change(user=staff, new_password="Hu-Nan-Xiang-9")

    staff.refresh_from_db()
    assert staff.must_change_password is False
    assert staff.check_password("Hu-Nan-Xiang-9")
    assert (
        AuditEvent.objects.filter(
            action="accounts.user.password_change", actor=staff, object_id=str(staff.pk)
        ).count()
        == 1
    )


def test_password_change_refuses_a_weak_password_and_changes_nothing(staff, password):
    staff.must_change_password = True
    staff.save(update_fields=["must_change_password"])
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.password_change(user=staff, new_password="abcdefghij")

    assert caught.value.field == "new_password1"
    staff.refresh_from_db()
    assert staff.check_password(password)
    assert staff.must_change_password is True
    assert AuditEvent.objects.count() == events


def test_password_reset_ends_the_password_and_gives_a_one_time_code(
    security_admin, staff, password
):
    code = services.password_reset(actor=security_admin, target=staff)

    staff.refresh_from_db()
    assert not staff.has_usable_password()
    assert not staff.check_password(password)
    assert len(code) == 23 and code.count("-") == 3
    event = AuditEvent.objects.get(action="accounts.user.password_reset")
    assert code not in str(event.changes)


def test_system_admin_cannot_reset_passwords(sysadmin, staff, password):
    with pytest.raises(PermissionDenied):
        services.password_reset(actor=sysadmin, target=staff)

    staff.refresh_from_db()
    assert staff.check_password(password)


def test_system_admin_cannot_unlock(sysadmin, staff):
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.user_unlock(actor=sysadmin, target=staff)

    assert AuditEvent.objects.count() == events


def test_deactivating_oneself_is_a_conflict(sysadmin):
    with pytest.raises(Conflict):
        services.user_set_active(actor=sysadmin, target=sysadmin, active=False)

    sysadmin.refresh_from_db()
    assert sysadmin.is_active is True


# --- Roles: 三员分立 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "wanted"),
    [
        *itertools.product(sorted(ADMIN_ROLES), sorted(BUSINESS_ROLES)),
        *itertools.product(sorted(BUSINESS_ROLES), sorted(ADMIN_ROLES)),
        *itertools.permutations(sorted(ADMIN_ROLES), 2),
    ],
)
def test_admin_roles_exclude_each_other_and_every_business_role(
    security_admin, network, held, wanted
):
    target = make_user((held, network.station_a), username="target")
    before = assignments()
    events = AuditEvent.objects.count()

    # (the command line: in the pages, a 三员 grant takes two administrators first)
    with pytest.raises(ValidationError) as caught:
        services.account_change_by_command(
            target=target,
            kind="role_assign",
            payload={"role": wanted, "unit_id": network.point_a1.pk},
            os_user="test",
        )

    assert caught.value.field == "role"
    assert f"“{Role(wanted).label}”与该用户已有的角色({Role(held).label})互斥" in (
        caught.value.message
    )
    assert assignments() == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("held", "wanted"), [(Role.STAFF, Role.FINANCE), (Role.LIAISON, Role.LAWYER)]
)
def test_business_roles_combine(security_admin, network, held, wanted):
    target = make_user((held, network.station_a), username="target")

    assignment = services.role_assign(
        actor=security_admin, target=target, role=wanted, unit=network.station_a
    )

    assert assignment.granted_by == security_admin
    assert set(target.role_assignments.values_list("role", flat=True)) == {held, wanted}
    event = AuditEvent.objects.get(action="accounts.role.assign")
    assert event.changes == {"role": [None, wanted], "unit": [None, network.station_a.pk]}


def test_role_assign_to_oneself_is_refused(security_admin, network):
    before = assignments()

    with pytest.raises(PermissionDenied):
        services.role_assign(
            actor=security_admin, target=security_admin, role=Role.AUDITOR, unit=network.station_a
        )

    assert assignments() == before


def test_role_assign_outside_scope_is_refused(security_admin, staff, network):
    before = assignments()

    with pytest.raises(ValidationError) as caught:
        services.role_assign(
            actor=security_admin, target=staff, role=Role.FINANCE, unit=network.other_township
        )

    assert caught.value.errors == {"unit": "所选单位不在您的管理范围内。"}
    assert assignments() == before


def test_role_assign_to_a_disabled_account_is_a_conflict(security_admin, staff, network):
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    before = assignments()

    with pytest.raises(Conflict):
        services.role_assign(
            actor=security_admin, target=staff, role=Role.FINANCE, unit=network.station_a
        )

    assert assignments() == before


@pytest.mark.parametrize("actor_name", ["sysadmin", "auditor", "leader"])
def test_only_the_security_admin_assigns_roles(request, staff, network, actor_name):
    actor = request.getfixturevalue(actor_name)
    before = assignments()

    with pytest.raises(PermissionDenied):
        services.role_assign(actor=actor, target=staff, role=Role.FINANCE, unit=network.station_a)

    assert assignments() == before


def test_role_revoke_removes_the_grant(security_admin, staff):
    assignment = staff.role_assignments.get()

    services.role_revoke(actor=security_admin, assignment=assignment)

    assert not staff.role_assignments.exists()
    assert AuditEvent.objects.filter(action="accounts.role.revoke").count() == 1


def test_role_revoke_of_ones_own_role_is_refused(security_admin):
    assignment = security_admin.role_assignments.get()

    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=security_admin, assignment=assignment)

    assert security_admin.role_assignments.count() == 1


def test_services_refuse_a_target_account_outside_the_actors_scope(network):
    """Given a security admin of station A and an account of station B, when the admin calls
    the services directly (as the API or a later context might), then each answers "not found"
    and nothing changes."""
    admin = make_user((Role.SYSTEM_ADMIN, network.station_a), username="admin_a")
    security = make_user((Role.SECURITY_ADMIN, network.station_a), username="security_a")
    target = make_user((Role.LIAISON, network.station_b), username="liaison_b2")
    before = (User.objects.get(pk=target.pk).password, AuditEvent.objects.count())

    calls = [
        lambda: services.user_update(
            actor=admin, target=target, full_name="改名", phone="", email="", unit=network.station_a
        ),
        lambda: services.user_set_active(actor=admin, target=target, active=False),
        lambda: services.role_assign(
            actor=security, target=target, role=Role.STAFF, unit=network.station_a
        ),
        lambda: services.user_unlock(actor=security, target=target),
        lambda: services.password_reset(actor=security, target=target),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()

    target.refresh_from_db()
    assert (target.full_name, target.is_active, target.unit_id) == (
        "测试用户",
        True,
        network.station_b.pk,
    )
    assert (target.password, AuditEvent.objects.count()) == before
    assert list(target.role_assignments.values_list("role", flat=True)) == [Role.LIAISON]
