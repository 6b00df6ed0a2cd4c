from enum import StrEnum

from bangfu.accounts.policy import AUTHENTICATED, PUBLIC
from bangfu.accounts.roles import Role


class WorkbenchPermission(StrEnum):
    VIEW_AUDIT = "workbench.view_audit"
    VIEW_ACCESS_LOG = "workbench.view_access_log"
    VERIFY_AUDIT = "workbench.verify_audit"
    MANAGE_CALENDAR = "workbench.manage_calendar"


ROLE_GRANTS = {
    Role.AUDITOR: {
        WorkbenchPermission.VIEW_AUDIT,
        WorkbenchPermission.VIEW_ACCESS_LOG,
        WorkbenchPermission.VERIFY_AUDIT,
    },
    Role.SECURITY_ADMIN: {WorkbenchPermission.VIEW_ACCESS_LOG},
    Role.SYSTEM_ADMIN: {WorkbenchPermission.MANAGE_CALENDAR},
}

URL_PERMISSIONS = {
    "workbench:home": PUBLIC,
    "workbench:set_language": PUBLIC,
    "workbench:worklist": AUTHENTICATED,
    # Answers 401 itself when the session has ended, for the page's script to tell.
    "workbench:session_keepalive": PUBLIC,
    "workbench:job_detail": AUTHENTICATED,
    "workbench:job_progress": AUTHENTICATED,
    "workbench:audit_list": WorkbenchPermission.VIEW_AUDIT,
    "workbench:audit_detail": WorkbenchPermission.VIEW_AUDIT,
    "workbench:audit_verify": WorkbenchPermission.VERIFY_AUDIT,
    "workbench:access_log": WorkbenchPermission.VIEW_ACCESS_LOG,
    "workbench:calendar": WorkbenchPermission.MANAGE_CALENDAR,
    "workbench:calendar_day_create": WorkbenchPermission.MANAGE_CALENDAR,
    "workbench:calendar_range_create": WorkbenchPermission.MANAGE_CALENDAR,
    "workbench:calendar_day_delete": WorkbenchPermission.MANAGE_CALENDAR,
    "workbench:calendar_confirm": WorkbenchPermission.MANAGE_CALENDAR,
    "workbench:calendar_prefill": WorkbenchPermission.MANAGE_CALENDAR,
    "workbench:calendar_confirmation": WorkbenchPermission.MANAGE_CALENDAR,
    # The API documentation only for the roles that use the API (issue 11, "Words").
    "api:schema": "accounts.use_api",
    "api:docs": "accounts.use_api",
}
