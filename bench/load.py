"""Drive a running server with a mix of list, detail and search requests from another process.

    # the server (bench data, production-like settings), in one shell:
    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://…/bangfu_bench \\
        .venv/bin/gunicorn config.wsgi --workers 4 --bind 127.0.0.1:8005 \\
        --access-logfile /dev/null
    # the load, in another:
    DATABASE_URL=postgres://…/bangfu_bench .venv/bin/python bench/load.py \\
        --url http://127.0.0.1:8005 --seconds 60 --threads 16 [--api]

Each thread logs in as the city leader (its own session), then sends requests back to back:
40 % archive list (first page, a filter, the next page by key), 30 % archive detail, 30 %
search (name, initials, last four, whole ID by key, whole mobile by key); with `--api` the
same through the JSON API with a token. Prints requests per second, p50/p95/p99 and every
answer that was not 200. Standard library only (http.client), so it needs nothing installed.

The client's own CPU is printed too: 8 Python threads can take a large share of a 2-core
machine. With `--wrk` the same sessions are logged in here, the same mix is drawn (5,000
requests, the next page by key followed as here) and sent by `wrk` (Debian's package) through
`bench/wrk_mix.lua`, which counts every answer's status: a far lighter generator, in C.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

PASSWORD = "Bench@2026-password"


def samples(count: int) -> list[dict[str, str]]:
    """Real values to search for, read from the bench database (decrypted with its keys)."""
    import django

    django.setup()
    from bangfu.archives.models import Household
    from bangfu.archives.selectors.browse import search_key
    from bangfu.core.text import name_initials

    rng = random.Random(7)
    top = Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    rows = Household.objects.filter(pk__in=rng.sample(range(1, top + 1), count * 2)).exclude(
        mobile_last4=""
    )
    return [
        {
            "pk": str(h.pk),
            "name": h.name[:2],
            "initials": name_initials(h.name)[:2],
            "tail": h.id_number[-4:],
            "id_key": search_key(h.id_number),
            "mobile_key": search_key(h.mobile),
            "id": h.id_number,
            "mobile": h.mobile,
        }
        for h in rows.only("name", "id_number", "mobile")[:count]
    ]


class Session:
    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()

    def log_in(self) -> None:
        _status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the log-in page"
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": "city_leader",
                "password": PASSWORD,
            }
        )
        self.headers["Referer"] = f"http://{self.host}:{self.port}/accounts/login/"
        status, _ = self.request("POST", "/accounts/login/", body)
        assert status == 302, f"log-in answered {status}"

    def token(self) -> None:
        body = json.dumps({"username": "city_leader", "password": PASSWORD})
        self.headers["Content-Type"] = "application/json"
        status, data = self.request("POST", "/api/token/", body)
        assert status == 200, f"token answered {status}: {data[:200]!r}"
        self.headers["Authorization"] = f"Token {json.loads(data)['token']}"
        del self.headers["Content-Type"]


class ServerCpu:
    """CPU used by a gunicorn server's workers and by their PostgreSQL backends (found by the
    workers' connections to port 5432 in /proc/net/tcp and pg_stat_activity's client_port),
    read from /proc — the server's own cost of the run, whatever else the machine does."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, master: int) -> None:
        self.master = master
        self.start = self.read()

    @staticmethod
    def _cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ServerCpu.TICK

    def workers(self) -> list[int]:
        """The master's descendants (its workers; through a shell that started it too)."""
        found, todo = [], [self.master]
        while todo:
            pid = todo.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            found += [int(child) for child in children]
            todo += [int(child) for child in children]
        return found

    def backends(self, workers: list[int]) -> list[int]:
        inodes: set[str] = set()
        for pid in workers:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        ports = []
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[2].endswith(":1538") and fields[9] in inodes:  # remote port 5432
                ports.append(int(fields[1].split(":")[1], 16))
        if not ports:
            return []
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)", [ports])
            return [pid for (pid,) in cursor.fetchall()]

    def read(self) -> dict[str, dict[int, float]]:
        workers = self.workers()
        return {
            "gunicorn": {pid: self._cpu(pid) for pid in [self.master, *workers]},
            "postgres": {pid: self._cpu(pid) for pid in self.backends(workers)},
        }

    def report(self, requests: int) -> str:
        end = self.read()
        used = {
            part: sum(cpu - self.start[part].get(pid, 0.0) for pid, cpu in end[part].items())
            for part in end
        }
        total = sum(used.values())
        return (
            f"server CPU: gunicorn {used['gunicorn']:.1f} s + PostgreSQL {used['postgres']:.1f} s"
            f" = {total * 1000 / max(1, requests):.2f} ms a request "
            f"({used['gunicorn'] * 1000 / max(1, requests):.2f} + "
            f"{used['postgres'] * 1000 / max(1, requests):.2f})"
        )


def page_mix(rng: random.Random, s: dict[str, str], after: str) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.2:
        return "list", "/archives/"
    if roll < 0.3:
        return "list", "/archives/?status=active"
    if roll < 0.4:
        return "list", "/archives/?" + (after or "last=1")
    if roll < 0.7:
        return "detail", f"/archives/{s['pk']}/"
    kind = rng.choice(["name", "initials", "tail", "id_key", "mobile_key"])
    if kind.endswith("_key"):
        return "search", "/archives/?" + urlencode({"key": s[kind]})
    return "search", "/archives/?" + urlencode({"q": s[kind]})


