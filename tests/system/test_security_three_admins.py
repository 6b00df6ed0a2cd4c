"""Duties kept apart (issue 12 items 7 and 8): no administrator changes a 三员 account alone —
one of the other two proposes, the third approves, both audited, or the server's command line
does it, audited; a password reset shows no reusable secret: the user sets the password with a
one-time code that is short-lived and single use."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts import services
from bangfu.accounts.models import AccountChange, PasswordTicket, RoleAssignment, User
from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = "Eigenes-Passwort-2026"


@pytest.fixture
def admins(network, sysadmin, security_admin):
    auditor = make_user((Role.AUDITOR, network.township), username="auditor3", full_name="审计")
    return sysadmin, security_admin, auditor


def _state() -> tuple:
    return (
        list(
            User.objects.order_by("pk").values_list(
                "username", "full_name", "is_active", "password"
            )
        ),
        list(RoleAssignment.objects.order_by("pk").values_list("user", "role", "unit")),
        AuditEvent.objects.count(),
    )


def _set_password(username: str, code: str, password: str = NEW):
    return services.password_set_with_code(username=username, code=code, new_password=password)


# --- No administrator alone ------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    ["edit", "deactivate", "reset", "grant", "revoke"],
)
def test_no_administrator_alone_changes_another_three_admins_account(admins, network, action):
    sysadmin, security, auditor = admins
    before = _state()
    calls = {
        "edit": lambda: services.user_update(
            actor=sysadmin,
            target=security,
            full_name="改名",
            phone="",
            email="",
            unit=network.township,
        ),
        "deactivate": lambda: services.user_set_active(
            actor=sysadmin, target=auditor, active=False
        ),
        "reset": lambda: services.password_reset(actor=security, target=sysadmin),
        "grant": lambda: services.role_assign(
            actor=security, target=auditor, role=Role.AUDITOR, unit=network.station_a
        ),
        "revoke": lambda: services.role_revoke(
            actor=security, assignment=auditor.role_assignments.get()
        ),
    }

    with pytest.raises(PermissionDenied) as refused:
        calls[action]()

    assert "须由另外两员中的一人提出、另一人批准,或在服务器命令行办理" in refused.value.message
    assert _state() == before


def test_a_security_admin_cannot_make_another_security_admin_alone(admins, staff, network):
    _sysadmin, security, _auditor = admins
    plain = make_user(username="plain", full_name="新人", unit=network.township)
    before = _state()

    with pytest.raises(PermissionDenied):
        services.role_assign(
            actor=security, target=plain, role=Role.SECURITY_ADMIN, unit=network.township
        )

    assert _state() == before


def test_the_pages_refuse_the_system_admins_edit_of_the_auditor(admins, client):
    sysadmin, _security, auditor = admins
    client.force_login(sysadmin)
    before = _state()

    page = client.get(reverse("accounts:user_detail", args=[auditor.pk])).content.decode()
    edit = client.post(
        reverse("accounts:user_update", args=[auditor.pk]),
        {"full_name": "改名", "unit": auditor.unit_id},
    )
    deactivate = client.post(reverse("accounts:user_deactivate", args=[auditor.pk]))

    assert reverse("accounts:user_update", args=[auditor.pk]) not in page
    assert 'data-testid="change-propose"' in page
    # A refusal for the actor's role is the 403 page with the reason (formkit.action_response).
    assert edit.status_code == 403 and "须由另外两员" in edit.content.decode()
    assert deactivate.status_code == 403 and "须由另外两员" in deactivate.content.decode()
    assert _state()[:2] == before[:2]


# --- One proposes, another approves ----------------------------------------------------------


def test_one_proposes_the_third_approves_and_both_are_audited(admins):
    sysadmin, security, auditor = admins

    change = services.account_change_propose(
        actor=sysadmin, target=auditor, kind="deactivate", payload={}
    )
    auditor.refresh_from_db()
    assert auditor.is_active  # nothing happens on a proposal
    with pytest.raises(PermissionDenied):
        services.account_change_approve(actor=sysadmin, change=change)
    services.account_change_approve(actor=security, change=change)

    auditor.refresh_from_db()
    assert not auditor.is_active
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (AccountChange.Status.APPROVED, security)
    actions = list(
        AuditEvent.objects.filter(action__startswith="accounts.change.")
        .order_by("seq")
        .values_list("action", "actor")
    )
    assert actions == [
        ("accounts.change.propose", sysadmin.pk),
        ("accounts.change.approve", security.pk),
    ]


def test_two_of_the_same_kind_are_not_two_persons(admins, network):
    sysadmin, _security, auditor = admins
    second_sysadmin = make_user((Role.SYSTEM_ADMIN, network.township), username="sysadmin2")
    change = services.account_change_propose(
        actor=sysadmin, target=auditor, kind="deactivate", payload={}
    )

    with pytest.raises(PermissionDenied):
        services.account_change_approve(actor=second_sysadmin, change=change)

    auditor.refresh_from_db()
    assert auditor.is_active


def test_the_target_and_a_business_role_take_no_part(admins, leader):
    sysadmin, security, auditor = admins

    with pytest.raises(PermissionDenied):
        services.account_change_propose(
            actor=auditor, target=auditor, kind="deactivate", payload={}
        )
    with pytest.raises(PermissionDenied):
        services.account_change_propose(actor=leader, target=auditor, kind="deactivate", payload={})
    change = services.account_change_propose(
        actor=sysadmin, target=security, kind="deactivate", payload={}
    )
    with pytest.raises(PermissionDenied):
        services.account_change_approve(actor=security, change=change)
    services.account_change_approve(actor=auditor, change=change)
    security.refresh_from_db()
    assert not security.is_active


def test_a_rejected_change_changes_nothing(admins):
    sysadmin, security, auditor = admins
    change = services.account_change_propose(
        actor=sysadmin, target=auditor, kind="deactivate", payload={}
    )

    services.account_change_reject(actor=security, change=change)

    auditor.refresh_from_db()
    assert auditor.is_active
    with pytest.raises(Conflict):
        services.account_change_approve(actor=security, change=change)


def test_granting_a_three_admins_role_takes_the_other_two(admins, network):
    sysadmin, security, auditor = admins
    plain = make_user(
        username="plain2", full_name="新安全员", unit=network.township, must_change_password=True
    )

    change = services.account_change_propose(
        actor=sysadmin,
        target=plain,
        kind="role_assign",
        payload={"role": Role.SECURITY_ADMIN, "unit_id": network.township.pk},
    )
    with pytest.raises(PermissionDenied):  # the security admin is "the one being made"
        services.account_change_approve(actor=security, change=change)
    services.account_change_approve(actor=auditor, change=change)

    assert plain.role_assignments.get().role == Role.SECURITY_ADMIN
    plain.refresh_from_db()
    assert not plain.has_usable_password()  # the admin-set initial password is void


def test_a_three_admins_password_reset_gives_the_approver_a_code_not_a_password(admins, client):
    sysadmin, security, auditor = admins
    change = services.account_change_propose(
        actor=security, target=sysadmin, kind="password_reset", payload={}
    )

    code = services.account_change_approve(actor=auditor, change=change)

    assert code and len(code) == 23
    _set_password("sysadmin", code)
    assert (
        Client().post("/accounts/login/", {"username": "sysadmin", "password": NEW}).status_code
        == 302
    )


def test_proposing_and_approving_through_the_pages(admins, client):
    sysadmin, security, auditor = admins
    client.force_login(sysadmin)

    proposed = client.post(
        reverse("accounts:change_propose", args=[auditor.pk]),
        {"kind": "update", "full_name": "新审计员", "unit": auditor.unit_id},
    )
    change = AccountChange.objects.get()
    other = Client()
    other.force_login(security)
    page = other.get(reverse("accounts:user_detail", args=[auditor.pk])).content.decode()
    approved = other.post(reverse("accounts:change_approve", args=[change.pk]))

    assert proposed.status_code == 302
    assert 'data-testid="change-table"' in page
    assert approved.status_code == 302
    auditor.refresh_from_db()
    assert auditor.full_name == "新审计员"


# --- The command line --------------------------------------------------------------------------


def test_the_command_line_resets_a_three_admins_password_audited(admins):
    out = StringIO()

    call_command("change_account", "security", "--reset-password", stdout=out)

    code = out.getvalue().rsplit(":", 1)[1].strip()
    _set_password("security", code)
    event = AuditEvent.objects.filter(action="accounts.change.command").latest("seq")
    assert event.actor is None
    assert "命令行" in event.summary
    assert code not in str(event.changes)


def test_the_command_line_deactivates_a_three_admins_account(admins):
    _sysadmin, _security, auditor = admins

    call_command("change_account", "auditor3", "--deactivate", stdout=StringIO())

    auditor.refresh_from_db()
    assert not auditor.is_active


# --- One-time codes -----------------------------------------------------------------------------


def test_a_leaders_reset_gives_a_code_that_works_once(security_admin, leader, password):
    code = services.password_reset(actor=security_admin, target=leader)

    leader.refresh_from_db()
    assert not leader.check_password(password)
    _set_password("leader", code)
    with pytest.raises(ValidationError) as again:
        _set_password("leader", code, "Noch-Ein-Passwort-1")

    assert again.value.message == "登录名或设置码不正确,或设置码已使用、已过期。"
    leader.refresh_from_db()
    assert leader.check_password(NEW)


def test_a_code_expires_after_the_set_time(security_admin, leader, settings):
    code = services.password_reset(actor=security_admin, target=leader)
    ticket = PasswordTicket.objects.get()
    assert abs(
        ticket.expires_at
        - (timezone.now() + timedelta(minutes=settings.BANGFU_PASSWORD_CODE_MINUTES))
    ) < timedelta(minutes=1)
    PasswordTicket.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(ValidationError):
        _set_password("leader", code)

    leader.refresh_from_db()
    assert not leader.has_usable_password()


def test_a_code_is_for_its_own_account_only(security_admin, leader, staff):
    code = services.password_reset(actor=security_admin, target=leader)

    with pytest.raises(ValidationError):
        _set_password("staff", code)


def test_a_new_code_voids_the_earlier_one(security_admin, leader):
    first = services.password_reset(actor=security_admin, target=leader)
    services.password_reset(actor=security_admin, target=leader)

    with pytest.raises(ValidationError):
        _set_password("leader", first)


def test_the_code_is_stored_only_as_a_digest(security_admin, leader):
    code = services.password_reset(actor=security_admin, target=leader)

    ticket = PasswordTicket.objects.get()
    assert code not in ticket.code_hash
    assert code.replace("-", "") not in ticket.code_hash


def test_granting_the_leader_role_voids_a_password_an_admin_set(security_admin, network):
    new_user, initial = services.user_create(
        actor=make_user((Role.SYSTEM_ADMIN, network.township), username="sys9"),
        username="newleader",
        full_name="新领导",
        unit=network.township,
    )

    services.role_assign(
        actor=security_admin, target=new_user, role=Role.LEADER, unit=network.township
    )

    new_user.refresh_from_db()
    assert not new_user.check_password(initial)
