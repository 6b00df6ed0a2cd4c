"""Detail-page panel: the archive's change history (who, when, what), newest first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.audit_actions import action_label, canonical
from bangfu.core.labels import field_label, object_type_label, value_words
from bangfu.core.models import AuditEvent
from bangfu.core.panels import Panel, register

from ..audit_actions import ArchivesAction
from ..models.choices import Relation
from ..selectors.browse import household_history
from . import PAGE

PANEL_LIMIT = 10


@dataclass
class Change:
    label: str
    before: Any
    after: Any


@dataclass
class HistoryEntry:
    event: AuditEvent
    object_label: str
    changes: list[Change] = field(default_factory=list)
    action_label: str = ""

    @property
    def is_creation(self) -> bool:
        """Whether every change starts from nothing (a new record: shown folded)."""
        return bool(self.changes) and all(c.before == "—" for c in self.changes)


# Keys the services write that are not model fields.
EXTRA_LABELS = {
    "members": gettext_lazy("家庭成员"),
    "determination": gettext_lazy("类别认定记录"),
    "approval_unit": gettext_lazy("审批单位"),
    "investigation_due_on": gettext_lazy("入户调查期限"),
    "notice_id": gettext_lazy("公示编号"),
    "notice_ends_on": gettext_lazy("公示期截止"),
    "released_ids": gettext_lazy("释放的身份证号"),
    "household_benefit": gettext_lazy("政策待遇记录"),
    "reason": gettext_lazy("原因"),
}
# The record an action on the archive wrote: its keys are that model's fields (the archive's
# own fields are looked up first).
ACTION_MODELS: dict[str, str] = {
    ArchivesAction.PROCEDURE_INVESTIGATION: "workflow.visit",
    ArchivesAction.PROCEDURE_REVIEW: "workflow.review",
    ArchivesAction.PROCEDURE_DECIDE: "workflow.signoff",
    ArchivesAction.ANNUAL_REVIEW_RECORD: "archives.annualreview",
    ArchivesAction.MONTHLY_INCOME_RECORD: "archives.monthlyincome",
    ArchivesAction.SPOT_CHECK_ITEM_RECORD: "archives.spotcheckitem",
    ArchivesAction.BENEFIT_ADD: "archives.householdbenefit",
    ArchivesAction.BENEFIT_END: "archives.householdbenefit",
}
# Values the archives word in their own terms (the workflow kit's records are generic).
ACTION_WORDS: dict[tuple[str, str], dict[str, Any]] = {
    (ArchivesAction.PROCEDURE_INVESTIGATION, "recommendation"): {
        "agree": gettext_lazy("情况属实,建议建档"),
        "disagree": gettext_lazy("情况不符,不建议建档"),
    },
    (ArchivesAction.PROCEDURE_DECIDE, "outcome"): {
        "approved": gettext_lazy("批准建档"),
        "returned": gettext_lazy("退回修改"),
        "refused": gettext_lazy("不予建档"),
    },
}
# A member's field written as "members[<id>].<field>" (adding, changing or removing a member).
MEMBER_KEY = re.compile(r"members\[\d+\]\.(?P<field>\w+)")
RELATION_LABELS = dict(Relation.choices)


def _person(value: dict[str, Any]) -> str:
    """Show a member written into the trail as "name(relation)"."""
    relation = RELATION_LABELS.get(value.get("relation", ""), value.get("relation", ""))
    return f"{value.get('name', '')}({relation})" if relation else str(value.get("name", ""))


def _show(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return _person(value) if "name" in value else str(value)
    if isinstance(value, list):
        return _("、").join(
            _person(v) if isinstance(v, dict) and "name" in v else str(v) for v in value
        )
    return value


def _label_and_words(event: AuditEvent, name: str) -> tuple[Any, dict[str, str]]:
    """Return the label of a changed key and its choice words, looking in the archive's
    fields, then the keys the services add, then the record the action wrote."""
    label = field_label(event.object_type, name)
    if label != name:
        return label, value_words(event.object_type, name)
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name], {}
    member = MEMBER_KEY.fullmatch(name)
    if member:
        field_name = member.group("field")
        inner = field_label("archives.householdmember", field_name)
        return (
            _("家庭成员·%(field)s") % {"field": inner},
            value_words("archives.householdmember", field_name),
        )
    # Events written before the actions were renamed ("archives.review") read the same.
    action = canonical(event.action)
    model = ACTION_MODELS.get(action)
    if model:
        words = ACTION_WORDS.get((action, name))
        if words is not None:
            return field_label(model, name), {k: str(v) for k, v in words.items()}
        return field_label(model, name), value_words(model, name)
    return name, {}


def history_entries(events: Iterable[AuditEvent]) -> list[HistoryEntry]:
    """Return the events with the changed fields' Chinese labels and choice values as words
    (other values stay as written: the services masked the sensitive ones)."""
    entries = []
    for event in events:
        changes = []
        for name, values in (event.changes or {}).items():
            pair = values if isinstance(values, list) and len(values) == 2 else [None, values]
            label, words = _label_and_words(event, name)
            before, after = (words.get(str(v), v) if v is not None else v for v in pair)
            changes.append(Change(str(label), _show(before), _show(after)))
        entries.append(
            HistoryEntry(
                event,
                object_type_label(event.object_type),
                changes,
                action_label=action_label(event.action),
            )
        )
    return entries


@register(PAGE)
def history_panel(request: HttpRequest, household: Any) -> Panel:
    events = list(household_history(household=household)[: PANEL_LIMIT + 1])
    return Panel(
        key="history",
        title=_("变更记录"),
        template="archives/browse/_panel_history.html",
        context={
            "entries": history_entries(events[:PANEL_LIMIT]),
            "more": len(events) > PANEL_LIMIT,
        },
        order=900,
    )
