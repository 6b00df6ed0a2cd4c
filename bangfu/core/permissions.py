from enum import StrEnum

from bangfu.accounts.policy import AUTHENTICATED, PUBLIC
from bangfu.accounts.roles import Role


class CorePermission(StrEnum):
    VIEW_AUDIT = "core.view_audit"
    VIEW_ACCESS_LOG = "core.view_access_log"
    VERIFY_AUDIT = "core.verify_audit"
    MANAGE_CALENDAR = "core.manage_calendar"


ROLE_GRANTS = {
    Role.AUDITOR: {
        CorePermission.VIEW_AUDIT,
        CorePermission.VIEW_ACCESS_LOG,
        CorePermission.VERIFY_AUDIT,
    },
    Role.SECURITY_ADMIN: {CorePermission.VIEW_ACCESS_LOG},
    Role.SYSTEM_ADMIN: {CorePermission.MANAGE_CALENDAR},
}

URL_PERMISSIONS = {
    "core:home": PUBLIC,
    "core:set_language": PUBLIC,
    "core:worklist": AUTHENTICATED,
    "core:job_detail": AUTHENTICATED,
    "core:job_progress": AUTHENTICATED,
    "core:audit_list": CorePermission.VIEW_AUDIT,
    "core:audit_detail": CorePermission.VIEW_AUDIT,
    "core:audit_verify": CorePermission.VERIFY_AUDIT,
    "core:access_log": CorePermission.VIEW_ACCESS_LOG,
    "core:calendar": CorePermission.MANAGE_CALENDAR,
    "core:calendar_day_create": CorePermission.MANAGE_CALENDAR,
    "core:calendar_range_create": CorePermission.MANAGE_CALENDAR,
    "core:calendar_day_delete": CorePermission.MANAGE_CALENDAR,
    "api:schema": AUTHENTICATED,
    "api:docs": AUTHENTICATED,
}
