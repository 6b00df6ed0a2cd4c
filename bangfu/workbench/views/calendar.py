"""Pages of the holiday table (节假日设置) for the system admin.

A year's page lists the admins' entries and the schedule in force, and says where it comes
from: the built-in data, the admins' confirmed entries, or — for a year whose official
holidays are not known yet — the provisional usual schedule, with the way to enter and confirm
the official one. Confirming recounts the open deadlines and lists what moved. The forms only
parse input; the services check it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core import deadlines, holidays, workdays
from bangfu.core.errors import DomainError, NotFound, ValidationError
from bangfu.core.formkit import action_response
from bangfu.core.models import CalendarDay

from .. import selectors, services
from ..forms.calendar import (
    KIND_OFF,
    KIND_WORK,
    CalendarDayForm,
    CalendarRangeForm,
    CalendarYearForm,
)


def _year_from(request: AuthenticatedHttpRequest) -> int:
    today = timezone.localdate().year
    try:
        year = int(request.GET.get("year", today))
    except ValueError:
        return today
    if not services.CALENDAR_FIRST_YEAR <= year <= services.CALENDAR_LAST_YEAR:
        return today
    return year


def _calendar_url(year: int) -> str:
    return f"{reverse('workbench:calendar')}?year={year}"


@login_required
@require_GET
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One year of the holiday table: the admins' entries and the schedule in force."""
    year = _year_from(request)
    this_year = timezone.localdate().year
    first_year, last_year = workdays.package_years()
    status = workdays.year_status(year)
    confirmation = selectors.latest_confirmation(year)
    return render(
        request,
        "workbench/calendar.html",
        {
            "year": year,
            "status": status,
            "confirmation": confirmation,
            # Open deadlines still counted on the usual schedule: after a newer package
            # release, or entries made since, the year wants confirming.
            "provisional_deadlines": (
                deadlines.provisional_count(years={year}) if status != "weekdays" else 0
            ),
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
def calendar_day_create(request: AuthenticatedHttpRequest) -> HttpResponse:
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
        "workbench/calendar_day_form.html",
        {
            "form": form,
            "year": year,
            "title": _("修改节假日设置") if editing else _("录入节假日设置"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_range_create(request: AuthenticatedHttpRequest) -> HttpResponse:
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
        "workbench/calendar_range_form.html",
        {"form": form, "year": _year_from(request), "title": _("按日期范围录入节假日")},
    )


@login_required
@require_POST
def calendar_day_delete(request: AuthenticatedHttpRequest, day: str) -> HttpResponse:
    """Remove one entry; the built-in calendar applies to that date again."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise NotFound(_("未找到该日期的设置。")) from None
    try:
        services.calendar_day_delete(actor=request.user, day=parsed)
    except NotFound:
        raise  # the 404 page, not a message (NotFound is a DomainError too)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_calendar_url(parsed.year))
    messages.success(request, _("已删除 %(date)s 的设置。") % {"date": parsed.isoformat()})
    return redirect(_calendar_url(parsed.year))


def _year_param(year: int) -> int:
    if not services.CALENDAR_FIRST_YEAR <= year <= services.CALENDAR_LAST_YEAR:
        raise NotFound(_("年份超出范围。"))
    return year


def _year_context(year: int) -> dict[str, Any]:
    preview = selectors.calendar_year_preview(year)
    return {
        "year": year,
        "preview": preview,
        "usual_breaks": holidays.usual_breaks(year) if preview.status == "provisional" else (),
        "confirmation": selectors.latest_confirmation(year),
    }


@login_required
@require_http_methods(["GET", "POST"])
def calendar_year_confirm(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """Confirm a year's holidays (GET: what it would do; POST: do it and list what moved)."""
    year = _year_param(year)
    form = CalendarYearForm(request.POST if request.method == "POST" else None)
    return action_response(
        request,
        form=form,
        run=lambda: services.calendar_year_confirm(actor=request.user, year=year),
        template="workbench/calendar_confirm.html",
        context=_year_context(year),
        success_url=lambda confirmation: reverse(
            "workbench:calendar_confirmation", args=[confirmation.pk]
        ),
        done=lambda confirmation: _("已确认 %(year)s 年节假日安排。") % {"year": year},
    )


@login_required
@require_POST
def calendar_year_prefill(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """Enter the usual schedule of a provisional year as entries, to be corrected."""
    year = _year_param(year)
    form = CalendarYearForm(request.POST)
    return action_response(
        request,
        form=form,
        run=lambda: services.calendar_year_prefill(actor=request.user, year=year),
        template="workbench/calendar_confirm.html",
        context=_year_context(year),
        success_url=_calendar_url(year),
        done=lambda rows: (
            _(
                "已按暂定安排录入 %(days)s 天放假日。"
                "请对照国务院办公厅的通知修改,并录入调休上班日,然后确认。"
            )
            % {"days": len(rows)}
        ),
    )


@login_required
@require_GET
def calendar_confirmation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What a confirmation of a year's holidays moved: each deadline's old and new date."""
    confirmation = selectors.access_confirmation(confirmation_id=pk)
    moves = list(selectors.confirmation_moves(confirmation))
    for move in moves:
        move.kind_label = deadlines.kind_label(move.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "workbench/calendar_confirmation.html",
        {"confirmation": confirmation, "moves": moves, "year": confirmation.year},
    )
