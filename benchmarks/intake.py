"""Intake throughput: the full intake API against a bare Django view doing the same inserts.

    .venv/bin/python benchmarks/intake.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench

Both run under gunicorn (2 workers, production settings) on PostgreSQL and get the same load from
the same client (N keep-alive connections, each POSTing as fast as answers come) for the same time,
in alternating rounds so that the machine's other load weighs on both alike.
The API request is a real window intake of a 仓山 item at the 鼓楼 hall: token auth, JSON
validation, identity-number check, grant check, numbering, materials, audit event, Idempotency-Key
record, and the case returned. The bare view inserts the same rows (case, materials, one event) and
nothing else. Prints a table, then one JSON line; target ratio API ÷ bare ≥ 0.6.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from _setup import django_on, percentile

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # ms, 2xx answers
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load(port: int, path: str, body: bytes, headers: dict, seconds: float, connections: int, tally: Tally) -> None:
    """POST ``body`` from ``connections`` threads for ``seconds``; add answers and latencies to ``tally``."""
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
            response = connection.getresponse()
            payload = response.read()
            if 200 <= response.status < 300:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                bad.append(f"{response.status} {payload[:200]!r}")
        connection.close()
        with lock:
            tally.latencies.extend(mine)
            tally.failures.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds += time.perf_counter() - began


def summary(tally: Tally) -> dict:
    latencies = tally.latencies
    return {
        "requests_per_s": round(len(latencies) / tally.seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "ok": len(latencies),
        "failed": len(tally.failures),
        "first_failure": tally.failures[0] if tally.failures else None,
    }


@dataclass
class Intake:
    body: bytes  # what is posted to both: a window intake of a 仓山 item at the 鼓楼 hall
    token: str  # the 鼓楼 clerk's API token
    bare_rows: dict  # BENCH_* variables: the rows the bare view inserts (intake_app.fixed_rows)


def prepare_intake() -> Intake:
    """Load the demo city (on the database Django is set up on) and prepare the intake both sides get."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from tongban.cases.services import identify_applicant, implementation_for
    from tongban.catalog.models import Item
    from tongban.core.identifiers import make_credit_code
    from tongban.demo.forms import required_sample_form
    from tongban.demo.loader import load_demo_city

    load_demo_city()
    item = Item.objects.in_force().get(name="食品经营许可")
    materials = [m.pk for m in item.materials.filter(sub_item__isnull=True)]
    applicant = identify_applicant(kind="person", id_number="11010519491231002X", name="张三")
    implementation = implementation_for(item.code, "350104")
    clerk = get_user_model().objects.get(username="clerk_gulou")
    samples = {"id_number": applicant.id_number, "credit_code": make_credit_code("91350104", "MA2XYE01")}
    body = {
        "item": item.code,
        "region": "350104",
        "sub_item": "新办",
        "channel": "window",
        "applicant": {"kind": "person", "id_number": applicant.id_number, "name": applicant.name},
        "form_data": required_sample_form(item.form_fields, samples),
        "materials": [{"material": m} for m in materials],
    }
    return Intake(
        body=json.dumps(body).encode(),
        token=Token.objects.get_or_create(user=clerk)[0].key,
        bare_rows={
            "BENCH_IMPLEMENTATION": implementation.code,
            "BENCH_APPLICANT": applicant.id_number,
            "BENCH_ITEM": str(item.pk),
            "BENCH_MATERIALS": ",".join(map(str, materials)),
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="API and bare alternate this many times")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: any free one)")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgres"):
        sys.exit("intake.py measures PostgreSQL: pass --database-url postgres://…")
    django_on(args.database_url)
    from django.db import connection

    intake = prepare_intake()
    connection.close()

    port = args.port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "tongban.conf.production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "TONGBAN_HOME": tempfile.mkdtemp(prefix="tongban-bench-"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        **intake.bare_rows,
        "PYTHONPATH": str(HERE),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "intake_app:application",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(HERE),
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        headers = {"Content-Type": "application/json", "Authorization": f"Token {intake.token}"}
        targets = {"/api/v1/cases/": Tally(), "/bare/intake": Tally()}
        for path in targets:  # warm-up: imports, connections, caches
            load(port, path, intake.body, headers, 2, 4, Tally())
        # Alternating (API, bare, bare, API, …) so a change in the machine's other load hits both alike.
        for round_ in range(args.rounds):
            for path in list(targets)[:: 1 if round_ % 2 == 0 else -1]:
                load(port, path, intake.body, headers, args.seconds / args.rounds, args.connections, targets[path])
        api, bare = (summary(tally) for tally in targets.values())
    finally:
        server.terminate()
        server.wait(timeout=30)

    ratio = round(api["requests_per_s"] / bare["requests_per_s"], 2) if bare["requests_per_s"] else None
    setup = (
        f"gunicorn {args.workers} workers, {args.connections} connections, {args.seconds:.0f} s each"
        f" in {args.rounds} alternating rounds"
    )
    print(f"intake on PostgreSQL, {setup}")
    print(f"{'':22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'ok':>8}{'failed':>8}")
    for name, result in (("intake API (full)", api), ("bare Django view", bare)):
        print(
            f"{name:22}{result['requests_per_s']:>10}{result['p50_ms']!s:>10}{result['p99_ms']!s:>10}"
            f"{result['ok']:>8}{result['failed']:>8}"
        )
    if api["first_failure"] or bare["first_failure"]:
        print("first failure:", api["first_failure"] or bare["first_failure"])
    print(
        json.dumps(
            {
                "benchmark": "intake",
                "api": api,
                "bare": bare,
                "ratio_api_to_bare": ratio,
                "target_ratio": 0.6,
                "meets_target": ratio is not None and ratio >= 0.6,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
