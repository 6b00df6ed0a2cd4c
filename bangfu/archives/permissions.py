from enum import StrEnum

from bangfu.accounts.roles import Role


class ArchivesPermission(StrEnum):
    VIEW = "archives.view"  # lists and details, with personal data masked
    # Open the attached files (ID-card scans, 户口簿, diagnoses: not maskable), logged.
    VIEW_ATTACHMENTS = "archives.view_attachments"
    FILE = "archives.file"  # file, edit, add members and attachments, propose
    INVESTIGATE = "archives.investigate"  # record visits and reviews, publish notices
    APPROVE = "archives.approve"  # approve, return or refuse (never one's own record)
    REVEAL = "archives.reveal"  # see a full ID / phone / bank number, with a reason, logged
    MANAGE = "archives.manage"  # close, reopen, reviews, spot checks, re-evaluations
    IMPORT = "archives.import"
    EXPORT = "archives.export"
    MANAGE_STANDARDS = "archives.manage_standards"  # 低保标准, minimum wage, benefit types


# The auditor (三员) reads the audit trail and the access log, not archives: minimum necessary.
# Business supervision of the fund (纪检/审计) reads archives masked and opens no attachment.
ROLE_GRANTS = {
    Role.LEADER: {
        ArchivesPermission.VIEW,
        ArchivesPermission.VIEW_ATTACHMENTS,
        ArchivesPermission.APPROVE,
        ArchivesPermission.REVEAL,
        ArchivesPermission.EXPORT,
    },
    Role.STAFF: {
        ArchivesPermission.VIEW,
        ArchivesPermission.VIEW_ATTACHMENTS,
        ArchivesPermission.FILE,
        ArchivesPermission.INVESTIGATE,
        ArchivesPermission.REVEAL,
        ArchivesPermission.MANAGE,
        ArchivesPermission.IMPORT,
        ArchivesPermission.EXPORT,
    },
    # A liaison sees and proposes only for its own station: it may file an application.
    # Importing files archives too (for its own station only: the import's scope is the
    # liaison's unit, and the filing service checks the unit of every household).
    Role.LIAISON: {
        ArchivesPermission.VIEW,
        ArchivesPermission.VIEW_ATTACHMENTS,
        ArchivesPermission.FILE,
        ArchivesPermission.IMPORT,
    },
    Role.FINANCE: {ArchivesPermission.VIEW, ArchivesPermission.VIEW_ATTACHMENTS},
    Role.SUPERVISOR: {ArchivesPermission.VIEW},
    Role.SYSTEM_ADMIN: {ArchivesPermission.MANAGE_STANDARDS},
}

# Every page and API URL of the archives context, with what it needs. Add yours here.
URL_PERMISSIONS: dict[str, str] = {}

# Browsing: the list and search, the detail page with its history, reveal, attachments, the PDF.
URL_PERMISSIONS.update(
    {
        "archives:household_list": ArchivesPermission.VIEW,
        "archives:household_detail": ArchivesPermission.VIEW,
        "archives:household_history": ArchivesPermission.VIEW,
        "archives:household_reveal": ArchivesPermission.REVEAL,
        "archives:household_pdf": ArchivesPermission.VIEW,
        "archives:household_pdf_full": ArchivesPermission.REVEAL,
        "archives:attachment_upload": ArchivesPermission.FILE,
        "archives:attachment_download": ArchivesPermission.VIEW_ATTACHMENTS,
        "archives:attachment_withdraw": ArchivesPermission.FILE,
    }
)

# Dynamic management: reviews, incomes, closing and reopening, spot checks; the archives API.
URL_PERMISSIONS.update(
    {
        "archives:review_due_list": ArchivesPermission.VIEW,
        "archives:recovery_list": ArchivesPermission.VIEW,
        "archives:closed_list": ArchivesPermission.VIEW,
        "archives:annual_review_create": ArchivesPermission.MANAGE,
        "archives:monthly_income_record": ArchivesPermission.MANAGE,
        "archives:household_close": ArchivesPermission.MANAGE,
        "archives:household_reopen": ArchivesPermission.MANAGE,
        "archives:spot_check_list": ArchivesPermission.VIEW,
        "archives:spot_check_draw": ArchivesPermission.MANAGE,
        "archives:spot_check_detail": ArchivesPermission.VIEW,
        "archives:spot_check_item_record": ArchivesPermission.MANAGE,
        "api:household_list": ArchivesPermission.VIEW,
        "api:household_search": ArchivesPermission.VIEW,
        "api:household_detail": ArchivesPermission.VIEW,
        "api:household_reveal": ArchivesPermission.REVEAL,
        "api:household_close": ArchivesPermission.MANAGE,
        "api:household_reopen": ArchivesPermission.MANAGE,
        "api:annual_review_create": ArchivesPermission.MANAGE,
        "api:household_create": ArchivesPermission.FILE,
        "api:household_update": ArchivesPermission.FILE,
    }
)

