"""Pages of the holiday table (节假日设置) for the system admin.

A year's page lists the admins' entries and the schedule in force, and warns when neither the
built-in data nor an entry covers the year. The forms only parse input; the services check it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services, workdays
from .errors import DomainError, NotFound, ValidationError
from .models import CalendarDay

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


def _year_from(request: HttpRequest) -> int:
    today = timezone.localdate().year
    try:
        year = int(request.GET.get("year", today))
    except ValueError:
        return today
    if not services.CALENDAR_FIRST_YEAR <= year <= services.CALENDAR_LAST_YEAR:
        return today
    return year


def _calendar_url(year: int) -> str:
    return f"{reverse('core:calendar')}?year={year}"


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """One year of the holiday table: the admins' entries and the schedule in force."""
    year = _year_from(request)
    this_year = timezone.localdate().year
    first_year, last_year = workdays.package_years()
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "known": workdays.calendar_known(year),
            # Deadlines set late in the year fall into the next one: warn ahead.
            "next_year_unknown": year == this_year and not workdays.calendar_known(year + 1),
            "builtin_covers": workdays.package_covers(year),
            "builtin_first_year": first_year,
            "builtin_last_year": last_year,
            "entries": workdays.calendar_days(year),
            "schedule": workdays.year_schedule(year),
            "previous_year": year - 1 if year > services.CALENDAR_FIRST_YEAR else None,
            "next_year": year + 1 if year < services.CALENDAR_LAST_YEAR else None,
            "day_form": CalendarDayForm(initial={"kind": KIND_OFF}),
        },
    )


def _initial_for_day(raw: str | None) -> tuple[dict[str, Any], bool]:
    """Prefill the form from ?date=; an existing entry comes with its values, for editing."""
    if not raw:
        return {"kind": KIND_OFF}, False
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return {"kind": KIND_OFF}, False
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        return {"day": day, "kind": KIND_OFF}, False
    kind = KIND_WORK if row.is_workday else KIND_OFF
    return {"day": day, "kind": kind, "name": row.name, "replace": True}, True


@login_required
@require_http_methods(["GET", "POST"])
def calendar_day_create(request: HttpRequest) -> HttpResponse:
    """Enter one date (a day off or a make-up working day), or change an entry."""
    initial, editing = _initial_for_day(request.GET.get("date"))
    form = CalendarDayForm(request.POST or None, initial=initial, show_replace=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.calendar_day_set(
                actor=request.user,
                day=data["day"],
                is_workday=data["kind"] == KIND_WORK,
                name=data["name"],
                replace=data["replace"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("已保存 %(date)s 的设置。") % {"date": row.date.isoformat()}
            )
            return redirect(_calendar_url(row.date.year))
    year = initial["day"].year if "day" in initial else _year_from(request)
    return render(
        request,
        "core/calendar_day_form.html",
        {
            "form": form,
            "year": year,
            "title": _("修改节假日设置") if editing else _("录入节假日设置"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_range_create(request: HttpRequest) -> HttpResponse:
    """Enter a whole holiday at once: every date from the first to the last, weekends too."""
    form = CalendarRangeForm(request.POST or None, initial={"kind": KIND_OFF})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows = services.calendar_range_set(
                actor=request.user,
                first=data["first"],
                last=data["last"],
                name=data["name"],
                is_workday=data["kind"] == KIND_WORK,
                replace=data["replace"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已保存 %(first)s 至 %(last)s 共 %(days)s 天的设置。")
                % {
                    "first": data["first"].isoformat(),
                    "last": data["last"].isoformat(),
                    "days": len(rows),
                },
            )
            return redirect(_calendar_url(data["first"].year))
    return render(
        request,
        "core/calendar_range_form.html",
        {"form": form, "year": _year_from(request), "title": _("按日期范围录入节假日")},
    )


@login_required
@require_POST
def calendar_day_delete(request: HttpRequest, day: str) -> HttpResponse:
    """Remove one entry; the built-in calendar applies to that date again."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    try:
        services.calendar_day_delete(actor=request.user, day=parsed)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_calendar_url(parsed.year))
    messages.success(request, _("已删除 %(date)s 的设置。") % {"date": parsed.isoformat()})
    return redirect(_calendar_url(parsed.year))
