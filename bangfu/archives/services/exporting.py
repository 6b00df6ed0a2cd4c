"""Exporting the roster (花名册) in the import template: masked by default; a full export needs
archives.reveal and a reason and goes into the access log. Every export is an audit event."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record
from bangfu.core.crypto import decrypt, decrypt_bytes, encrypt, encrypt_bytes
from bangfu.core.errors import NotFound, ValidationError
from bangfu.core.masking import mask_numbers_in_text
from bangfu.core.xlsx import write_workbook

from .. import xlsx as roster
from ..audit_actions import ArchivesAction
from ..models import RosterExport
from ..permissions import ArchivesPermission
from ..selectors.browse import HouseholdFilters
from ..selectors.exporting import roster_households, roster_rows

FULL_FIELDS = ("id_number", "mobile", "bank_card")


# The search text of a job's export, sealed: it may be a full ID number (search by ID).
SEALED_Q = "q_sealed"


def filters_to_json(filters: HouseholdFilters, *, sealed: bool = False) -> dict[str, Any]:
    """Return the filters as recorded with the export and in the audit trail.

    The search text is masked (a search by full ID would otherwise put the ID in the clear);
    with `sealed`, it is kept encrypted as well, for the job that runs the export later.
    """
    data = asdict(filters)
    data["unit"] = filters.unit.pk if filters.unit is not None else None
    data.pop("today", None)
    data["q"] = mask_numbers_in_text(filters.q)
    if sealed and data["q"] != filters.q:
        data[SEALED_Q] = encrypt(filters.q)
    return {key: value for key, value in data.items() if value not in (None, "", False)}


def filters_from_json(data: dict[str, Any]) -> HouseholdFilters:
    from bangfu.network.models import OrgUnit

    values = dict(data)
    unit_id = values.pop("unit", None)
    sealed = values.pop(SEALED_Q, None)
    if sealed:
        values["q"] = decrypt(sealed)
    unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None
    return HouseholdFilters(unit=unit, **values)


def _check(user: Any, *, masked: bool, purpose: str) -> str:
    policy.require_perm(user, ArchivesPermission.EXPORT)
    purpose = (purpose or "").strip()
    if not masked:
        policy.require_perm(user, ArchivesPermission.REVEAL)
        if len(purpose) < 2:
            raise ValidationError(_("完整导出须填写导出事由。"), field="purpose")
    return purpose


def roster_count(*, user: Any, filters: HouseholdFilters) -> int:
    return roster_households(user=user, filters=filters).count()


def roster_export(
    *, user: Any, filters: HouseholdFilters, masked: bool = True, purpose: str = ""
) -> tuple[RosterExport, bytes]:
    """Write the roster of the archives the user may export; return the record and the file.

    A full (unmasked) export needs archives.reveal and a purpose, and is written to the access
    log with the number of archives; every export is an audit event. Raise PermissionDenied or
    ValidationError (field "purpose") otherwise.
    """
    purpose = _check(user, masked=masked, purpose=purpose)
    counts: dict[str, int] = {}
    households = roster_households(user=user, filters=filters)
    title = _("困难职工家庭花名册(%(date)s 导出%(kind)s)") % {
        "date": timezone.localdate().isoformat(),
        "kind": _(",身份证号等已打码") if masked else "",
    }
    content = write_workbook(
        [
            roster.roster_sheet(
                roster_rows(households, masked=masked, counts=counts), title_line=title
            )
        ]
    )
    with transaction.atomic():
        export = RosterExport.objects.create(
            created_by=user,
            masked=masked,
            purpose=purpose[:255],
            filters=filters_to_json(filters),
            households=counts.get("households", 0),
            people=counts.get("people", 0),
        )
        _record(user, export)
    return export, content


def _record(user: Any, export: RosterExport) -> None:
    if not export.masked:
        access_log_record(user=user, obj=export, fields=FULL_FIELDS, purpose=export.purpose)
    audit_record(
        actor=user,
        action=ArchivesAction.ROSTER_EXPORT,
        obj=export,
        summary=str(export),
        changes={
            "households": export.households,
            "people": export.people,
            "masked": export.masked,
            "filters": export.filters,
        },
    )


def roster_export_start(
    *, user: Any, filters: HouseholdFilters, masked: bool = True, purpose: str = ""
) -> RosterExport:
    """Create the record of a large export to be written by a background job."""
    purpose = _check(user, masked=masked, purpose=purpose)
    return RosterExport.objects.create(
        created_by=user,
        masked=masked,
        purpose=purpose[:255],
        filters=filters_to_json(filters, sealed=True),
    )


def roster_export_write(*, export: RosterExport) -> RosterExport:
    """Write a started export's file (in the job) and record it like an inline export."""
    user = export.created_by
    _check(user, masked=export.masked, purpose=export.purpose)
    counts: dict[str, int] = {}
    households = roster_households(user=user, filters=filters_from_json(export.filters))
    title = _("困难职工家庭花名册(%(date)s 导出)") % {"date": timezone.localdate().isoformat()}
    content = write_workbook(
        [
            roster.roster_sheet(
                roster_rows(households, masked=export.masked, counts=counts), title_line=title
            )
        ]
    )
    with transaction.atomic():
        export.households = counts.get("households", 0)
        export.people = counts.get("people", 0)
        export.content = encrypt_bytes(content)
        export.filters.pop(SEALED_Q, None)  # done with: kept no longer than needed
        export.save(update_fields=["households", "people", "content", "filters"])
        _record(user, export)
    return export


def export_for_user(*, user: Any, export_id: Any) -> RosterExport:
    try:
        return RosterExport.objects.get(pk=export_id, created_by=user)
    except (RosterExport.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该导出文件。")) from None


def export_content(export: RosterExport) -> bytes:
    if not export.content:
        raise NotFound(_("导出文件尚未生成或已被清除。"))
    return decrypt_bytes(bytes(export.content))


def inline_households() -> int:
    return int(settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS)
