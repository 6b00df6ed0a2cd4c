"""The detail page's 政策待遇 section (应保尽保): the public benefits the household receives,
with dates, and the forms to record one or its end (archives.file within scope)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.panels import Panel, register

from ..forms.standards import BenefitAddForm
from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors.benefits import benefit_types, household_benefits
from . import PAGE


@register(PAGE)
def benefits_panel(request: HttpRequest, household: Household) -> Panel | None:
    today = timezone.localdate()
    rows: list[Any] = list(household_benefits(household))
    for row in rows:
        row.current = row.started_on <= today and (row.ended_on is None or row.ended_on >= today)
    can_file = household.is_open and policy.unit_in_scope(
        request.user, ArchivesPermission.FILE, household.unit
    )
    form = None
    if can_file:
        form = BenefitAddForm(
            auto_id="id_benefit_%s",
            types=benefit_types(active_only=True),
            initial={"started_on": today},
        )
    return Panel(
        key="benefits",
        title=_("享受的政策待遇"),
        template="archives/standards/benefits_panel.html",
        context={"household": household, "rows": rows, "can_file": can_file, "form": form},
        order=30,
    )
