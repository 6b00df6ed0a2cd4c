from enum import StrEnum

from .policy import AUTHENTICATED, PUBLIC
from .roles import Role


class AccountsPermission(StrEnum):
    VIEW_USERS = "accounts.view_users"
    MANAGE_USERS = "accounts.manage_users"  # create, edit, deactivate accounts
    ASSIGN_ROLES = "accounts.assign_roles"
    UNLOCK = "accounts.unlock"  # unlock locked-out accounts
    RESET_PASSWORD = "accounts.reset_password"  # noqa: S105 - a permission name


ROLE_GRANTS = {
    # 三员分立: the system admin keeps the accounts, the security admin grants rights and
    # unlocks, the auditor only reads.
    Role.SYSTEM_ADMIN: {AccountsPermission.VIEW_USERS, AccountsPermission.MANAGE_USERS},
    Role.SECURITY_ADMIN: {
        AccountsPermission.VIEW_USERS,
        AccountsPermission.ASSIGN_ROLES,
        AccountsPermission.UNLOCK,
        AccountsPermission.RESET_PASSWORD,
    },
    Role.AUDITOR: {AccountsPermission.VIEW_USERS},
}

URL_PERMISSIONS = {
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password_change": AUTHENTICATED,
    "accounts:password_change_done": AUTHENTICATED,
    "accounts:user_list": AccountsPermission.VIEW_USERS,
    "accounts:user_detail": AccountsPermission.VIEW_USERS,
    "accounts:user_create": AccountsPermission.MANAGE_USERS,
    "accounts:user_update": AccountsPermission.MANAGE_USERS,
    "accounts:user_deactivate": AccountsPermission.MANAGE_USERS,
    "accounts:user_activate": AccountsPermission.MANAGE_USERS,
    "accounts:role_assign": AccountsPermission.ASSIGN_ROLES,
    "accounts:role_revoke": AccountsPermission.ASSIGN_ROLES,
    "accounts:user_unlock": AccountsPermission.UNLOCK,
    "accounts:password_reset": AccountsPermission.RESET_PASSWORD,
    "api:user_list": AccountsPermission.VIEW_USERS,
    "api:user_detail": AccountsPermission.VIEW_USERS,
    "api:user_create": AccountsPermission.MANAGE_USERS,
    "api:me": AUTHENTICATED,
    "api:token": PUBLIC,  # checks the password itself, through axes
}