# Standards, benefit types, re-evaluations after a standard changed, categories, benefits.
URL_PERMISSIONS.update(
    {
        "archives:standard_area_list": ArchivesPermission.MANAGE_STANDARDS,
        "archives:area_create": ArchivesPermission.MANAGE_STANDARDS,
        "archives:standard_area_detail": ArchivesPermission.MANAGE_STANDARDS,
        "archives:dibao_standard_create": ArchivesPermission.MANAGE_STANDARDS,
        "archives:minimum_wage_create": ArchivesPermission.MANAGE_STANDARDS,
        "archives:dibao_standard_delete": ArchivesPermission.MANAGE_STANDARDS,
        "archives:minimum_wage_delete": ArchivesPermission.MANAGE_STANDARDS,
        "archives:benefit_type_list": ArchivesPermission.MANAGE_STANDARDS,
        "archives:benefit_type_edit": ArchivesPermission.MANAGE_STANDARDS,
        "archives:reevaluation_list": ArchivesPermission.MANAGE,
        "archives:reevaluation_detail": ArchivesPermission.MANAGE,
        "archives:reevaluation_confirm_all": ArchivesPermission.MANAGE,
        "archives:reevaluation_dismiss_all": ArchivesPermission.MANAGE,
        "archives:reevaluation_item_confirm": ArchivesPermission.MANAGE,
        "archives:reevaluation_item_dismiss": ArchivesPermission.MANAGE,
        "archives:household_determine": ArchivesPermission.FILE,
        "archives:household_benefit_add": ArchivesPermission.FILE,
        "archives:household_benefit_end": ArchivesPermission.FILE,
        "archives:dibao_gap_list": ArchivesPermission.VIEW,
    }
)

# Excel import and roster export.
URL_PERMISSIONS.update(
    {
        "archives:import_upload": ArchivesPermission.IMPORT,
        "archives:import_template": ArchivesPermission.IMPORT,
        "archives:import_batch": ArchivesPermission.IMPORT,
        "archives:import_errors": ArchivesPermission.IMPORT,
        "archives:import_confirm": ArchivesPermission.IMPORT,
        "archives:import_cancel": ArchivesPermission.IMPORT,
        "archives:import_retry": ArchivesPermission.IMPORT,
        "archives:import_mapping": ArchivesPermission.IMPORT,
        "archives:export_roster": ArchivesPermission.EXPORT,
    }
)

# Filing and the procedure. The procedure's actions need only archives.view at the door, so an
# archive outside the user's scope answers 404 on every one of them; the service then checks the
# action's own permission and scope (403 with the reason).
URL_PERMISSIONS.update(
    {
        "archives:household_create": ArchivesPermission.FILE,
        "archives:household_update": ArchivesPermission.FILE,
        "archives:member_add": ArchivesPermission.FILE,
        "archives:member_update": ArchivesPermission.FILE,
        "archives:member_remove": ArchivesPermission.FILE,
        "archives:procedure_apply": ArchivesPermission.VIEW,
        "archives:procedure_resubmit": ArchivesPermission.VIEW,
        "archives:procedure_investigation": ArchivesPermission.VIEW,
        "archives:procedure_review": ArchivesPermission.VIEW,
        "archives:procedure_notice": ArchivesPermission.VIEW,
        "archives:procedure_submit": ArchivesPermission.VIEW,
        "archives:procedure_decide": ArchivesPermission.VIEW,
        "archives:procedure_consent": ArchivesPermission.VIEW,
        # The same actions through the API: archives.view at the door (404 outside the scope),
        # the service checks the action's own permission (403).
        "api:procedure_detail": ArchivesPermission.VIEW,
        "api:procedure_consent": ArchivesPermission.VIEW,
        "api:procedure_visit": ArchivesPermission.VIEW,
        "api:procedure_review": ArchivesPermission.VIEW,
        "api:procedure_notice": ArchivesPermission.VIEW,
        "api:procedure_submit": ArchivesPermission.VIEW,
        "api:procedure_decide": ArchivesPermission.VIEW,
        "api:procedure_objection": ArchivesPermission.VIEW,
        "api:procedure_objection_settle": ArchivesPermission.VIEW,
    }
)
