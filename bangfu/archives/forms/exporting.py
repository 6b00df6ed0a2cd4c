"""The roster export's filters: the list's (carried, hidden) and the export's own status."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Household
from .browse import HouseholdFilterForm

ALL_STATUSES = "all"


class RosterExportFilterForm(HouseholdFilterForm):
    """The list's filters, carried as hidden fields, and the status chosen on the export page
    (issue 11): 在档 unless another status or all of them (`all`) is asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "status":
                field.widget = forms.HiddenInput()
        status = self.fields["status"]
        status.label = _("档案状态")
        status.help_text = _("默认只导出在档的档案;表中最后一列为档案状态。")
        status.choices = [  # type: ignore[attr-defined]
            *Household.Status.choices,
            (ALL_STATUSES, _("全部状态")),
        ]
        status.widget.attrs["class"] = "form-select"
        status.widget.attrs["id"] = "id_export_status"
