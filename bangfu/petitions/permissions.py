from enum import StrEnum

from bangfu.accounts.policy import PUBLIC
from bangfu.accounts.roles import Role


class PetitionsPermission(StrEnum):
    VIEW = "petitions.view"  # lists, details, replies; personal data masked
    REGISTER = "petitions.register"  # register letters, calls, visits; add material
    HANDLE = "petitions.handle"  # accept, decline, transfer, refer, acknowledge, reply, rate
    APPROVE_EXTENSION = "petitions.approve_extension"  # the head approves the one extension
    REVIEW = "petitions.review"  # answer 复查 and 复核 requests
    VIEW_RESTRICTED = "petitions.view_restricted"  # see restricted petitions and reports (检举)
    REPORT = "petitions.report"  # statistics, overdue list, Excel


ROLE_GRANTS = {
    Role.LEADER: {
        PetitionsPermission.VIEW,
        PetitionsPermission.APPROVE_EXTENSION,
        PetitionsPermission.REVIEW,
        PetitionsPermission.VIEW_RESTRICTED,
        PetitionsPermission.REPORT,
    },
    Role.STAFF: {
        PetitionsPermission.VIEW,
        PetitionsPermission.REGISTER,
        PetitionsPermission.HANDLE,
        PetitionsPermission.VIEW_RESTRICTED,
        PetitionsPermission.REPORT,
    },
    # A station registers what reaches it and handles what the centre assigns to it; restricted
    # petitions and reports stay with the centre.
    Role.LIAISON: {
        PetitionsPermission.VIEW,
        PetitionsPermission.REGISTER,
        PetitionsPermission.HANDLE,
    },
}

URL_PERMISSIONS: dict[str, str] = {
    "petitions:petition_list": PetitionsPermission.VIEW,
    "petitions:petition_register": PetitionsPermission.REGISTER,
    "petitions:petition_detail": PetitionsPermission.VIEW,
    "petitions:reply_pdf": PetitionsPermission.VIEW,
    "petitions:acknowledgement_pdf": PetitionsPermission.VIEW,
    "petitions:attachment_download": PetitionsPermission.VIEW,
    "petitions:report": PetitionsPermission.REPORT,
    "petitions:report_xlsx": PetitionsPermission.REPORT,
    # The actions need only petitions.view at the door, so a petition outside the user's scope
    # answers 404 on every one; the service then checks the action's own permission (403).
    "petitions:petition_accept": PetitionsPermission.VIEW,
    "petitions:petition_decline": PetitionsPermission.VIEW,
    "petitions:petition_transfer": PetitionsPermission.VIEW,
    "petitions:petition_refer": PetitionsPermission.VIEW,
    "petitions:petition_acknowledge": PetitionsPermission.VIEW,
    "petitions:petition_extend": PetitionsPermission.VIEW,
    "petitions:petition_reply": PetitionsPermission.VIEW,
    "petitions:petition_review_request": PetitionsPermission.VIEW,
    "petitions:petition_review_reply": PetitionsPermission.VIEW,
    "petitions:petition_recheck_request": PetitionsPermission.VIEW,
    "petitions:petition_recheck_reply": PetitionsPermission.VIEW,
    "petitions:petition_rate": PetitionsPermission.VIEW,
    "petitions:attachment_upload": PetitionsPermission.VIEW,
    "petitions:attachment_withdraw": PetitionsPermission.VIEW,
    # The public side (no log-in): the online form and the progress look-up, rate-limited.
    "petitions:public_submit": PUBLIC,
    "petitions:public_track": PUBLIC,
    # The API.
    "api:petition_list": PetitionsPermission.VIEW,
    "api:petition_create": PetitionsPermission.REGISTER,
    "api:petition_detail": PetitionsPermission.VIEW,
    "api:petition_accept": PetitionsPermission.VIEW,
    "api:petition_decline": PetitionsPermission.VIEW,
    "api:petition_transfer": PetitionsPermission.VIEW,
    "api:petition_refer": PetitionsPermission.VIEW,
    "api:petition_acknowledge": PetitionsPermission.VIEW,
    "api:petition_extend": PetitionsPermission.VIEW,
    "api:petition_reply": PetitionsPermission.VIEW,
    "api:petition_review_request": PetitionsPermission.VIEW,
    "api:petition_review_reply": PetitionsPermission.VIEW,
    "api:petition_recheck_request": PetitionsPermission.VIEW,
    "api:petition_recheck_reply": PetitionsPermission.VIEW,
    "api:petition_rate": PetitionsPermission.VIEW,
}
