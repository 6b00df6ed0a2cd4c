"""What one request of the load mix costs in the server's own process: CPU time and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_bench \\
        .venv/bin/python bench/page_cost.py [--runs 200] [--api] [--profile out.prof]

Sends the requests `bench/load.py` sends (same mix, same sample values, a real log-in by the
city leader) through Django's test client, all middleware included, and prints for each kind
the CPU time of this process per request (`time.process_time`, which the machine's other load
does not inflate), the wall time, the queries, the response size and the CPU of its PostgreSQL
backend (from /proc, in 10 ms ticks: meaningful over many requests). With `--profile` the whole
run is profiled (cProfile) and the top functions printed; the file can be read with pstats.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

import load  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from load import ServerCpu  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--api", action="store_true")
    parser.add_argument("--floor", metavar="PATH")
    parser.add_argument("--profile", metavar="FILE")
    parser.add_argument("--top", type=int, default=40)
    options = parser.parse_args()
    values = load.samples(200)
    client = Client(HTTP_HOST="127.0.0.1")
    if options.api:
        from rest_framework.test import APIClient

        client = APIClient(HTTP_HOST="127.0.0.1")
        answer = client.post(
            "/api/token/", {"username": "city_leader", "password": load.PASSWORD}, format="json"
        )
        assert answer.status_code == 200, answer.content[:200]
        client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    else:
        client.get("/accounts/login/")
        answer = client.post(
            "/accounts/login/", {"username": "city_leader", "password": load.PASSWORD}
        )
        assert answer.status_code == 302, answer.status_code
    mix = load.api_mix if options.api else load.page_mix
    if options.floor:
        floor_path = options.floor

        def mix(*_args: object) -> tuple[str, str]:
            return "floor", floor_path

    rng = random.Random(1)
    after = ""
    for _ in range(20):  # warm-up: templates, translations, connections
        kind, path = mix(rng, rng.choice(values), after)
        client.get(path)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    pg: dict[str, float] = defaultdict(float)
    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    sizes: dict[str, list[int]] = defaultdict(list)
    statuses: dict[int, int] = defaultdict(int)
    profiler = cProfile.Profile() if options.profile else None
    # Under `valgrind --tool=callgrind --collect-atstart=no`: count the instructions of the
    # measured requests only (deterministic, unlike CPU time on a shared virtual machine).
    callgrind = os.environ.get("BANGFU_CALLGRIND") == "1"
    if callgrind:
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True)
    for _ in range(options.runs):
        kind, path = mix(rng, rng.choice(values), after)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started_pg = ServerCpu._cpu(backend)
            started_cpu, started = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.get(path)
            if profiler:
                profiler.disable()
            took_cpu, took = time.process_time() - started_cpu, time.perf_counter() - started
            pg[kind] += ServerCpu._cpu(backend) - started_pg
        statuses[response.status_code] += 1
        body = response.content
        if kind == "list":
            found = load.re.search(rb'href="\?(after=[^"]+)" rel="next"', body)
            after = found.group(1).decode().replace("&amp;", "&") if found else after
        cpu[kind].append(took_cpu * 1000)
        wall[kind].append(took * 1000)
        queries[kind].append(len(captured))
        sizes[kind].append(len(body))
    if callgrind:
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True)
    every = [x for v in cpu.values() for x in v]
    print(f"{'API' if options.api else 'pages'}: {options.runs} requests, answers {dict(statuses)}")
    print(
        f"all      CPU mean {statistics.mean(every):6.1f} ms, PostgreSQL backend "
        f"{sum(pg.values()) * 1000 / len(every):5.1f} ms"
    )
    for kind in cpu:
        print(
            f"{kind:<8} CPU mean {statistics.mean(cpu[kind]):6.1f} ms  p50 "
            f"{statistics.median(cpu[kind]):6.1f}  wall p50 {statistics.median(wall[kind]):6.1f}"
            f"  queries {min(queries[kind])}-{max(queries[kind])}"
            f"  {statistics.mean(sizes[kind]) / 1024:5.1f} KB  PostgreSQL "
            f"{pg[kind] * 1000 / len(cpu[kind]):5.1f} ms  ({len(cpu[kind])})"
        )
    if profiler:
        profiler.dump_stats(options.profile)
        stats = pstats.Stats(options.profile)
        stats.sort_stats("cumulative").print_stats(options.top)
        stats.sort_stats("tottime").print_stats(options.top)


if __name__ == "__main__":
    main()
