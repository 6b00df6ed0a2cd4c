"""Forms of the holiday table: they only parse input; the services check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from bangfu.core.errors import ValidationError

from .. import services

KIND_OFF = "off"
KIND_WORK = "work"
KIND_CHOICES = [
    (KIND_OFF, gettext_lazy("休息日(放假)")),
    (KIND_WORK, gettext_lazy("上班日(调休上班)")),
]
_DATE_ERRORS = {
    "required": gettext_lazy("请填写日期。"),
    "invalid": gettext_lazy("日期格式不正确,请按 2027-02-06 的格式填写。"),
}


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )


class _CalendarForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        choices=KIND_CHOICES,
        initial=KIND_OFF,
        error_messages={
            "required": gettext_lazy("请选择类型。"),
            "invalid_choice": gettext_lazy("请选择类型。"),
        },
    )
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=50,
        help_text=gettext_lazy("如“春节”“国庆节调休上班”。"),
        error_messages={
            "required": gettext_lazy("请填写名称,如“春节”或“国庆节调休上班”。"),
            "max_length": gettext_lazy("名称不能超过 50 个字。"),
        },
    )
    replace = forms.BooleanField(label=gettext_lazy("覆盖已录入的设置"), required=False)

    def __init__(self, *args: Any, show_replace: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The box appears once the service has said a date is taken (or when editing), so
        # an entry is never overwritten by accident.
        self.show_replace = show_replace or bool(self.data.get("replace"))

    def apply_errors(self, exc: ValidationError) -> None:
        """Attach a service's field errors; anything not a form field goes on top."""
        for name, text in exc.errors.items():
            self.add_error(name if name in self.fields else None, text)
        if not exc.errors:
            self.add_error(None, exc.message)
        if isinstance(exc, services.DayAlreadySet):
            self.show_replace = True


class CalendarDayForm(_CalendarForm):
    day = _date_field(gettext_lazy("日期"))
    field_order = ["day", "kind", "name", "replace"]


class CalendarRangeForm(_CalendarForm):
    first = _date_field(gettext_lazy("开始日期"))
    last = _date_field(gettext_lazy("结束日期"))
    field_order = ["first", "last", "kind", "name", "replace"]


class CalendarYearForm(forms.Form):
    """Confirming a year, or entering its usual schedule: nothing to type, the year is in the
    address; the service checks everything."""
