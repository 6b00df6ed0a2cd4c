"""Profile one area's re-evaluation task (cProfile), as `archives_scale.py --only reevaluation`
runs it: a raised standard, the task, rolled back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_bench \\
        .venv/bin/python bench/profile_reevaluation.py [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

import archives_scale  # noqa: E402

from bangfu.archives.models import Area  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args()
    area = Area.objects.order_by("code").values_list("pk", flat=True)[0]
    profile = cProfile.Profile()
    started, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    evaluated, changes = archives_scale._reevaluate_areas([area])
    profile.disable()
    print(
        f"{evaluated:,} evaluated, {changes:,} changes; wall {time.perf_counter() - started:.1f} s,"
        f" CPU {time.process_time() - cpu:.1f} s (profiled)"
    )
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(options.top)
    stats.sort_stats("cumulative").print_stats(options.top)


if __name__ == "__main__":
    main()
