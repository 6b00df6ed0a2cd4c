"""Seed the public benefits a household may receive (应保尽保); admins add others later."""

from django.db import migrations

DEFAULTS = [
    # code, name, is_dibao, sort_order
    ("dibao", "低保", True, 10),
    ("utilities", "水电优惠", False, 20),
    ("cable_tv", "有线电视优惠", False, 30),
    ("medical_insurance", "医疗保险", False, 40),
    ("other", "其他", False, 90),
]


def seed(apps, schema_editor):
    BenefitType = apps.get_model("archives", "BenefitType")
    for code, name, is_dibao, order in DEFAULTS:
        BenefitType.objects.get_or_create(
            code=code, defaults={"name": name, "is_dibao": is_dibao, "sort_order": order}
        )


def unseed(apps, schema_editor):
    BenefitType = apps.get_model("archives", "BenefitType")
    HouseholdBenefit = apps.get_model("archives", "HouseholdBenefit")
    codes = [code for code, *_ in DEFAULTS]
    used = HouseholdBenefit.objects.values_list("benefit_id", flat=True)
    BenefitType.objects.filter(code__in=codes).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
