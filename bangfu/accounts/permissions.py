from enum import StrEnum

from .policy import AUTHENTICATED, PUBLIC
from .roles import Role


class AccountsPermission(StrEnum):
    VIEW_USERS = "accounts.view_users"
    MANAGE_USERS = "accounts.manage_users"  # create, edit, deactivate accounts
    ASSIGN_ROLES = "accounts.assign_roles"
    UNLOCK = "accounts.unlock"  # unlock locked-out accounts
    RESET_PASSWORD = "accounts.reset_password"  # noqa: S105 - a permission name
    REVOKE_TOKENS = "accounts.revoke_tokens"
    USE_API = "accounts.use_api"  # hold API tokens, read the API documentation
    VIEW_CSP_REPORTS = "accounts.view_csp_reports"  # what the browsers' CSP blocked


ROLE_GRANTS = {
    # 三员分立: the system admin keeps the accounts, the security admin grants rights, unlocks
    # and ends tokens, the auditor only reads.
    Role.SYSTEM_ADMIN: {
        AccountsPermission.VIEW_USERS,
        AccountsPermission.MANAGE_USERS,
        AccountsPermission.USE_API,
    },
    Role.SECURITY_ADMIN: {
        AccountsPermission.VIEW_USERS,
        AccountsPermission.ASSIGN_ROLES,
        AccountsPermission.UNLOCK,
        AccountsPermission.RESET_PASSWORD,
        AccountsPermission.REVOKE_TOKENS,
        AccountsPermission.VIEW_CSP_REPORTS,
    },
    Role.AUDITOR: {AccountsPermission.VIEW_USERS},
    # The API is for the roles whose work has programs behind it: the system admin (accounts,
    # network), the centre's staff and leader, a station's liaison (the station's own tools).
    Role.STAFF: {AccountsPermission.USE_API},
    Role.LEADER: {AccountsPermission.USE_API},
    Role.LIAISON: {AccountsPermission.USE_API},
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
    "accounts:password_set": PUBLIC,  # a one-time code, not a log-in
    # 三员 account changes: every 三员 holds view_users; the services check "the other two".
    "accounts:change_propose": AccountsPermission.VIEW_USERS,
    "accounts:change_approve": AccountsPermission.VIEW_USERS,
    "accounts:change_reject": AccountsPermission.VIEW_USERS,
    "api:user_list": AccountsPermission.VIEW_USERS,
    "api:user_detail": AccountsPermission.VIEW_USERS,
    "api:user_create": AccountsPermission.MANAGE_USERS,
    "api:me": AUTHENTICATED,
    "api:token": PUBLIC,  # checks the password itself, through axes
    "api:token_logout": AUTHENTICATED,
    "api:token_logout_all": AUTHENTICATED,
    "accounts:csp_report": PUBLIC,  # browsers post reports, without a CSRF token
    "accounts:csp_report_list": AccountsPermission.VIEW_CSP_REPORTS,
    "accounts:token_list": AUTHENTICATED,
    "accounts:token_create": AccountsPermission.USE_API,
    "accounts:token_revoke": AUTHENTICATED,  # the service checks owner or security admin
    # The local CAPTCHA's picture and "another picture" (bangfu.accounts.captcha).
    "captcha-image": PUBLIC,
    "captcha-refresh": PUBLIC,
}
