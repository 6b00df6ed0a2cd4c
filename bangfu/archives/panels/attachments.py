"""Detail-page panel: the archive's attachments, with upload and withdraw for those who file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.panels import Panel, register

from ..forms.browse import AttachmentUploadForm
from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors.browse import attachment_list
from ..services.attachments import SENSITIVE_KINDS, max_bytes
from . import PAGE


def can_file(user: Any, household: Household) -> bool:
    """For showing the upload and withdraw buttons; the services check again."""
    return (
        policy.has_perm(user, ArchivesPermission.FILE)
        and policy.unit_in_scope(user, ArchivesPermission.FILE, household.unit)
        and household.status != Household.Status.CLOSED
    )


@register(PAGE)
def attachments_panel(request: HttpRequest, household: Any) -> Panel:
    attachments = attachment_list(household=household)
    for attachment in attachments:
        attachment.sensitive = attachment.kind in SENSITIVE_KINDS  # type: ignore[attr-defined]
    can_upload = can_file(request.user, household)
    # Scans of ID cards and diagnoses cannot be masked: only roles that work the archive open
    # them (the supervisor sees the list, not the files).
    can_open = policy.unit_in_scope(
        request.user, ArchivesPermission.VIEW_ATTACHMENTS, household.unit
    )
    return Panel(
        key="attachments",
        title=_("附件"),
        template="archives/browse/_panel_attachments.html",
        context={
            "attachments": attachments,
            "can_upload": can_upload,
            "can_open": can_open,
            "form": AttachmentUploadForm() if can_upload else None,
            "max_mb": max_bytes() // (1024 * 1024),
        },
        order=200,
    )
