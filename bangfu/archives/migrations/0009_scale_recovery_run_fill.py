"""Fill the 脱困 run kept on each archive (0008) from the incomes already recorded.

The same rule as `services.dynamic.recovery_run`, written out here so that the migration does
not depend on code that may change later: counting back from the latest recorded month without
a gap, the months each above the 低保 standard in force that month (the latest standard with
`effective_from` on or before the 1st of the month; equal is not above). Only archives with
incomes are read, in batches of 5,000 (three queries and one UPDATE per batch).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date

from django.db import migrations

BATCH = 5000


def _previous_month(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def fill(apps, schema_editor):
    Household = apps.get_model("archives", "Household")
    MonthlyIncome = apps.get_model("archives", "MonthlyIncome")
    DibaoStandard = apps.get_model("archives", "DibaoStandard")
    dates: dict[int, list[date]] = defaultdict(list)
    amounts: dict[int, list] = defaultdict(list)
    for area_id, effective_from, amount in DibaoStandard.objects.order_by(
        "area_id", "effective_from"
    ).values_list("area_id", "effective_from", "amount"):
        dates[area_id].append(effective_from)
        amounts[area_id].append(amount)

    def standard_on(area_id, month):
        index = bisect.bisect_right(dates.get(area_id, []), month) - 1
        return amounts[area_id][index] if index >= 0 else None

    with_incomes = Household.objects.filter(
        pk__in=MonthlyIncome.objects.values("household_id")
    ).order_by("pk")
    after = 0
    while True:
        rows = list(with_incomes.filter(pk__gt=after).values_list("pk", "area_id")[:BATCH])
        if not rows:
            return
        after = rows[-1][0]
        incomes = defaultdict(list)
        for pk, month, amount in (
            MonthlyIncome.objects.filter(household_id__in=[pk for pk, _area in rows])
            .order_by("household_id", "-month")
            .values_list("household_id", "month", "net_income_per_capita")
        ):
            incomes[pk].append((month, amount))
        updates = []
        for pk, area_id in rows:
            run, latest, expected = 0, None, None
            for month, amount in incomes[pk]:
                if expected is None:
                    latest = expected = month
                if month != expected:
                    break
                line = standard_on(area_id, month) if area_id else None
                if line is None or amount <= line:
                    break
                run += 1
                expected = _previous_month(month)
            if run:
                updates.append(Household(pk=pk, recovery_run=run, recovery_run_end=latest))
        Household.objects.bulk_update(updates, ["recovery_run", "recovery_run_end"])


class Migration(migrations.Migration):
    dependencies = [("archives", "0008_scale_recovery_run")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
