"""Statistics of petitions and their Excel download (openpyxl write-only, `core.xlsx`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..forms import ReportForm
from ..selectors import reports
from ..xlsx import report_workbook


def _period(request: HttpRequest) -> tuple[ReportForm, reports.Period]:
    default = reports.Period.this_year()
    form = ReportForm(request.GET or None, initial={"start": default.start, "end": default.end})
    if form.is_valid():
        start = form.cleaned_data.get("start") or default.start
        end = form.cleaned_data.get("end") or default.end
        if end < start:
            start, end = end, start
        return form, reports.Period(start, end)
    return form, default


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    user = request.user
    channels, months = reports.by_month(user, period)
    problem_months, problems = reports.frequent_problems(user, period)
    return render(
        request,
        "petitions/report.html",
        {
            "form": form,
            "period": period,
            "by_channel": reports.by_field(user, period, "channel"),
            "by_category": reports.by_field(user, period, "category"),
            "by_unit": reports.by_unit(user, period),
            "channels": channels,
            "months": months,
            "on_time": reports.on_time(user, period),
            "overdue": reports.overdue(user),
            "problem_months": problem_months,
            "problems": problems,
            "satisfaction": reports.satisfaction(user, period),
            "query": request.GET.urlencode(),
            "today": timezone.localdate(),
        },
    )


@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    _form, period = _period(request)
    content = report_workbook(user=request.user, period=period)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"petitions-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
