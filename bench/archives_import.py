"""Time the archives Excel import on a large roster: check (phase 1), write (phase 2), the
second (idempotent) import, each beside its floor, with the peak memory of each phase.

Run: `.venv/bin/python bench/archives_import.py [households] [--full]` (default 10,000
households of three people: about 30,000 rows; `--full` fills every column a township's roster
usually fills — the head's national-form facts, mobile and bank card, each member's sex, birth
date, health, income, school or work — where the default fills the template's few). Uses a
fresh SQLite file in a temporary folder, or — with BENCH_KEEP_DATABASE=1 — the database of
DATABASE_URL, which is dropped and created again (PostgreSQL). Builds a small network and a
staff user, generates the roster in the import template, then runs every phase in a process of
its own, so that each phase's peak RSS (`resource.getrusage`) is its own and not the
generator's:

- check: upload (read the file, seal and store it and its rows as read, queue the job) + the
  check's job (the kept rows checked), as the upload page and the worker run them;
- write: confirm + the kit's write (the kept rows checked again, the households filed);
- second check: the same file checked again once everything is filed (all "已存在,跳过");
- floor: calamine's read of the file to Python values + COPY of the same rows (every cell as
  text) into a scratch table (PostgreSQL only; SQLite gets executemany).

`--profile check|write|second` writes a cProfile of that phase to /tmp/import_<phase>.prof.
Each phase prints the time Python's cyclic collector took in it; `BENCH_GC_WHERE=1` also
prints where it ran (the innermost bangfu function at each collection). A profiler that
samples Python stacks (py-spy) counts a thread in native code that let go of the GIL as idle:
calamine's parse and psycopg's COPY are timed directly, not read from its profiles.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.TemporaryDirectory()
if not os.environ.get("BENCH_KEEP_DATABASE") and not os.environ.get("BENCH_CHILD"):
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bangfu.accounts.models import User  # noqa: E402
from bangfu.accounts.roles import Role  # noqa: E402
from bangfu.accounts.tests.factories import make_user  # noqa: E402
from bangfu.archives import xlsx as roster  # noqa: E402
from bangfu.archives.models import Household, HouseholdMember  # noqa: E402
from bangfu.archives.services import importing  # noqa: E402
from bangfu.archives.tests.factories import make_area, make_id_number, make_standards  # noqa: E402
from bangfu.archives.tests.filing_factories import bank_card  # noqa: E402
from bangfu.core.xlsx import write_workbook  # noqa: E402
from bangfu.kits.imports import services as imports  # noqa: E402
from bangfu.kits.imports.models import ImportBatch  # noqa: E402
from bangfu.network.models import OrgUnit  # noqa: E402
from bangfu.network.tests.factories import make_unit  # noqa: E402

POSTGRES = connection.vendor == "postgresql"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def helper_peak_mb() -> float:
    """The largest peak RSS of the helper processes this phase forked (`core.forked`), 0 if
    none: pages shared with this process (the file's rows) are counted in both."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its helper processes so far (user + system): on a
    shared machine, the part of the wall time that was this phase's own work."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


# `--full`: the columns a township's own roster fills besides the template's few, on every
# head (the national form's facts, a mobile and a bank card: encrypted and indexed) and member.
def _full_head(n: int, born: date) -> dict[str, object]:
    return {
        "sex": "男",
        "birth_date": born.isoformat(),
        "ethnicity": "汉族",
        "political_status": "群众",
        "health": ("健康", "长期慢性病", "患重特大疾病")[n % 3],
        "disability": "无",
        "work_unit": f"湘潭电机厂第{n % 40}车间",
        "work_started_on": "1985-07-01",
        "industry": "制造业",
        "employer_nature": "国有企业",
        "enterprise_status": "困难",
        "mobile": f"139{n:08d}",
        "hukou_area_code": "430302",
        "union_member": "是",
        "postcode": "411100",
        "floor_area": "62.5",
        "single_parent": "否",
        "zero_employment": "否",
        "transfer_income": "1200",
        "medical_spending": str(300 + n % 700),
        "bank_name": "中国工商银行",
        "bank_branch": "湘潭雨湖支行",
        "bank_card": bank_card(f"62220219{n:010d}"),
        "bank_account_holder": f"职工{n}",
        "consent_sensitive_on": "2026-03-01",
        "consent_publication_on": "2026-03-01",
        "notes": "2026 年入户核实",
    }


def _full_member(n: int, born: date, sex: str, student: bool) -> dict[str, object]:
    return {
        "sex": sex,
        "birth_date": born.isoformat(),
        "health": "健康",
        "disability": "无",
        "income": "0" if student else "600",
        "work_unit": "湘潭市第一中学" if student else f"雨湖区{n % 90}号商店",
        "education": "高中、中专、职高" if student else "初中",
    }


def generate(households: int, full: bool = False) -> bytes:
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
                **(_full_head(n, born) if full else {}),
            )
        )  # fmt: skip
        rows.append(
            row(household_no=str(n + 1), relation="配偶", name=f"配偶{n}",
                id_number=make_id_number(born, sex="F", seq=n // 15000 * 3 + 1), identity="失业",
                **(_full_member(n, born, "女", False) if full else {}))
        )  # fmt: skip
        child_born = born + timedelta(days=9000)
        rows.append(
            row(household_no=str(n + 1), relation="儿子", name=f"子{n}",
                id_number=make_id_number(child_born, sex="M", seq=n // 15000 * 3 + 2),
                identity="在校学生", able_to_work="否",
                **(_full_member(n, child_born, "男", True) if full else {}))
        )  # fmt: skip
    return write_workbook([roster.roster_sheet(rows, title_line="基准测试花名册")])


def _recreate_postgres() -> None:
    import psycopg

    db = settings.DATABASES["default"]
    admin = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=str(db.get("PORT") or 5432),
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


# --- The phases, each run in a child process ----------------------------------------------------


def _staff() -> User:
    return User.objects.get(username="bench-staff")


def phase_setup(path: Path, households: int, full: bool = False) -> dict[str, float]:
    call_command("migrate", verbosity=0)
    county = make_unit("雨湖区总工会职工服务(帮扶)中心", level=OrgUnit.Level.COUNTY)
    township = make_unit("响水乡职工服务(帮扶)中心", parent=county, level=OrgUnit.Level.TOWNSHIP)
    make_unit("响水社区帮扶站", parent=township, kind=OrgUnit.Kind.STATION)
    make_user((Role.STAFF, township), username="bench-staff")
    make_standards(make_area())
    started = time.perf_counter()
    content = generate(households, full)
    path.write_bytes(content)
    return {"seconds": time.perf_counter() - started, "mb": len(content) / 1e6}


def _upload_and_check(content: bytes) -> ImportBatch:
    """What the upload page and the check's job do: the request reads the file, keeps it and
    its rows and queues the job (`batch_start_check`); the job (run here, in this process)
    checks the rows kept (`batch_check` without a table, as `check_job` calls it)."""
    staff = _staff()
    batch, job = imports.batch_start_check(
        user=staff, kind=importing.KIND, content=content, source_name="bench.xlsx"
    )
    assert job is not None, "a file this large is checked by a job"
    return importing.import_check(user=staff, batch=batch)


def phase_check(path: Path) -> dict[str, object]:
    content = path.read_bytes()
    started = time.perf_counter()
    batch = _upload_and_check(content)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": batch.rows,
        "status": batch.status,
        "errors": batch.error_count,
        "batch": str(batch.pk),
    }


def phase_write(batch_id: str) -> dict[str, object]:
    staff = _staff()
    batch = ImportBatch.objects.get(pk=batch_id)
    started = time.perf_counter()
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": batch.rows,
        "status": batch.status,
        "households": Household.objects.count(),
        "members": HouseholdMember.objects.count(),
    }


