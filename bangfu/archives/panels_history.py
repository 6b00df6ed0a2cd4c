"""Detail-page panel: the archive's change history (who, when, what), newest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bangfu.core.models import AuditEvent
from bangfu.core.selectors import field_label, object_type_label

from .models.choices import Relation
from .panels import Panel, register
from .selectors.browse import household_history

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

    @property
    def is_creation(self) -> bool:
        """Whether every change starts from nothing (a new record: shown folded)."""
        return bool(self.changes) and all(c.before == "—" for c in self.changes)


# Keys the services write that are not model fields.
EXTRA_LABELS = {
    "members": _lazy("家庭成员"),
    "determination": _lazy("类别认定记录"),
}
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


def _choice_labels(object_type: str, name: str) -> dict[str, str]:
    """Return {stored value: label} for a choice field, so codes read as words."""
    try:
        model_field = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return {}
    return {str(value): str(label) for value, label in getattr(model_field, "flatchoices", [])}


def history_entries(events: Iterable[AuditEvent]) -> list[HistoryEntry]:
    """Return the events with the changed fields' Chinese labels and choice values as words
    (other values stay as written: the services masked the sensitive ones)."""
    entries = []
    for event in events:
        changes = []
        for name, values in (event.changes or {}).items():
            pair = values if isinstance(values, list) and len(values) == 2 else [None, values]
            words = _choice_labels(event.object_type, name)
            before, after = (words.get(str(v), v) if v is not None else v for v in pair)
            label = EXTRA_LABELS.get(name) or field_label(event.object_type, name)
            changes.append(Change(str(label), _show(before), _show(after)))
        entries.append(HistoryEntry(event, object_type_label(event.object_type), changes))
    return entries


@register
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
