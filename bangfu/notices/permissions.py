from enum import StrEnum

from bangfu.accounts.policy import PUBLIC
from bangfu.accounts.roles import Role


class NoticesPermission(StrEnum):
    VIEW = "notices.view"  # lists, details and the printable notice
    MANAGE = "notices.manage"  # publish, withdraw, record and settle objections


ROLE_GRANTS = {
    Role.STAFF: {NoticesPermission.VIEW, NoticesPermission.MANAGE},
    Role.LEADER: {NoticesPermission.VIEW, NoticesPermission.MANAGE},
    Role.SUPERVISOR: {NoticesPermission.VIEW},
    Role.LIAISON: {NoticesPermission.VIEW},
}

URL_PERMISSIONS = {
    "notices:notice_list": NoticesPermission.VIEW,
    "notices:notice_detail": NoticesPermission.VIEW,
    "notices:notice_print": NoticesPermission.VIEW,
    # The online copy the printed notice's QR code opens: anyone, display fields only.
    "notices:notice_public": PUBLIC,
    "notices:notice_publish": NoticesPermission.MANAGE,
    "notices:notice_withdraw": NoticesPermission.MANAGE,
    "notices:objection_record": NoticesPermission.MANAGE,
    "notices:objection_settle": NoticesPermission.MANAGE,
}