def phase_second(path: Path) -> dict[str, object]:
    content = path.read_bytes()
    started = time.perf_counter()
    batch = _upload_and_check(content)  # as in phase_check
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": batch.rows,
        "status": batch.status,
        "skipped": batch.counts.get("households_existing", 0),
    }


def phase_floor(path: Path) -> dict[str, object]:
    import python_calamine

    started = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    read = time.perf_counter() - started
    header = next(i for i, cells in enumerate(grid) if "姓名" in cells)
    rows = [[None if c == "" else str(c) for c in cells] for cells in grid[header + 1 :]]
    del grid
    width = max(len(r) for r in rows)
    columns = ", ".join(f"c{i} text" for i in range(width))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_floor")
        cursor.execute(f"CREATE TABLE bench_import_floor ({columns})")
        if POSTGRES:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy("COPY bench_import_floor FROM STDIN") as copy:
                for cells in rows:
                    copy.write_row(cells + [None] * (width - len(cells)))
        else:
            marks = ", ".join(["%s"] * width)
            cursor.executemany(
                f"INSERT INTO bench_import_floor VALUES ({marks})",
                [cells + [None] * (width - len(cells)) for cells in rows],
            )
        cursor.execute("DROP TABLE bench_import_floor")
    return {"read": read, "copy": time.perf_counter() - started, "rows": len(rows)}


