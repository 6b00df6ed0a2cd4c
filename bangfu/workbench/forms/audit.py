"""Filter forms of the audit and access-log pages (GET only: they change nothing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from bangfu.core import audit_actions

from ..selectors import AccessLogFilters, AuditFilters


class _DateRangeForm(forms.Form):
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("全部")), *object_types]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data


class AuditFilterForm(_DateRangeForm):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False)
    field_order = ["actor", "action", "object_type", "object_id", "date_from", "date_to"]

    def __init__(
        self,
        *args: Any,
        actions: list[tuple[str, Any]],
        object_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, object_types=object_types, **kwargs)
        self.fields["action"].choices = [("", _("全部")), *actions]  # type: ignore[attr-defined]
        # A link or bookmark naming an action by its old name filters by its present name.
        if self.is_bound and self.data.get("action"):
            present = audit_actions.canonical(self.data["action"])
            if present != self.data["action"]:
                data = QueryDict(mutable=True)
                data.update(self.data)
                data["action"] = present
                self.data = data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor", "").strip(),
            action=data.get("action", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class AccessLogFilterForm(_DateRangeForm):
    user = forms.CharField(label=_("查看人"), required=False, max_length=150)
    field_order = ["user", "object_type", "object_id", "date_from", "date_to"]

    def filters(self) -> AccessLogFilters:
        data = self.cleaned_data
        return AccessLogFilters(
            user=data.get("user", "").strip(),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
