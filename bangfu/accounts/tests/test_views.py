"""The account pages: log-in, lock-out, password change, session expiry, user management."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts import services
from bangfu.accounts.models import RoleAssignment, User
from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.accounts.views import ONE_TIME_PASSWORD_KEY
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
WRONG_LOGIN = "用户名或密码错误。"
LOCKED_TEXT = "已被锁定 15 分钟"


@pytest.fixture(autouse=True)
def _no_captcha(settings):
    """These tests are about the lock-out; the CAPTCHA after three failures has its own
    (tests/system/test_security_lockout.py)."""
    settings.BANGFU_LOGIN_CAPTCHA_AFTER = 100


def login(client, username: str, password: str, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def page_text(response) -> str:
    return response.content.decode()


def audit_count() -> int:
    return AuditEvent.objects.count()


# --- Log-in and log-out ---------------------------------------------------------------------


def test_login_page_is_a_centred_card_in_chinese(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert 'class="card shadow-sm bf-login-card"' in page_text(response)
    assert "用户名" in page_text(response)
    assert "密码" in page_text(response)


def test_correct_password_logs_in_and_opens_the_worklist(client, staff, password):
    response = login(client, "staff", password)

    assert response.status_code == 302
    assert response.url == reverse("workbench:worklist")
    assert client.session[SESSION_KEY] == str(staff.pk)
    assert AuditEvent.objects.filter(action="accounts.user.login", actor=staff).count() == 1


def test_login_honours_next(client, staff, password):
    response = login(client, "staff", password, next="/accounts/password/")

    assert response.url == "/accounts/password/"


def test_wrong_password_says_only_that_name_or_password_is_wrong(client, staff):
    response = login(client, "staff", "Wrong-Password-1")

    assert response.status_code == 200
    assert WRONG_LOGIN in page_text(response)
    assert SESSION_KEY not in client.session


def test_unknown_user_and_disabled_user_get_the_same_message(client, staff, password):
    staff.is_active = False
    staff.save(update_fields=["is_active"])

    unknown = login(client, "nobody", password)
    disabled = login(client, "staff", password)

    assert WRONG_LOGIN in page_text(unknown)
    assert WRONG_LOGIN in page_text(disabled)
    assert SESSION_KEY not in client.session


def test_empty_login_names_the_fields(client, network):
    response = login(client, "", "")

    assert "请填写用户名。" in page_text(response)
    assert "请填写密码。" in page_text(response)


def test_logout_is_post_only_and_ends_the_session(client, staff):
    client.force_login(staff)

    refused = client.get(reverse("accounts:logout"))
    assert refused.status_code == 405
    assert SESSION_KEY in client.session

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert SESSION_KEY not in client.session


# --- Lock-out -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, staff, password):
    for _ in range(4):
        response = login(client, "staff", "Wrong-Password-1")
        assert response.status_code == 200
        assert WRONG_LOGIN in page_text(response)

    fifth = login(client, "staff", "Wrong-Password-1")
    assert fifth.status_code == 429
    assert LOCKED_TEXT in page_text(fifth)
    assert "联系安全管理员" in page_text(fifth)

    right = login(client, "staff", password)
    assert right.status_code == 429
    assert LOCKED_TEXT in page_text(right)
    assert "Wrong-Password-1" not in page_text(right)
    assert password not in page_text(right)
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="accounts.user.lock_out").count() >= 1


def test_security_admin_unlock_lets_the_user_in_again(client, staff, security_admin, password):
    for _ in range(5):
        login(client, "staff", "Wrong-Password-1")
    assert login(client, "staff", password).status_code == 429

    cleared = services.user_unlock(actor=security_admin, target=staff)

    assert cleared == 1
    response = login(client, "staff", password)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_lock_shows_in_the_user_pages_and_the_unlock_button_clears_it(
    client, staff, security_admin, password
):
    for _ in range(5):
        login(client, "staff", "Wrong-Password-1")
    admin = Client()
    admin.force_login(security_admin)

    listing = admin.get(reverse("accounts:user_list"), {"q": "staff"})
    detail = admin.get(reverse("accounts:user_detail", args=[staff.pk]))
    assert 'data-testid="locked"' in page_text(listing)
    assert reverse("accounts:user_unlock", args=[staff.pk]) in page_text(detail)

    response = admin.post(reverse("accounts:user_unlock", args=[staff.pk]))

    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username="staff").count() == 0
    assert AuditEvent.objects.filter(action="accounts.user.unlock", actor=security_admin).exists()
    assert 'data-testid="locked"' not in page_text(admin.get(response["Location"]))
    assert login(client, "staff", password).status_code == 302


def test_lock_expires_after_the_cool_off(client, staff, password):
    for _ in range(5):
        login(client, "staff", "Wrong-Password-1")
    AccessAttempt.objects.filter(username="staff").update(
        attempt_time=timezone.now() - timedelta(minutes=16)
    )

    assert login(client, "staff", password).status_code == 302


# --- Forced password change -----------------------------------------------------------------


def test_new_user_must_change_the_password_then_reaches_the_worklist(client, sysadmin, network):
    new_user, initial = services.user_create(
        actor=sysadmin, username="zhangsan", full_name="张三", unit=network.station_a
    )
    assert new_user.must_change_password is True

    response = login(client, "zhangsan", initial)
    assert response.status_code == 302
    worklist = client.get(response.url)
    assert worklist.status_code == 302
    assert worklist.url == reverse("accounts:password_change")
    page = client.get(worklist.url)
    assert 'data-testid="forced-change"' in page_text(page)
    assert "请先修改密码" in page_text(page)

    changed = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": initial,
            "new_password1": "Qing-Shan-Lu-7",
            "new_password2": "Qing-Shan-Lu-7",
        },
    )

    assert changed.status_code == 302
    assert changed.url == reverse("workbench:worklist")
    assert client.get(reverse("workbench:worklist")).status_code == 200
    new_user.refresh_from_db()
    assert new_user.must_change_password is False
    assert new_user.password_changed_at is not None
    assert new_user.check_password("Qing-Shan-Lu-7")
    assert client.session[SESSION_KEY] == str(new_user.pk)
    assert AuditEvent.objects.filter(
        action="accounts.user.password_change", actor=new_user
    ).exists()


def test_voluntary_password_change_ends_on_the_done_page(client, staff, password):
    client.force_login(staff)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "Guo-Xy-2026!",
            "new_password2": "Guo-Xy-2026!",
        },
    )

    assert response.url == reverse("accounts:password_change_done")
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        ("Wrong-Old-123", "Guo-Xy-2026!", "Guo-Xy-2026!", "原密码输入错误"),
        (None, "Guo-Xy-2026!", "Guo-Xy-2026?", "两次输入的新密码不一致。"),
        (
            None,
            "abcdefghij",
            "abcdefghij",
            "密码须至少包含大写字母、小写字母、数字、符号中的 3 类。",
        ),
        (None, "Ab1-xyz", "Ab1-xyz", 'id="id_new_password2_error"'),
    ],
)
def test_refused_password_change_names_the_problem_and_changes_nothing(
    client, staff, password, old, new1, new2, message
):
    staff.must_change_password = True
    staff.save(update_fields=["must_change_password"])
    client.force_login(staff)
    events = audit_count()

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": old or password, "new_password1": new1, "new_password2": new2},
    )

    assert response.status_code == 400
    assert message in page_text(response)
    staff.refresh_from_db()
    assert staff.check_password(password)
    assert staff.must_change_password is True
    assert audit_count() == events


def test_same_password_again_is_refused_by_the_service(client, staff, password):
    client.force_login(staff)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": password, "new_password2": password},
    )

    assert "新密码不能与原密码相同。" in page_text(response)


# --- Session idle timeout -------------------------------------------------------------------


def test_sessions_expire_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_an_expired_session_leads_to_the_login_page(client, staff):
    client.force_login(staff)
    assert client.get(reverse("workbench:worklist")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("workbench:worklist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_each_request_moves_the_session_expiry_forward(client, staff):
    client.force_login(staff)
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(session_key=key).update(expire_date=soon)

    client.get(reverse("workbench:worklist"))

    assert Session.objects.get(session_key=key).expire_date > soon + timedelta(minutes=20)


# --- User list and detail -------------------------------------------------------------------


def test_user_list_shows_units_roles_and_status_within_scope(
    client, sysadmin, staff, liaison_a, network
):
    outsider = make_user((Role.STAFF, network.other_township), username="outsider")
    client.force_login(sysadmin)

    response = client.get(reverse("accounts:user_list"))

    text = page_text(response)
    assert response.status_code == 200
    assert "liaison_a" in text
    assert "响水社区帮扶站" in text
    assert "站联络员" in text
    assert outsider.username not in text


@pytest.mark.parametrize(
    ("query", "found"), [("郭相", "staff"), ("liaison_", "liaison_a"), ("4321", "staff")]
)
def test_user_list_searches_name_username_and_phone_tail(
    client, sysadmin, staff, liaison_a, query, found
):
    staff.phone = "13800004321"
    staff.save(update_fields=["phone"])
    client.force_login(sysadmin)

    response = client.get(reverse("accounts:user_list"), {"q": query})

    rows = [u.username for u in response.context["page"]]
    assert rows == [found]


def test_business_roles_cannot_open_the_user_pages(client, liaison_a, staff):
    client.force_login(liaison_a)

    response = client.get(reverse("accounts:user_list"))

    assert response.status_code == 403


def test_user_outside_the_scope_is_not_found(client, network, liaison_b):
    station_admin = make_user((Role.SECURITY_ADMIN, network.station_a), username="sa_a")
    client.force_login(station_admin)

    missing = client.get(reverse("accounts:user_detail", args=[liaison_b.pk]))
    absent = client.get(reverse("accounts:user_detail", args=[999999]))
    listing = client.get(reverse("accounts:user_list"))

    assert missing.status_code == 404
    assert absent.status_code == 404
    assert "liaison_b" not in page_text(listing)


def test_detail_offers_role_form_with_units_in_scope_only(client, security_admin, staff, network):
    client.force_login(security_admin)

    response = client.get(reverse("accounts:user_detail", args=[staff.pk]))

    units = list(response.context["assign_form"].fields["unit"].queryset)
    assert network.township in units
    assert network.point_a1 in units
    assert network.county not in units
    assert network.other_township not in units
    assert reverse("accounts:password_reset", args=[staff.pk]) in page_text(response)
    assert reverse("accounts:user_unlock", args=[staff.pk]) not in page_text(response)


# --- Creating and editing accounts ----------------------------------------------------------


def test_sysadmin_creates_a_user_and_sees_the_password_once(client, sysadmin, network):
    client.force_login(sysadmin)

    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "lisi",
            "full_name": "李四",
            "phone": "13900001111",
            "email": "",
            "unit": network.station_a.pk,
        },
    )

    created = User.objects.get(username="lisi")
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[created.pk])
    assert created.unit == network.station_a
    assert created.must_change_password is True
    first = client.get(response.url)
    shown = first.context["one_time_password"]
    assert created.check_password(shown)
    assert 'data-testid="one-time-password"' in page_text(first)
    assert "no-store" in first["Cache-Control"]
    assert ONE_TIME_PASSWORD_KEY not in client.session
    second = client.get(response.url)
    assert second.context["one_time_password"] is None
    assert shown not in page_text(second)
    event = AuditEvent.objects.get(action="accounts.user.create")
    assert shown not in str(event.changes)


def test_create_with_a_unit_outside_scope_is_refused(client, sysadmin, network):
    client.force_login(sysadmin)
    events = audit_count()

    response = client.post(
        reverse("accounts:user_create"),
        {"username": "lisi", "full_name": "李四", "unit": network.other_township.pk},
    )

    assert response.status_code == 400
    assert "所选单位不在您的管理范围内。" in page_text(response)
    assert 'value="lisi"' in page_text(response)
    assert not User.objects.filter(username="lisi").exists()
    assert audit_count() == events


def test_create_with_a_taken_username_names_the_field(client, sysadmin, staff, network):
    client.force_login(sysadmin)
    events = audit_count()

    response = client.post(
        reverse("accounts:user_create"),
        {"username": "STAFF", "full_name": "重名", "unit": network.township.pk},
    )

    assert "登录名“STAFF”已被使用。" in page_text(response)
    assert User.objects.filter(username__iexact="staff").count() == 1
    assert audit_count() == events


def test_security_admin_cannot_create_accounts(client, security_admin):
    client.force_login(security_admin)

    assert client.get(reverse("accounts:user_create")).status_code == 403


def test_sysadmin_edits_a_user(client, sysadmin, staff, network):
    client.force_login(sysadmin)

    response = client.post(
        reverse("accounts:user_update", args=[staff.pk]),
        {"full_name": "郭相妍", "phone": "13700000000", "email": "", "unit": network.station_b.pk},
    )

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.unit == network.station_b
    assert staff.phone == "13700000000"
    event = AuditEvent.objects.get(action="accounts.user.update")
    assert "13700000000" not in str(event.changes)


def test_deactivate_and_activate(client, sysadmin, staff, password):
    client.force_login(sysadmin)

    client.post(reverse("accounts:user_deactivate", args=[staff.pk]))
    staff.refresh_from_db()
    assert staff.is_active is False
    assert WRONG_LOGIN in page_text(login(Client(), "staff", password))

    client.post(reverse("accounts:user_activate", args=[staff.pk]))
    staff.refresh_from_db()
    assert staff.is_active is True


def test_deactivate_needs_post(client, sysadmin, staff):
    client.force_login(sysadmin)

    response = client.get(reverse("accounts:user_deactivate", args=[staff.pk]))

    assert response.status_code == 405
    staff.refresh_from_db()
    assert staff.is_active is True


def test_deactivating_oneself_is_refused(client, sysadmin):
    client.force_login(sysadmin)
    events = audit_count()

    response = client.post(reverse("accounts:user_deactivate", args=[sysadmin.pk]), follow=True)

    assert "不能停用自己的账号。" in page_text(response)
    sysadmin.refresh_from_db()
    assert sysadmin.is_active is True
    assert audit_count() == events


# --- Roles ----------------------------------------------------------------------------------


def test_security_admin_assigns_and_revokes_a_role(client, security_admin, staff, network):
    client.force_login(security_admin)

    response = client.post(
        reverse("accounts:role_assign", args=[staff.pk]),
        {"role": Role.FINANCE, "unit": network.station_a.pk},
    )

    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=staff, role=Role.FINANCE)
    assert assignment.unit == network.station_a
    assert assignment.granted_by == security_admin

    response = client.post(reverse("accounts:role_revoke", args=[staff.pk, assignment.pk]))

    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=staff, role=Role.FINANCE).exists()
    assert AuditEvent.objects.filter(action="accounts.role.revoke").count() == 1


@pytest.mark.parametrize(
    ("role", "unit_name", "message", "status"),
    [
        # Granting a 三员 role is not the actor's to do alone: refused as not allowed (403).
        (
            Role.AUDITOR,
            "township",
            "三员(系统管理员、安全管理员、审计员)账号的变更须由另外两员",
            403,
        ),
        (Role.SUPERVISOR, "township", "“监督(纪检/审计)”与该用户已有的角色(专职工作人员)互斥", 400),
        (Role.STAFF, "other_township", "所选单位不在您的管理范围内。", 400),
        (Role.STAFF, "township", "该用户已在此单位拥有该角色。", 400),
    ],
)
def test_refused_role_assignment_says_why_and_changes_nothing(
    client, security_admin, staff, network, role, unit_name, message, status
):
    client.force_login(security_admin)
    before = list(RoleAssignment.objects.values_list("user", "role", "unit").order_by("pk"))
    events = audit_count()

    response = client.post(
        reverse("accounts:role_assign", args=[staff.pk]),
        {"role": role, "unit": getattr(network, unit_name).pk},
    )

    assert response.status_code == status
    assert message in page_text(response)
    assert list(RoleAssignment.objects.values_list("user", "role", "unit").order_by("pk")) == before
    assert audit_count() == events


def test_assigning_a_role_to_oneself_is_refused(client, security_admin, network):
    client.force_login(security_admin)
    events = audit_count()

    response = client.post(
        reverse("accounts:role_assign", args=[security_admin.pk]),
        {"role": Role.SECURITY_ADMIN, "unit": network.station_a.pk},
    )

    assert response.status_code == 403
    assert "不能给自己授予角色。" in page_text(response)
    assert RoleAssignment.objects.filter(user=security_admin).count() == 1
    assert audit_count() == events


def test_revoking_outside_the_scope_is_not_found(client, network):
    station_admin = make_user((Role.SECURITY_ADMIN, network.station_a), username="sa_a")
    target = make_user(
        (Role.LIAISON, network.point_a1), (Role.STAFF, network.township), username="mixed"
    )
    township_role = RoleAssignment.objects.get(user=target, role=Role.STAFF)
    client.force_login(station_admin)

    response = client.post(reverse("accounts:role_revoke", args=[target.pk, township_role.pk]))

    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=township_role.pk).exists()


def test_sysadmin_cannot_assign_roles(client, sysadmin, staff, network):
    client.force_login(sysadmin)

    response = client.post(
        reverse("accounts:role_assign", args=[staff.pk]),
        {"role": Role.FINANCE, "unit": network.township.pk},
    )

    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=staff, role=Role.FINANCE).exists()


# --- Password reset -------------------------------------------------------------------------


def test_password_reset_shows_a_one_time_code_once_and_no_password(
    client, security_admin, staff, password
):
    client.force_login(security_admin)

    response = client.post(reverse("accounts:password_reset", args=[staff.pk]))

    assert response.status_code == 302
    page = client.get(response.url)
    code = page.context["one_time_code"]
    assert page.context["one_time_password"] is None
    staff.refresh_from_db()
    assert not staff.check_password(password)
    assert client.get(response.url).context["one_time_code"] is None
    # the user sets their own password with the code, and logs in with it
    user_client = Client()
    done = user_client.post(
        reverse("accounts:password_set"),
        {
            "username": "staff",
            "code": code.lower().replace("-", " "),
            "new_password1": "Mein-Neues-2026",
            "new_password2": "Mein-Neues-2026",
        },
    )
    assert done["Location"] == reverse("accounts:login")
    assert login(user_client, "staff", "Mein-Neues-2026").status_code == 302
    assert user_client.get(reverse("workbench:worklist")).status_code == 200


def test_password_reset_of_oneself_is_refused(client, security_admin, password):
    client.force_login(security_admin)
    events = audit_count()

    response = client.post(
        reverse("accounts:password_reset", args=[security_admin.pk]), follow=True
    )

    assert "请通过“修改密码”修改自己的密码。" in page_text(response)
    security_admin.refresh_from_db()
    assert security_admin.check_password(password)
    assert audit_count() == events