def api_mix(rng: random.Random, s: dict[str, str], _after: str) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.3:
        return "list", "/api/households/?limit=20"
    if roll < 0.4:
        return "list", "/api/households/?limit=20&status=active"
    if roll < 0.7:
        return "detail", f"/api/households/{s['pk']}/"
    kind = rng.choice(["name", "initials", "tail", "id", "mobile"])
    return "search", "/api/households/?" + urlencode({"q": s[kind], "limit": 20})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8005")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--api", action="store_true")
    parser.add_argument(
        "--floor",
        metavar="PATH",
        help="request only PATH (a static file, or the log-in page) through the same sessions: "
        "the floor of this machine and this client, beside the mix in the same run",
    )
    parser.add_argument(
        "--wrk",
        action="store_true",
        help="send the mix with wrk (bench/wrk_mix.lua) instead of Python threads; --threads "
        "is then the number of connections",
    )
    parser.add_argument(
        "--anonymous",
        action="store_true",
        help="no log-in (for --floor against a trivial WSGI app: the machine's own floor)",
    )
    parser.add_argument(
        "--server-pid",
        type=int,
        help="the gunicorn master's pid: print the CPU its workers and their PostgreSQL "
        "backends used, per request",
    )
    options = parser.parse_args()
    values = samples(200)
    mix = api_mix if options.api else page_mix
    if options.floor:
        floor_path = options.floor

        def mix(_rng: random.Random, _s: dict[str, str], _after: str) -> tuple[str, str]:
            return "floor", floor_path

    sessions = []
    for _ in range(options.threads):
        session = Session(options.url)
        if options.anonymous:
            pass
        elif options.api:
            session.token()
        else:
            session.log_in()
        sessions.append(session)
    server = ServerCpu(options.server_pid) if options.server_pid else None
    if options.wrk:
        run_wrk(options, sessions, mix, values, server)
        return
    latencies: dict[str, list[float]] = {"list": [], "detail": [], "search": [], "floor": []}
    answers: Counter[int] = Counter()
    lock = threading.Lock()
    stop = time.perf_counter() + options.seconds

    def worker(n: int) -> None:
        rng = random.Random(n)
        session = sessions[n]
        after = ""
        while time.perf_counter() < stop:
            kind, path = mix(rng, rng.choice(values), after)
            started = time.perf_counter()
            try:
                status, body = session.request("GET", path)
            except OSError:
                status, body = 599, b""
            took = (time.perf_counter() - started) * 1000
            found = (
                re.search(rb'href="\?(after=[^"]+)" rel="next"', body) if kind == "list" else None
            )
            after = found.group(1).decode().replace("&amp;", "&") if found else after
            with lock:
                latencies[kind].append(took)
                answers[status] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(options.threads)]
    if server:
        server.start = server.read()
    began, began_cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    client_cpu = time.process_time() - began_cpu
    every = sorted(x for v in latencies.values() for x in v)

    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] if ordered else 0.0

    print(f"{'API' if options.api else 'pages'}, {options.threads} threads, {elapsed:.0f} s")
    print(f"requests: {len(every):,}  ({len(every) / elapsed:.1f}/s)  answers: {dict(answers)}")
    print(
        f"client CPU: {client_cpu:.1f} s in {elapsed:.0f} s ({client_cpu / elapsed:.2f} cores), "
        f"{client_cpu * 1000 / max(1, len(every)):.2f} ms a request"
    )
    if server:
        print(server.report(len(every)))
    print(
        f"all      p50 {statistics.median(every):7.1f}  p95 {pct(every, 0.95):7.1f}  "
        f"p99 {pct(every, 0.99):7.1f} ms"
    )
    for kind, values_ms in latencies.items():
        if values_ms:
            print(
                f"{kind:<8} p50 {statistics.median(values_ms):7.1f}  p95 "
                f"{pct(values_ms, 0.95):7.1f}  p99 {pct(values_ms, 0.99):7.1f} ms "
                f"({len(values_ms):,})"
            )


def run_wrk(
    options: argparse.Namespace,
    sessions: list[Session],
    mix: Any,
    values: list[dict[str, str]],
    server: ServerCpu | None,
) -> None:
    """Draw 5,000 requests of the mix, hand them and the sessions to wrk, run it, print."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="bangfu-wrk-") as directory:
        with open(f"{directory}/paths.txt", "w") as paths:
            for _ in range(5000):
                kind, path = mix(rng, rng.choice(values), "\0")
                paths.write(f"{kind} {'NEXT' if path.endswith(chr(0)) else path}\n")
        with open(f"{directory}/sessions.txt", "w") as lines:
            for session in sessions:
                if "Authorization" in session.headers:
                    lines.write(f"Authorization: {session.headers['Authorization']}\n")
                else:
                    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
                    lines.write(f"Cookie: {cookie}\n")
        script = Path(__file__).resolve().parent / "wrk_mix.lua"
        command = [
            wrk,
            "-t",
            str(min(2, options.threads)),
            "-c",
            str(options.threads),
            "-d",
            f"{options.seconds:.0f}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(script),
            options.url,
            "--",
            directory,
        ]
        if server:
            server.start = server.read()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{'API' if options.api else 'pages'} by wrk, {options.threads} connections")
    print(output.rstrip())
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    requests = re.search(r"(\d+) requests in", output)
    count = int(requests.group(1)) if requests else 0
    print(
        f"client CPU (wrk): {used:.1f} s in {options.seconds:.0f} s, "
        f"{used * 1000 / max(1, count):.2f} ms a request"
    )
    if server:
        print(server.report(count))


if __name__ == "__main__":
    main()
