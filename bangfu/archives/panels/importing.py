"""The archive page's 导入来源 section: how an imported archive came in (file, as 已审批的原有档案
or 新申请) and, while its national-form data is incomplete, what is missing ("资料待补全")
with the button to mark it completed (archives.file within scope)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.panels import Panel, register

from ..models import Household, ImportedArchive
from ..permissions import ArchivesPermission
from . import PAGE


@register(PAGE)
def imported_panel(request: HttpRequest, household: Household) -> Panel | None:
    record = ImportedArchive.objects.filter(household=household).first()
    if record is None:
        return None
    can_complete = record.incomplete and policy.unit_in_scope(
        request.user, ArchivesPermission.FILE, household.unit
    )
    return Panel(
        key="imported",
        title=_("资料待补全(批量导入)") if record.incomplete else _("导入来源"),
        template="archives/importing/imported_panel.html",
        context={"household": household, "record": record, "can_complete": can_complete},
        order=5 if record.incomplete else 90,
    )
