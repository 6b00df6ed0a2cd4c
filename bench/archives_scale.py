"""Time what a city's users wait for, at a million archives, beside the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_bench \\
        .venv/bin/python bench/archives_scale.py [--runs 30] [--only search,list,...]

on the database written by `bench/generate.py`. Every figure is server time through the
project's own code — the pages through Django's test client (all middleware, templates,
access log), the API through DRF's client, the re-evaluation through its task — as the city
leader (the city staff for what only staff see), with inputs drawn from the data (a different
archive each run). Beside it, the floor: the raw SQL giving the same answer (the page's rows),
timed in the same run. Printed: p50 and p95 of the app, p50 of the floor, the target.

Groups (`--only`): search, list, worklist, dynamic, detail, admin, login, reevaluation.
The re-evaluation runs in a transaction that is rolled back (the data stays as generated).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.contrib.auth.hashers import check_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bangfu.accounts.models import User  # noqa: E402
from bangfu.archives.identity import id_index  # noqa: E402
from bangfu.core.crypto import blind_index  # noqa: E402


def mobile_index(mobile: str) -> str:  # as archives.identity has it (absent before it existed)
    return blind_index("".join(ch for ch in mobile if ch.isdigit()), purpose="archives.mobile")


from bangfu.archives.models import Area, Household, HouseholdMember  # noqa: E402
from bangfu.core.text import name_initials  # noqa: E402

PASSWORD = "Bench@2026-password"
NEW_CODE = os.path.exists(Path(__file__).resolve().parent.parent / "bangfu/core/paging.py")
COLUMNS = (
    "h.id, h.created_at, h.archive_no, h.name, h.sex, h.id_number, h.mobile, h.category, "
    "h.status, h.main_cause, h.review_due_on, h.closed_on, h.rule_version, u.id, u.name"
)
results: list[tuple[str, float, float, float | None, str]] = []


def timed(fn: Callable[[int], Any], runs: int) -> list[float]:
    fn(0)  # one warm-up (connections, caches of this process)
    out = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i + 1)
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(label: str, app: list[float], floor: list[float] | None, target: str) -> None:
    p50 = statistics.median(app)
    f50 = statistics.median(floor) if floor else None
    results.append((label, p50, p95(app), f50, target))
    floor_text = f"{f50:8.2f}" if f50 is not None else "       —"
    print(f"{label:<46} {p50:9.1f} {p95(app):9.1f} {floor_text}   {target}", flush=True)


def sql(query: str, params: list[Any]) -> Callable[[int], Any]:
    def run(_i: int) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    return run


def page(client: Client, url: str, ok: tuple[int, ...] = (200,)) -> Any:
    response = client.get(url, follow=True)
    if response.status_code not in ok:
        raise SystemExit(f"{url}: {response.status_code}")
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", default="")
    parser.add_argument("--reevaluation-workers", type=int, nargs="+", default=[1, 2], metavar="N")
    options = parser.parse_args()
    only = set(filter(None, options.only.split(",")))
    runs = options.runs

    def wanted(group: str) -> bool:
        return not only or group in only

    leader = User.objects.get(username="city_leader")
    staff = User.objects.get(username="city_staff")
    city_path = leader.role_assignments.select_related("unit").get().unit.path
    leader_client, staff_client = Client(), Client()
    leader_client.force_login(leader)
    staff_client.force_login(staff)
    api = APIClient()
    api.force_authenticate(leader)
    rng = random.Random(2026)
    top = Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = rng.sample(range(1, top + 1), 4 * runs + 8)
    samples = list(
        Household.objects.filter(pk__in=picks)
        .exclude(mobile_last4="")
        .only("id_number", "mobile", "name")
    )[: runs + 1]
    member_ids = list(
        HouseholdMember.objects.filter(household_id__in=picks)
        .exclude(id_last4="")
        .only("id_number")[: runs + 1]
    )
    print(f"{Household.objects.count():,} archives; {len(samples)} sampled; new code: {NEW_CODE}")
    print(
        f"{'city leader unless said':<46} {'app p50':>9} {'app p95':>9} {'floor p50':>9}   target"
    )

    def s(i: int) -> Household:
        return samples[i % len(samples)]

    scope = (
        "FROM archives_household h JOIN network_orgunit u ON u.id = h.unit_id WHERE u.path LIKE %s"
    )
    order = "ORDER BY h.created_at DESC, h.id DESC LIMIT 20"
    list_url = "/archives/"

    if wanted("search"):
        kinds: list[tuple[str, Callable[[int], str], str, Callable[[int], list[Any]]]] = [
            (
                "name, 2 characters",
                lambda i: s(i).name[:2],
                "h.name LIKE %s",
                lambda i: [s(i).name[:2] + "%"],
            ),
            (
                "name, surname only",
                lambda i: s(i).name[:1],
                "h.name LIKE %s",
                lambda i: [s(i).name[:1] + "%"],
            ),
            (
                "pinyin initials (2 letters)",
                lambda i: name_initials(s(i).name)[:2],
                "h.name_initials LIKE %s",
                lambda i: [name_initials(s(i).name)[:2] + "%"],
            ),
            (
                "ID last four (head or member)",
                lambda i: s(i).id_number[-4:],
                "h.id IN (SELECT id FROM archives_household WHERE id_last4 = %s UNION ALL "
                "SELECT household_id FROM archives_householdmember WHERE id_last4 = %s UNION ALL "
                "SELECT id FROM archives_household WHERE mobile_last4 = %s)",
                lambda i: [s(i).id_number[-4:]] * 3,
            ),
            (
                "full ID (a member's)",
                lambda i: member_ids[i % len(member_ids)].id_number,
                "h.id IN (SELECT id FROM archives_household WHERE id_index = %s UNION ALL "
                "SELECT household_id FROM archives_householdmember WHERE id_index = %s)",
                lambda i: [id_index(member_ids[i % len(member_ids)].id_number)] * 2,
            ),
            (
                "mobile tail",
                lambda i: s(i).mobile[-4:],
                "h.id IN (SELECT id FROM archives_household WHERE id_last4 = %s UNION ALL "
                "SELECT household_id FROM archives_householdmember WHERE id_last4 = %s UNION ALL "
                "SELECT id FROM archives_household WHERE mobile_last4 = %s)",
                lambda i: [s(i).mobile[-4:]] * 3,
            ),
            (
                "full mobile",
                lambda i: s(i).mobile,
                "h.mobile_index = %s",
                lambda i: [mobile_index(s(i).mobile)],
            ),
        ]
        for label, typed, where, params in kinds:
            floor_sql = f"SELECT {COLUMNS} {scope} AND {where} {order}"
            floor = timed(
                lambda i, w=floor_sql, p=params: sql(w, [city_path + "%", *p(i)])(i), runs
            )
            app = timed(lambda i, t=typed: page(leader_client, list_url + "?" + _q(t(i))), runs)
            report(f"search page: {label}", app, floor, "p95 < 50 ms")
            app = timed(
                lambda i, t=typed: api.get("/api/households/", {"q": t(i), "limit": 20}), runs
            )
            report(f"search API: {label}", app, floor, "p95 < 50 ms")

    if wanted("list"):
        floor = timed(sql(f"SELECT {COLUMNS} {scope} {order}", [city_path + "%"]), runs)
        report(
            "list, first page",
            timed(lambda i: page(leader_client, list_url), runs),
            floor,
            "p95 < 150 ms",
        )
        last = "?last=1" if NEW_CODE else "?page=999999"
        floor = timed(
            sql(
                f"SELECT {COLUMNS} {scope} ORDER BY h.created_at, h.id LIMIT 20", [city_path + "%"]
            ),
            runs,
        )
        report(
            "list, last page",
            timed(lambda i: page(leader_client, list_url + last), runs),
            floor,
            "p95 < 150 ms",
        )
        report(
            "list API, first page",
            timed(lambda i: api.get("/api/households/", {"limit": 20}), runs),
            floor,
            "p95 < 150 ms",
        )
        floor = timed(
            sql(f"SELECT {COLUMNS} {scope} AND h.status = 'applied' {order}", [city_path + "%"]),
            runs,
        )
        report(
            "list, status 待入户调查",
            timed(lambda i: page(leader_client, list_url + "?status=applied"), runs),
            floor,
            "p95 < 150 ms",
        )

    if wanted("worklist"):
        today = timezone.localdate()
        floor = timed(
            sql(
                f"SELECT h.id, h.name, h.review_due_on, u.name {scope} AND h.status = 'active' "
                "AND h.review_due_on <= %s ORDER BY h.review_due_on, h.id LIMIT 51",
                [city_path + "%", today + timedelta(days=30)],
            ),
            runs,
        )
        report(
            "worklist, city staff",
            timed(lambda i: page(staff_client, "/worklist/"), runs),
            floor,
            "p95 < 150 ms",
        )
        floor = timed(
            sql(
                f"SELECT h.id, h.name, h.updated_at, u.name {scope} AND "
                "h.status = 'pending_approval' ORDER BY h.updated_at, h.id LIMIT 200",
                [city_path + "%"],
            ),
            runs,
        )
        report(
            "worklist, city leader",
            timed(lambda i: page(leader_client, "/worklist/"), runs),
            floor,
            "p95 < 150 ms",
        )

    if wanted("dynamic"):
        today = timezone.localdate()
        floor = timed(
            sql(
                f"SELECT {COLUMNS} {scope} AND h.status = 'active' AND h.review_due_on <= %s "
                "ORDER BY h.review_due_on, h.id LIMIT 50",
                [city_path + "%", today + timedelta(days=30)],
            ),
            runs,
        )
        report(
            "reviews due, first page",
            timed(lambda i: page(leader_client, "/archives/reviews/due/"), runs),
            floor,
            "p95 < 150 ms",
        )
        gap_floor = (
            f"SELECT {COLUMNS}, h.net_income_under_line, d.category, d.determined_on, s.amount "
            "FROM archives_household h JOIN network_orgunit u ON u.id = h.unit_id "
            "LEFT JOIN archives_determination d ON d.id = h.latest_determination_id "
            "LEFT JOIN archives_dibaostandard s ON s.id = d.dibao_standard_id "
            "WHERE u.path LIKE %s AND h.status IN ('draft','applied','investigated','reviewed',"
            "'publicizing','pending_approval','active','returned') AND NOT h.receives_dibao "
            "AND h.net_income_under_line IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
            "archives_householdbenefit b JOIN archives_benefittype t ON t.id = b.benefit_id "
            "WHERE b.household_id = h.id AND t.is_dibao AND b.started_on <= %s AND "
            "(b.ended_on IS NULL OR b.ended_on >= %s)) "
            "ORDER BY h.net_income_under_line, h.id LIMIT 50"
        )
        floor = timed(sql(gap_floor, [city_path + "%", today, today]), runs)
        # What the same answer costs without the latest determination kept on the archive.
        from_determinations = (
            "WITH latest AS (SELECT DISTINCT ON (household_id) household_id, "
            "net_income_per_capita, category, dibao_standard_id FROM archives_determination "
            "ORDER BY household_id, created_at DESC, id DESC) "
            f"SELECT {COLUMNS}, l.net_income_per_capita FROM archives_household h "
            "JOIN network_orgunit u ON u.id = h.unit_id "
            "JOIN latest l ON l.household_id = h.id "
            "JOIN archives_dibaostandard s ON s.id = l.dibao_standard_id WHERE u.path LIKE %s "
            "AND h.status IN ('draft','applied','investigated','reviewed','publicizing',"
            "'pending_approval','active','returned') AND NOT h.receives_dibao "
            "AND l.net_income_per_capita <= s.amount AND l.category <> 'not_eligible' "
            "AND NOT EXISTS (SELECT 1 FROM archives_householdbenefit b JOIN "
            "archives_benefittype t ON t.id = b.benefit_id WHERE b.household_id = h.id AND "
            "t.is_dibao AND b.started_on <= %s AND (b.ended_on IS NULL OR b.ended_on >= %s)) "
            "ORDER BY l.net_income_per_capita, h.id LIMIT 50"
        )
        app = timed(lambda i: page(leader_client, "/archives/benefits/dibao-gap/"), runs)
        report("应享未享低保, first page", app, floor, "< 500 ms")
        slow = timed(sql(from_determinations, [city_path + "%", today, today]), max(3, runs // 10))
        report("  same answer from determinations (raw SQL)", slow, None, "(what keeping saves)")

    if wanted("detail"):
        floor = timed(
            lambda i: sql("SELECT * FROM archives_household WHERE id = %s; ", [s(i).pk])(i),
            runs,
        )
        report(
            "archive detail page",
            timed(lambda i: page(leader_client, f"/archives/{s(i).pk}/"), runs),
            floor,
            "",
        )

    if wanted("admin"):
        ours = timed(lambda i: page(leader_client, list_url), max(5, runs // 3))
        theirs = timed(
            lambda i: page(leader_client, "/bench-admin/archives/household/"), max(5, runs // 3)
        )
        report("Django admin change list, first page", theirs, None, "")
        ratio = statistics.median(theirs) / statistics.median(ours)
        print(f"  admin change list / archive list (p50): {ratio:.1f} ×", flush=True)
        results.append(("admin / list ratio (p50)", ratio, ratio, None, ""))

    if wanted("login"):
        user = User.objects.get(username="city_leader")
        hasher = timed(lambda i: check_password(PASSWORD, user.password), 5)

        def log_in(_i: int) -> None:
            client = Client()
            response = client.post(
                "/accounts/login/", {"username": "city_leader", "password": PASSWORD}
            )
            if response.status_code != 302:
                raise SystemExit(f"log-in: {response.status_code}")

        report(
            "log-in (POST, session, redirect)",
            timed(log_in, 5),
            hasher,
            "≈ the hasher (floor: check_password)",
        )

    if wanted("reevaluation"):
        for workers in options.reevaluation_workers:
            reevaluate_all(workers)


def _q(text: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": text})


def _reevaluate_areas(area_ids: list[int]) -> tuple[int, int]:
    """Raise the 低保 standard of each area and run its re-evaluation task, as a worker
    would; in one transaction, rolled back. Return (evaluated, category changes proposed)."""
    from django.db import connections

    from bangfu.archives.models import DibaoStandard, Reevaluation, ReevaluationItem
    from bangfu.archives.tasks import reevaluate_area
    from bangfu.core.models import Job

    connections.close_all()  # a forked process opens its own connection
    staff = User.objects.get(username="city_staff")
    evaluated = 0
    with transaction.atomic():
        for area in Area.objects.filter(pk__in=area_ids).order_by("code"):
            current = area.dibao_standards.order_by("-effective_from").first()
            assert current is not None
            standard = DibaoStandard.objects.create(
                area=area,
                amount=current.amount + Decimal("50.00"),
                effective_from=timezone.localdate() + timedelta(days=1),
            )
            reevaluation = Reevaluation.objects.create(standard=standard, started_by=staff)
            job = Job.objects.create(user=staff, kind="bench", title="bench")
            reevaluate_area.call(job_id=str(job.pk), reevaluation_id=reevaluation.pk)
            reevaluation.refresh_from_db()
            evaluated += reevaluation.evaluated
        items = ReevaluationItem.objects.count()
        transaction.set_rollback(True)
    return evaluated, items


def reevaluate_all(workers: int) -> None:
    """Re-evaluate every open archive after a 低保 change in every area: one task per area, as
    the job runs them, by `workers` processes side by side (as that many db_workers would)."""
    import multiprocessing

    areas = list(Area.objects.order_by("code").values_list("pk", flat=True))
    total_open = Household.objects.filter(status__in=Household.OPEN_STATUSES).count()
    shares = [areas[i::workers] for i in range(workers)]
    started = time.perf_counter()
    if workers == 1:
        done = [_reevaluate_areas(areas)]
    else:
        from django.db import connections

        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.map(_reevaluate_areas, shares)
    seconds = time.perf_counter() - started
    evaluated = sum(e for e, _i in done)
    items = sum(i for _e, i in done)
    print(
        f"re-evaluation of {total_open:,} open archives by {workers} worker(s) "
        f"({evaluated:,} evaluated, {items:,} category changes proposed): {seconds:.0f} s, "
        f"{evaluated / seconds:,.0f}/s; at that rate 1,000,000 in "
        f"{1_000_000 / (evaluated / seconds):.0f} s (target < 120 s)",
        flush=True,
    )
    results.append(("re-evaluation, all open archives (s)", seconds, seconds, None, "< 120 s"))


if __name__ == "__main__":
    main()
