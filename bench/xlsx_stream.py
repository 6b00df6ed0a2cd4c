"""Peak memory and CPU of `core.xlsx.read_table` on a large roster, the sheet read whole
(calamine holds it all) against read in pieces (`STREAM_MIN_BYTES`, `CHUNK_BYTES`).

Run: `.venv/bin/python bench/xlsx_stream.py [households] [--file roster.xlsx]` (default 33,334
households of three: 100,002 rows in the import template, written as `bench/archives_import.py`
writes it). Each mode runs in a process of its own so that its peak RSS is its own; the floor
is a process with Django loaded that reads nothing. The two tables are compared row by row.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def child(mode: str, path: str, out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from bangfu.archives import xlsx as roster
    from bangfu.core import xlsx

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if mode == "whole":
        xlsx.STREAM_MIN_BYTES = 10**15
    cpu = time.process_time()
    wall = time.perf_counter()
    rows: list[tuple[int, dict]] = []
    if mode != "floor":
        table = xlsx.read_table(path, roster.columns())
        rows = [
            (row.number, dict(row.values)) for row in table.rows[:: max(1, len(table.rows) // 2000)]
        ]
        count = len(table.rows)
    else:
        count = 0
    figures = {
        "mode": mode,
        "rows": count,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "django_mb": base,
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
    }
    Path(out).write_bytes(pickle.dumps((figures, rows)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("households", type=int, nargs="?", default=33334)
    parser.add_argument("--file", help="an existing .xlsx roster instead of a generated one")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.generate:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["BENCH_CHILD"] = "1"
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
            import archives_import  # writes the import template; no database is touched

            Path(args.generate[0]).write_bytes(archives_import.generate(int(args.generate[1])))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.file
        if not path:
            # Generated in a process of its own: a child started by a parent that holds the
            # generator's memory reports that as its own peak (ru_maxrss survives exec).
            path = str(Path(folder) / "roster.xlsx")
            subprocess.run(
                [sys.executable, __file__, "--generate", path, str(args.households)],
                check=True,
                cwd=ROOT,
            )
        print(
            f"file {path}: {Path(path).stat().st_size / 1e6:.1f} MB; load {os.getloadavg()[0]:.1f}"
        )
        results = {}
        for mode in ("floor", "whole", "pieces"):
            out = str(Path(folder) / f"{mode}.pkl")
            subprocess.run(
                [sys.executable, __file__, "--child", mode, path, out], check=True, cwd=ROOT
            )
            figures, rows = pickle.loads(Path(out).read_bytes())
            results[mode] = rows
            print(
                f"{mode:7} rows {figures['rows']:>8,}  peak RSS {figures['peak_mb']:6.0f} MB"
                f"  CPU {figures['cpu_s']:6.2f} s  wall {figures['wall_s']:6.2f} s"
            )
        print("same rows whole and in pieces:", results["whole"] == results["pieces"])


if __name__ == "__main__":
    main()
