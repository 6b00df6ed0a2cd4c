"""The detail page's 困难类别 section: the current category, the latest determination's reason
in words with the standard it used, the history of determinations, and (for those who may
file) the button to determine the category again with the standards in force today."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.labels import value_label
from bangfu.core.panels import Panel, register

from .. import rules
from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors.standards import household_determinations
from ..services.categories import category_blocker
from . import PAGE

HISTORY_SHOWN = 20


@register(PAGE)
def category_panel(request: HttpRequest, household: Household) -> Panel | None:
    determinations = list(household_determinations(household)[: HISTORY_SHOWN + 1])
    for determination in determinations:
        # The rule version by its name, never its code ("acftu-2021").
        determination.rule_label = value_label(  # type: ignore[attr-defined]
            "archives.determination", "rule_version", determination.rule_version
        )
    can_determine = household.is_open and policy.unit_in_scope(
        request.user, ArchivesPermission.FILE, household.unit
    )
    context: dict[str, Any] = {
        "household": household,
        "category_label": rules.CATEGORY_LABELS.get(household.category, ""),
        "rule_label": value_label("archives.household", "rule_version", household.rule_version),
        "latest": determinations[0] if determinations else None,
        "determinations": determinations[:HISTORY_SHOWN],
        "more": len(determinations) > HISTORY_SHOWN,
        "can_determine": can_determine,
        "blocker": category_blocker(household=household) if can_determine else None,
    }
    return Panel(
        key="category",
        title=_("困难类别认定"),
        template="archives/standards/category_panel.html",
        context=context,
        order=20,
    )