class _CollectorTime:
    """The time Python's cyclic garbage collector took in this process (`gc.callbacks`)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.runs = 0
        self._started = 0.0
        # BENCH_GC_WHERE=1: the seconds by the innermost bangfu function running at the time.
        self.where: dict[str, float] | None = {} if os.environ.get("BENCH_GC_WHERE") else None
        self._at = ""

    def __call__(self, stage: str, _info: dict[str, int]) -> None:
        if stage == "start":
            if self.where is not None:
                frame = sys._getframe(1)
                while frame is not None and "/bangfu/" not in frame.f_code.co_filename:
                    frame = frame.f_back  # type: ignore[assignment]
                self._at = (
                    f"{frame.f_code.co_filename.split('/bangfu/')[-1]}:{frame.f_code.co_name}"
                    if frame is not None
                    else "?"
                )
            self._started = time.perf_counter()
        else:
            spent = time.perf_counter() - self._started
            self.seconds += spent
            self.runs += 1
            if self.where is not None:
                self.where[self._at] = self.where.get(self._at, 0.0) + spent


def child(phase: str, arg: str) -> None:
    import gc

    profile = os.environ.get("BENCH_PROFILE") == phase
    collector = _CollectorTime()
    gc.callbacks.append(collector)
    cpu = cpu_seconds()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    if phase == "setup":
        path, households, full = arg.split("|")
        result: dict[str, object] = dict(phase_setup(Path(path), int(households), full == "1"))
    elif phase == "check":
        result = phase_check(Path(arg))
    elif phase == "write":
        result = phase_write(arg)
    elif phase == "second":
        result = phase_second(Path(arg))
    else:
        result = phase_floor(Path(arg))
    if profile:
        profiler.disable()
        profiler.dump_stats(f"/tmp/import_{phase}.prof")
    result["peak_mb"] = peak_mb()
    result["helper_mb"] = helper_peak_mb()
    result["cpu"] = cpu_seconds() - cpu
    helper = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["helper_cpu"] = helper.ru_utime + helper.ru_stime
    result["gc_seconds"], result["gc_runs"] = collector.seconds, collector.runs
    if collector.where is not None:
        ranked = sorted(collector.where.items(), key=lambda item: -item[1])[:6]
        print(f"{phase}: collector by place: " + "; ".join(f"{k} {v:.2f} s" for k, v in ranked))
    print("RESULT " + json.dumps(result, default=str))


def _available_mb() -> float:
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _machine_busy() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far (`/proc/stat`): with PostgreSQL's."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / tick, sum(fields) / tick


def run(phase: str, arg: str) -> dict[str, object]:
    """Run a phase in a process of its own; besides its figures, the most memory the machine
    lost while it ran ("taken": MemAvailable sampled every 50 ms, against before it started),
    which counts a helper process's own pages once and the server's too."""
    env = {**os.environ, "BENCH_CHILD": "1"}
    before = _available_mb()
    lowest = [before]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            lowest[0] = min(lowest[0], _available_mb())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    busy_before, all_before = _machine_busy()
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", phase, arg],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        busy_after, all_after = _machine_busy()
        running.clear()
        sampler.join()
    for other in out.stdout.splitlines():
        if "collector by place" in other:
            print(other)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    result = dict(json.loads(line[len("RESULT ") :]))
    result["taken_mb"] = before - lowest[0]
    result["machine_busy"] = busy_after - busy_before
    result["machine_all"] = all_after - all_before
    return result


def _memory(result: dict[str, object]) -> str:
    text = (
        f"cyclic collector {result['gc_seconds']:.2f} s in {result['gc_runs']} runs; "
        f"peak RSS {result['peak_mb']:.0f} MB"
    )
    if result.get("helper_mb"):
        text += (
            f" + helper {result['helper_mb']:.0f} MB (shared pages in both), "
            f"helper CPU {result['helper_cpu']:.1f} s"
        )
    busy, every = result["machine_busy"], result["machine_all"]
    return (
        text
        + f"; machine's memory taken {result['taken_mb']:.0f} MB"
        + f"; machine's CPU busy {busy:.1f} of {every:.1f} s ({busy / max(every, 1e-9):.0%})"  # type: ignore[operator]
    )


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(args[1], args[2])
        return
    if args[:1] == ["--profile"]:
        os.environ["BENCH_PROFILE"] = args[1]
        args = args[2:]
    full = "--full" in args
    args = [arg for arg in args if arg != "--full"]
    households = int(args[0]) if args else 10_000
    if POSTGRES:
        _recreate_postgres()
    path = Path(_tmp.name) / "bench.xlsx"
    load = os.getloadavg()
    print(
        f"{connection.vendor}, {households:,} households"
        f"{' (full rows: every column a township fills)' if full else ''}; "
        f"load average {load[0]:.1f}"
    )
    made = run("setup", f"{path}|{households}|{int(full)}")
    print(f"generate: {made['seconds']:.1f} s, {made['mb']:.1f} MB")

    floor = run("floor", str(path))
    print(
        f"floor: calamine read {floor['read']:.1f} s + "
        f"{'COPY' if POSTGRES else 'executemany'} {floor['copy']:.1f} s of {floor['rows']:,} "
        f"rows = {floor['read'] + floor['copy']:.1f} s; peak RSS {floor['peak_mb']:.0f} MB"
    )
    check = run("check", str(path))
    rows = int(check["rows"])
    print(
        f"check (upload + read + convert + group + validate): {check['seconds']:.1f} s, "
        f"{rows / check['seconds']:,.0f} rows/s, {check['cpu']:.1f} s CPU; "
        f"status {check['status']}, errors {check['errors']}; {_memory(check)}"
    )
    write = run("write", str(check["batch"]))
    print(
        f"write (confirm + read + check again + file): {write['seconds']:.1f} s, "
        f"{rows / write['seconds']:,.0f} rows/s, {write['cpu']:.1f} s CPU; "
        f"status {write['status']}, "
        f"{write['households']} households, {write['members']} members; "
        f"{_memory(write)}"
    )
    second = run("second", str(path))
    print(
        f"second import, check (all already present): {second['seconds']:.1f} s, "
        f"{rows / second['seconds']:,.0f} rows/s, {second['cpu']:.1f} s CPU; "
        f"status {second['status']}, skipped "
        f"{second['skipped']}; {_memory(second)}"
    )
    total = check["seconds"] + write["seconds"]  # type: ignore[operator]
    load = os.getloadavg()
    print(
        f"check + write: {total:.1f} s (floor {floor['read'] + floor['copy']:.1f} s); "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )


if __name__ == "__main__":
    main()
