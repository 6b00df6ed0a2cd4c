"""The statistics as an Excel workbook, one sheet per table (`core.xlsx.write_workbook`,
openpyxl write-only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bangfu.core.xlsx import SheetSpec, write_workbook

from .models import Petition
from .selectors import reports


def report_workbook(*, user: Any, period: reports.Period) -> bytes:
    title = _("信访统计(%(start)s 至 %(end)s)") % {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    channels, months = reports.by_month(user, period)
    channel_labels = [str(Petition.Channel(c).label) for c in channels]
    problem_months, problems = reports.frequent_problems(user, period)
    trend = {"up": _("上升"), "down": _("下降"), "flat": _("持平")}
    sheets = [
        SheetSpec(
            title=_("按来源"),
            headers=[_("来源方式"), _("件数")],
            rows=[(r.label, r.count) for r in reports.by_field(user, period, "channel")],
            title_line=title,
        ),
        SheetSpec(
            title=_("按类别"),
            headers=[_("问题类别"), _("件数")],
            rows=[(r.label, r.count) for r in reports.by_field(user, period, "category")],
            title_line=title,
        ),
        SheetSpec(
            title=_("按单位"),
            headers=[_("办理单位"), _("件数")],
            rows=[(r.label, r.count) for r in reports.by_unit(user, period)],
            title_line=title,
        ),
        SheetSpec(
            title=_("按月份"),
            headers=[_("月份"), *channel_labels, _("合计")],
            rows=[(f"{m.month:%Y-%m}", *[m.counts[c] for c in channels], m.total) for m in months],
            title_line=title,
        ),
        SheetSpec(
            title=_("按期办结率"),
            headers=[_("环节"), _("按期"), _("超期完成"), _("超期未办"), _("按期率(%)")],
            rows=[
                (r.label, r.on_time, r.late, r.open_breached, r.rate)
                for r in reports.on_time(user, period)
            ],
            title_line=title,
        ),
        SheetSpec(
            title=_("超期清单"),
            headers=[_("信访编号"), _("办理单位"), _("环节"), _("截止日期"), _("依据")],
            rows=[
                (
                    d.petition.number,
                    d.petition.unit.name,
                    str(d.get_stage_display()),
                    d.due_on,
                    d.rule,
                )
                for d in reports.overdue(user)
            ],
            title_line=_("超期清单"),
        ),
        SheetSpec(
            title=_("突出问题"),
            headers=[
                _("问题类别"),
                _("件数"),
                *[f"{m:%Y-%m}" for m in problem_months],
                _("趋势"),
            ],
            rows=[(p.label, p.total, *p.monthly, str(trend[p.trend])) for p in problems],
            title_line=title,
        ),
    ]
    return write_workbook(sheets)
