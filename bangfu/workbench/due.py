"""The holiday table's part of the worklist, for whoever manages the calendar.

* From 1 October (the State Council publishes the next year's holidays in the autumn), a year
  whose official holidays are not confirmed yet — this year or the next — is due: deadlines
  that reach into it are provisional until it is.
* A year a newer release of the holiday package now knows, while open deadlines in it are still
  marked provisional, wants confirming so that they are recounted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core import deadlines, workdays
from bangfu.core.worklist import DueItem, register

from .permissions import WorkbenchPermission

# From this day of the year on, the next year's holidays are expected.
NEXT_YEAR_FROM = (10, 1)


@register
def calendar_due_items(user: Any) -> Iterable[DueItem]:
    if not policy.has_perm(user, WorkbenchPermission.MANAGE_CALENDAR):
        return []
    today = timezone.localdate()
    years = [today.year]
    if (today.month, today.day) >= NEXT_YEAR_FROM:
        years.append(today.year + 1)
    items = []
    for year in years:
        status = workdays.year_status(year)
        url = reverse("workbench:calendar_confirm", args=[year])
        if status == "provisional":
            items.append(
                DueItem(
                    title=_("录入并确认 %(year)s 年法定节假日安排") % {"year": year},
                    url=url,
                    # Due before the year begins: a deadline set in December reaches into it.
                    due=max(today, date(year - 1, 12, 1)) if year > today.year else today,
                    rule=_("节假日安排未确认前,跨入该年的期限按暂定安排计算"),
                    context=_("节假日设置"),
                )
            )
        elif status == "builtin" and deadlines.provisional_count(years={year}):
            items.append(
                DueItem(
                    title=_("确认 %(year)s 年节假日安排,重新计算暂定的期限") % {"year": year},
                    url=url,
                    due=today,
                    rule=_("系统内置数据已包含该年,此前按暂定安排计算的期限需重新计算"),
                    context=_("节假日设置"),
                )
            )
    return items
