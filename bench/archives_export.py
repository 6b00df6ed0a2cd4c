"""Time the roster export (the export kit) on the bench database, beside its floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_bench_exp \\
        .venv/bin/python bench/generate.py --households 200000 --recreate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_bench_exp \\
        .venv/bin/python bench/archives_export.py [--formats xlsx csv] [--users city_leader]

Each export runs in a child process of its own (so that its peak RSS is its own), as the
city leader (every archive, every status) unless `--users` names others (`county_staff`: a
tenth of it, to see that memory does not grow with the rows): the export kit's service writes
the file row by row from keyset batches, stores it in encrypted chunks and records it, as in
the background job. The floor, in the same run, is PostgreSQL writing the same rows and
columns (every column of the archive and of its members, encrypted as stored, with no
decryption and no formatting) with `COPY (SELECT …) TO STDOUT` to a client that discards
them. Printed: households, rows, seconds, rows/s, peak RSS of the process, the ratio to the
floor, the time extrapolated (linearly) to 1,000,000 households, and the CPU seconds the
exporting process used (on a shared, loaded machine wall time is mostly waiting).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bangfu.accounts.models import User  # noqa: E402
from bangfu.archives.models import Household, HouseholdMember  # noqa: E402
from bangfu.archives.services.exporting import ROSTER_KIND, RosterExporter  # noqa: E402
from bangfu.core.models import Job  # noqa: E402
from bangfu.kits.exports import services  # noqa: E402
from bangfu.kits.exports.models import Export, Purpose  # noqa: E402

MILLION = 1_000_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(username: str, fmt: str) -> None:
    """Run one export in this process and print its figures as JSON."""
    from django.http import QueryDict

    settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 0  # queued as a job; written below as it writes
    user = User.objects.get(username=username)
    selection = RosterExporter().select(user=user, data=QueryDict("status=all"))
    before = peak_rss_mb()
    cpu = time.process_time()
    started = time.perf_counter()
    export = services.export_request(
        user=user,
        kind=ROSTER_KIND,
        params=selection.params,
        filters_text=selection.words,
        purpose=Purpose.STATISTICS,
        format=fmt,
    )
    # The job's write, in this process and outside a transaction, as `export_job` runs it
    # (the next batch read by a thread while this one is written).
    export = services.export_write(export=export)
    seconds = time.perf_counter() - started
    figures = {
        "households": export.counts.get("households", 0),
        "rows": export.rows,
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "size_mb": export.size / 2**20,
        "rss_before_mb": before,
        "rss_peak_mb": peak_rss_mb(),
    }
    Export.objects.filter(pk=export.pk).delete()  # its chunks with it
    Job.objects.filter(pk=export.job_id).delete()  # queued, never run: written above
    print(json.dumps(figures))


def floor(scope_path: str) -> dict[str, float]:
    """COPY out the same rows and columns (heads and members) of the same scope."""
    head_columns = ", ".join(f'h."{f.column}"' for f in Household._meta.concrete_fields)
    member_columns = ", ".join(f'm."{f.column}"' for f in HouseholdMember._meta.concrete_fields)
    sql = (
        f"SELECT {head_columns}, {member_columns} FROM archives_household h "
        "JOIN network_orgunit u ON u.id = h.unit_id "
        "LEFT JOIN archives_householdmember m ON m.household_id = h.id "
        f"WHERE u.path LIKE '{scope_path}%%' ORDER BY h.created_at DESC, h.id DESC"
    )
    rows = size = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY ({sql}) TO STDOUT") as copy:
            for data in copy:
                size += len(data)
                rows += bytes(data).count(b"\n")
    return {"rows": rows, "seconds": time.perf_counter() - started, "size_mb": size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--formats", nargs="+", default=["xlsx", "csv"])
    parser.add_argument("--users", nargs="+", default=["county_staff", "city_leader"])
    parser.add_argument("--child", nargs=2, metavar=("USER", "FORMAT"))
    options = parser.parse_args()
    if options.child:
        child(*options.child)
        return
    assert connection.vendor == "postgresql", "the export bench runs on PostgreSQL"
    total = Household.objects.count()
    print(
        f"database {connection.settings_dict['NAME']}: {total:,} households; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"{'who':<13} {'format':<6} {'households':>10} {'rows':>9} {'seconds':>8} "
        f"{'rows/s':>8} {'MB':>7} {'peak RSS':>9} {'floor s':>8} {'× floor':>8} {'1 M s':>7}"
    )
    for username in options.users:
        user = User.objects.get(username=username)
        path = user.role_assignments.select_related("unit").get().unit.path
        base = floor(path)
        print(
            f"{username:<13} {'COPY':<6} {'':>10} {base['rows']:>9,} {base['seconds']:>8.1f} "
            f"{base['rows'] / base['seconds']:>8,.0f} {base['size_mb']:>7.1f}"
        )
        for fmt in options.formats:
            out = subprocess.run(
                [sys.executable, __file__, "--child", username, fmt],
                capture_output=True,
                text=True,
                check=True,
                env=os.environ,
            ).stdout
            got = json.loads(out.strip().splitlines()[-1])
            per_million = got["seconds"] * MILLION / max(1, got["households"])
            cpu_per_million = got["cpu_seconds"] * MILLION / max(1, got["households"])
            print(
                f"{username:<13} {fmt:<6} {got['households']:>10,} {got['rows']:>9,} "
                f"{got['seconds']:>8.1f} {got['rows'] / got['seconds']:>8,.0f} "
                f"{got['size_mb']:>7.1f} {got['rss_peak_mb']:>7.0f}MB "
                f"{base['seconds']:>8.1f} {got['seconds'] / base['seconds']:>8.1f} "
                f"{per_million:>7.0f}"
            )
            print(
                f"{'':<13} {'':<6} this process used {got['cpu_seconds']:.1f} s of CPU "
                f"(1 M: {cpu_per_million:.0f} s of CPU; the database's own time not counted); "
                f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
            )
    print(
        "peak RSS is the whole process (Django loaded: ~"
        f"{peak_rss_mb():.0f} MB in this parent); '1 M s' extrapolates linearly."
    )


if __name__ == "__main__":
    main()
