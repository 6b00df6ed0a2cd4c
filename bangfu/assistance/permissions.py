from enum import StrEnum

from bangfu.accounts.roles import Role


class AssistancePermission(StrEnum):
    VIEW = "assistance.view"  # programmes, applications, the household's aid
    APPLY = "assistance.apply"  # make and submit applications for households in scope
    INVESTIGATE = "assistance.investigate"  # home visits, 民主评议, notices, sending for approval
    APPROVE = "assistance.approve"  # approve, return or refuse (never one's own application)
    MANAGE_PROGRAMMES = "assistance.manage_programmes"  # programmes and their rule versions


ROLE_GRANTS = {
    Role.LEADER: {AssistancePermission.VIEW, AssistancePermission.APPROVE},
    Role.STAFF: {
        AssistancePermission.VIEW,
        AssistancePermission.APPLY,
        AssistancePermission.INVESTIGATE,
        AssistancePermission.MANAGE_PROGRAMMES,
    },
    # A station applies for its own households.
    Role.LIAISON: {AssistancePermission.VIEW, AssistancePermission.APPLY},
    Role.FINANCE: {AssistancePermission.VIEW},
    Role.SUPERVISOR: {AssistancePermission.VIEW},
}

URL_PERMISSIONS: dict[str, str] = {
    "assistance:application_list": AssistancePermission.VIEW,
    "assistance:application_create": AssistancePermission.APPLY,
    "assistance:application_detail": AssistancePermission.VIEW,
    "assistance:programme_list": AssistancePermission.VIEW,
    "assistance:programme_create": AssistancePermission.MANAGE_PROGRAMMES,
    "assistance:programme_detail": AssistancePermission.VIEW,
    "assistance:rule_revise": AssistancePermission.MANAGE_PROGRAMMES,
    # The procedure's steps need only assistance.view at the door, so an application outside
    # the user's scope answers 404 on every one; the kit then checks the step's own permission.
    "assistance:application_submit": AssistancePermission.VIEW,
    "assistance:application_resubmit": AssistancePermission.VIEW,
    "assistance:application_visit": AssistancePermission.VIEW,
    "assistance:application_review": AssistancePermission.VIEW,
    "assistance:application_notice": AssistancePermission.VIEW,
    "assistance:application_send": AssistancePermission.VIEW,
    "assistance:application_signoff": AssistancePermission.VIEW,
    "assistance:application_release": AssistancePermission.VIEW,
    "assistance:approval_batch": AssistancePermission.APPROVE,
    "assistance:followup_record": AssistancePermission.INVESTIGATE,
    "assistance:student_register": AssistancePermission.VIEW,
    # 金秋助学 batches: view at the door (404 outside the scope), the page checks the rest.
    "assistance:batch_list": AssistancePermission.VIEW,
    "assistance:batch_create": AssistancePermission.INVESTIGATE,
    "assistance:batch_detail": AssistancePermission.VIEW,
    "assistance:batch_submit": AssistancePermission.VIEW,
    "assistance:batch_review": AssistancePermission.VIEW,
    "assistance:batch_notice": AssistancePermission.VIEW,
    "assistance:batch_send": AssistancePermission.VIEW,
    "assistance:batch_signoff": AssistancePermission.VIEW,
    # The 金秋助学 import on the import kit (one's own import batches only).
    **{
        f"assistance:import_{name}": AssistancePermission.INVESTIGATE
        for name in (
            "upload",
            "template",
            "batch",
            "mapping",
            "errors",
            "confirm",
            "cancel",
            "retry",
        )
    },
    # The API.
    "api:assistance_programme_list": AssistancePermission.VIEW,
    "api:assistance_application_list": AssistancePermission.VIEW,
    "api:assistance_application_create": AssistancePermission.APPLY,
    "api:assistance_application_detail": AssistancePermission.VIEW,
    # Follow-ups: view at the door (404 outside the scope); recording needs investigate.
    "api:assistance_followup_list": AssistancePermission.VIEW,
    "api:assistance_followup_record": AssistancePermission.VIEW,
    # The steps: view at the door (404 outside the scope), the kit checks the step's permission.
    **{
        f"api:assistance_application_{step}": AssistancePermission.VIEW
        for step in ("submit", "visit", "review", "notice", "send", "signoff")
    },
}
