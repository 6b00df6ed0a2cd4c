"""Time the archives Excel import on a large roster: check (phase 1) and write (phase 2).

Run: `.venv/bin/python bench/archives_import.py [households]` (default 10,000 households of
three people: about 30,000 rows). Uses a fresh SQLite file in a temporary folder (or the
database of DATABASE_URL when BENCH_KEEP_DATABASE=1), builds a small network and a staff user,
generates the roster in the import template, then prints seconds and rows per second for
reading + checking, and for the confirmed import (which checks again, then writes in bulk).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.TemporaryDirectory()
if not os.environ.get("BENCH_KEEP_DATABASE"):
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from bangfu.accounts.roles import Role  # noqa: E402
from bangfu.accounts.tests.factories import make_user  # noqa: E402
from bangfu.archives import xlsx as roster  # noqa: E402
from bangfu.archives.models import Household, HouseholdMember  # noqa: E402
from bangfu.archives.services import importing  # noqa: E402
from bangfu.archives.tests.factories import make_area, make_id_number, make_standards  # noqa: E402
from bangfu.core.xlsx import write_workbook  # noqa: E402
from bangfu.network.models import OrgUnit  # noqa: E402
from bangfu.network.tests.factories import make_unit  # noqa: E402


def generate(households: int) -> bytes:
    titles = [str(spec.title) for spec in roster.SPECS]
    index = {spec.key: i for i, spec in enumerate(roster.SPECS)}

    def row(**values: object) -> list[object]:
        cells: list[object] = [None] * len(titles)
        for key, value in values.items():
            cells[index[key]] = value
        return cells

    rows = []
    start = date(1950, 1, 1)
    for n in range(households):
        born = start + timedelta(days=n % 15000)
        head_id = make_id_number(born, sex="M", seq=n // 15000 * 3)
        rows.append(
            row(
                household_no=str(n + 1), relation="户主", name=f"职工{n}", id_number=head_id,
                work_status="下岗", marital_status="已婚", hukou="城镇", housing="自有住房",
                medical_insurance="城镇职工基本医疗保险", unit="响水社区帮扶站", area="430302",
                applied_on="2026-03-01", address=f"响水乡响水社区 {n} 号", income="800",
                wage_income="9600", main_cause="下岗失业", secondary_causes="2,6",
            )
        )  # fmt: skip
        rows.append(
            row(household_no=str(n + 1), relation="配偶", name=f"配偶{n}",
                id_number=make_id_number(born, sex="F", seq=n // 15000 * 3 + 1), identity="失业")
        )  # fmt: skip
        rows.append(
            row(household_no=str(n + 1), relation="儿子", name=f"子{n}",
                id_number=make_id_number(born + timedelta(days=9000), sex="M",
                                         seq=n // 15000 * 3 + 2),
                identity="在校学生", able_to_work="否")
        )  # fmt: skip
    return write_workbook([roster.roster_sheet(rows, title_line="基准测试花名册")])


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    call_command("migrate", verbosity=0)
    county = make_unit("雨湖区总工会职工服务(帮扶)中心", level=OrgUnit.Level.COUNTY)
    township = make_unit("响水乡职工服务(帮扶)中心", parent=county, level=OrgUnit.Level.TOWNSHIP)
    make_unit("响水社区帮扶站", parent=township, kind=OrgUnit.Kind.STATION)
    staff = make_user((Role.STAFF, township), username="bench-staff")
    make_standards(make_area())

    started = time.perf_counter()
    content = generate(households)
    print(f"generate: {time.perf_counter() - started:.1f} s, {len(content) / 1e6:.1f} MB")

    started = time.perf_counter()
    batch, table = importing.import_upload(user=staff, content=content, source_name="bench.xlsx")
    importing.import_check(user=staff, batch=batch, table=table)
    seconds = time.perf_counter() - started
    print(
        f"check (read + convert + group + validate): {seconds:.1f} s, "
        f"{batch.rows / seconds:,.0f} rows/s; status {batch.status}, errors {batch.error_count}"
    )

    started = time.perf_counter()
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)
    seconds = time.perf_counter() - started
    print(
        f"import (check again + write): {seconds:.1f} s, {batch.rows / seconds:,.0f} rows/s; "
        f"{Household.objects.count()} households, {HouseholdMember.objects.count()} members"
    )

    started = time.perf_counter()
    result = importing.roster_check(user=staff, source=content, source_name="bench.xlsx")
    seconds = time.perf_counter() - started
    print(
        f"second import, check only (all already present): {seconds:.1f} s, "
        f"{result.rows / seconds:,.0f} rows/s; skipped {len(result.skipped)}"
    )


if __name__ == "__main__":
    main()
