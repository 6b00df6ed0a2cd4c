"""The accounts API: users, the caller, and tokens (through axes)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from bangfu.accounts.models import ApiToken, User
from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def obtain(username: str, password: str):
    return APIClient().post(
        reverse("api:token"), {"username": username, "password": password}, format="json"
    )


# --- token ---------------------------------------------------------------------------------------


def test_a_token_is_issued_for_the_right_password_and_works(network, liaison_a, password):
    events = AuditEvent.objects.count()

    response = obtain("liaison_a", password)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = response.json()["token"]
    stored = ApiToken.objects.get(user=liaison_a)
    assert key.startswith(stored.token_key) and stored.digest != key  # only a digest is kept
    assert AuditEvent.objects.count() == events + 2
    assert list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2]) == [
        "accounts.user.login",
        "accounts.token.create",
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = client.get(reverse("api:me"))
    assert me.status_code == 200
    assert me.json()["username"] == "liaison_a"


def test_asking_again_gives_a_second_token_beside_the_first(network, liaison_a, password):
    first = obtain("liaison_a", password).json()["token"]
    second = obtain("liaison_a", password).json()["token"]

    assert first != second
    assert ApiToken.objects.filter(user=liaison_a).count() == 2


def test_a_wrong_password_gets_no_token_and_counts_as_a_failed_log_in(network, liaison_a):
    response = obtain("liaison_a", "not-the-password")

    assert response.status_code == 400
    assert response.json() == {"detail": "登录名或密码不正确。", "errors": {}}
    assert not ApiToken.objects.exists()
    assert AccessAttempt.objects.get(username="liaison_a").failures_since_start == 1
    assert AuditEvent.objects.latest("seq").action == "accounts.user.login_fail"


def test_repeated_failures_lock_the_account_also_for_the_right_password(
    network, liaison_a, password, settings
):
    settings.AXES_FAILURE_LIMIT = 3

    settings.BANGFU_LOGIN_CAPTCHA_AFTER = 10

    failures = [obtain("liaison_a", "wrong-password").status_code for _ in range(3)]
    after = obtain("liaison_a", password)

    assert failures == [400, 400, 429]
    assert after.status_code == 429
    assert after.json() == {
        "detail": "该账号在本机连续 3 次登录失败,已被锁定 15 分钟。"
        "请稍后再试,或联系安全管理员解锁;其他电脑不受影响。"
    }
    assert not ApiToken.objects.exists()


def test_a_user_who_must_change_the_password_gets_no_token(network, password):
    make_user((Role.STAFF, network.township), username="fresh", must_change_password=True)

    response = obtain("fresh", password)

    assert response.status_code == 403
    assert response.json() == {"detail": "请先在网页上修改初始密码。"}
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(network, password):
    make_user((Role.STAFF, network.township), username="gone", is_active=False)

    response = obtain("gone", password)

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_request_names_missing_fields(network):
    response = APIClient().post(reverse("api:token"), {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "username": "“登录名”:该字段是必填项。",
        "password": "“密码”:该字段是必填项。",
    }


# --- me ------------------------------------------------------------------------------------------


def test_me_shows_roles_permissions_and_scope(network, liaison_a):
    response = client_for(liaison_a).get(reverse("api:me"))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "liaison_a"
    assert body["full_name"] == "李联络"
    assert [(r["role"], r["role_label"], r["unit"]["name"]) for r in body["roles"]] == [
        ("liaison", "站联络员", "响水社区帮扶站")
    ]
    assert body["scope"] == [{"id": network.station_a.pk, "name": "响水社区帮扶站"}]
    assert "network.view" in body["permissions"]
    assert "network.manage" not in body["permissions"]
    assert "password" not in body


def test_me_scope_keeps_only_the_top_units(network):
    user = make_user(
        (Role.STAFF, network.township), (Role.FINANCE, network.station_a), username="two_roles"
    )

    response = client_for(user).get(reverse("api:me"))

    assert response.json()["scope"] == [
        {"id": network.township.pk, "name": "响水乡职工服务(帮扶)中心"}
    ]


def test_me_needs_a_log_in(network):
    response = APIClient().get(reverse("api:me"))

    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "身份认证信息未提供。"}


def test_me_refuses_a_user_who_must_change_the_password(network):
    fresh = make_user((Role.STAFF, network.township), username="fresh", must_change_password=True)

    response = client_for(fresh).get(reverse("api:me"))

    assert response.status_code == 403
    assert response.json() == {"detail": "请先在网页上修改初始密码。"}


# --- users ---------------------------------------------------------------------------------------


def test_user_list_masks_phones_and_never_shows_passwords(network, sysadmin, liaison_a):
    liaison_a.phone = "13812345678"
    liaison_a.save()

    response = client_for(sysadmin).get(reverse("api:user_list"), {"q": "liaison_a"})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row == {
        "id": liaison_a.pk,
        "username": "liaison_a",
        "full_name": "李联络",
        "phone": "138****5678",
        "unit": {"id": network.station_a.pk, "name": "响水社区帮扶站"},
        "is_active": True,
        "roles": [
            {
                "id": liaison_a.role_assignments.get().pk,
                "role": "liaison",
                "role_label": "站联络员",
                "unit": {"id": network.station_a.pk, "name": "响水社区帮扶站"},
            }
        ],
    }
    assert "md5$" not in response.content.decode()


def test_user_list_is_scoped_to_the_admins_units(network, sysadmin, liaison_a, auditor):
    response = client_for(sysadmin).get(reverse("api:user_list"))

    usernames = [row["username"] for row in response.json()["results"]]
    # The auditor's home unit is the county centre, above the sysadmin's township.
    assert "auditor" not in usernames
    assert "liaison_a" in usernames
    assert "sysadmin" in usernames


def test_user_list_can_leave_out_inactive_accounts(network, sysadmin):
    make_user((Role.STAFF, network.township), username="gone", is_active=False)
    client = client_for(sysadmin)

    everyone = client.get(reverse("api:user_list"), {"q": "gone"})
    active = client.get(reverse("api:user_list"), {"q": "gone", "active": "true"})

    assert everyone.json()["count"] == 1
    assert active.json()["count"] == 0


def test_a_liaison_may_not_list_users(network, liaison_a):
    response = client_for(liaison_a).get(reverse("api:user_list"))

    assert response.status_code == 403
    assert response.json() == {"detail": "您没有执行此操作的权限。"}


def test_user_detail_shows_roles_with_units(network, security_admin, staff):
    staff.phone = "13812345678"
    staff.save()

    response = client_for(security_admin).get(reverse("api:user_detail", args=[staff.pk]))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "staff"
    assert body["phone"] == "13812345678"
    assert body["must_change_password"] is False
    assert body["roles"] == [
        {
            "id": staff.role_assignments.get().pk,
            "role": "staff",
            "role_label": "专职工作人员",
            "unit": {"id": network.township.pk, "name": "响水乡职工服务(帮扶)中心"},
        }
    ]
    assert "password" not in body


def test_user_detail_outside_the_scope_is_404_like_a_missing_one(network, sysadmin):
    elsewhere = make_user((Role.STAFF, network.other_township), username="elsewhere")
    client = client_for(sysadmin)

    outside = client.get(reverse("api:user_detail", args=[elsewhere.pk]))
    missing = client.get(reverse("api:user_detail", args=[999999]))

    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json() == {"detail": "未找到。"}


def test_sysadmin_creates_a_user_and_gets_the_initial_password_once(network, sysadmin):
    events = AuditEvent.objects.count()

    response = client_for(sysadmin).post(
        reverse("api:user_create"),
        {
            "username": "zhangsan",
            "full_name": "张三",
            "unit": network.station_b.pk,
            "phone": "13900001111",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    created = User.objects.get(username="zhangsan")
    assert body["id"] == created.pk
    assert body["unit"] == {"id": network.station_b.pk, "name": "金霞社区帮扶站"}
    assert body["must_change_password"] is True
    assert body["roles"] == []
    assert created.check_password(body["initial_password"])
    assert created.must_change_password is True
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("seq").action == "accounts.user.create"
    detail = client_for(sysadmin).get(reverse("api:user_detail", args=[created.pk])).json()
    assert "initial_password" not in detail


def test_a_duplicate_user_name_is_refused_and_nothing_is_created(network, sysadmin, staff):
    users, events = User.objects.count(), AuditEvent.objects.count()

    response = client_for(sysadmin).post(
        reverse("api:user_create"),
        {"username": "STAFF", "full_name": "重名", "unit": network.township.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "登录名“STAFF”已被使用。",
        "errors": {"username": "登录名“STAFF”已被使用。"},
    }
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events


def test_a_unit_outside_the_scope_reads_like_a_missing_one(network, sysadmin):
    users = User.objects.count()
    payload = {"username": "lisi", "full_name": "李四"}
    client = client_for(sysadmin)

    outside = client.post(
        reverse("api:user_create"), {**payload, "unit": network.county.pk}, format="json"
    )
    missing = client.post(reverse("api:user_create"), {**payload, "unit": 999999}, format="json")

    assert outside.status_code == missing.status_code == 400
    assert (
        outside.json()
        == missing.json()
        == {
            "detail": "未找到所选单位。",
            "errors": {"unit": "未找到所选单位。"},
        }
    )
    assert User.objects.count() == users


def test_a_bad_user_name_is_refused_naming_the_field(network, sysadmin):
    response = client_for(sysadmin).post(
        reverse("api:user_create"),
        {"username": "张 三/1", "full_name": "张三", "unit": network.township.pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["username"]
    assert response.json()["detail"].startswith("“登录名”:")
    assert not User.objects.filter(full_name="张三").exists()


def test_only_the_system_admin_creates_users(network, security_admin):
    users = User.objects.count()

    response = client_for(security_admin).post(
        reverse("api:user_create"),
        {"username": "lisi", "full_name": "李四", "unit": network.township.pk},
        format="json",
    )

    assert response.status_code == 403
    assert User.objects.count() == users
