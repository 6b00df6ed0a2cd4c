"""Fill the columns added for large lists: the blind index of every stored mobile number, and
every archive's latest determination with its income under the 低保 line (set-based)."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

BATCH = 2000


def fill_mobile_index(apps, schema_editor):
    from bangfu.archives.identity import mobile_index

    Household = apps.get_model("archives", "Household")
    last = 0
    while True:
        # The historical model has the encrypted field class, so `mobile` arrives decrypted.
        batch = list(
            Household.objects.filter(pk__gt=last).order_by("pk").only("pk", "mobile")[:BATCH]
        )
        if not batch:
            return
        last = batch[-1].pk
        for household in batch:
            household.mobile_index = mobile_index(household.mobile or "")
        Household.objects.bulk_update(
            [h for h in batch if h.mobile_index], ["mobile_index"], batch_size=BATCH
        )


def fill_latest_determination(apps, schema_editor):
    Household = apps.get_model("archives", "Household")
    Determination = apps.get_model("archives", "Determination")
    latest = Determination.objects.filter(household=OuterRef("pk")).order_by("-created_at", "-id")
    Household.objects.update(latest_determination=Subquery(latest.values("pk")[:1]))
    # No ordering: the model's default (by household) would join the household table into
    # the subquery, and the outer reference would then name that join instead.
    under_line = (
        Determination.objects.filter(
            pk=OuterRef("latest_determination_id"),
            net_income_per_capita__isnull=False,
            net_income_per_capita__lte=F("dibao_standard__amount"),
        )
        .exclude(category="not_eligible")
        .order_by()
    )
    Household.objects.filter(latest_determination__isnull=False).update(
        net_income_under_line=Subquery(under_line.values("net_income_per_capita")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("archives", "0004_scale_search_indexes")]

    operations = [
        migrations.RunPython(fill_mobile_index, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(fill_latest_determination, migrations.RunPython.noop, elidable=True),
    ]
