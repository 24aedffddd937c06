"""CPU per intake in process: the intake API against the bare view, one thread, no HTTP server.

    .venv/bin/python benchmarks/intake_cpu.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench

For comparing changes on a shared machine, where ``intake.py``'s throughput moves with the other
load: the same two requests as ``intake.py`` go through Django's test client (production settings)
in alternating rounds, and each round reports, per request, the CPU time of this process (Django,
DRF, psycopg: ``time.process_time``) and of its PostgreSQL backend (read from ``/proc``, so the
server must run on this machine). Prints the minimum and the median over the rounds.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid

from _setup import django_on


def backend_seconds(connection) -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=200, help="per side and round")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgres"):
        sys.exit("intake_cpu.py measures PostgreSQL: pass --database-url postgres://…")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tongban.conf.production",
        SECRET_KEY=uuid.uuid4().hex * 2,
        TONGBAN_HOME=tempfile.mkdtemp(prefix="tongban-bench-"),
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    django_on(args.database_url)

    from django.db import connection
    from django.test import Client

    from intake import prepare_intake

    intake = prepare_intake()
    os.environ.update(intake.bare_rows)
    import intake_app  # noqa: F401  (Tongban's URLs plus /bare/intake)

    client = Client(HTTP_AUTHORIZATION=f"Token {intake.token}")

    def post(path: str) -> None:
        key = uuid.uuid4().hex
        response = client.post(path, intake.body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201, response.content

    sides = {"intake API (full)": "/api/v1/cases/", "bare Django view": "/bare/intake"}
    own, backend = ({name: [] for name in sides} for _ in range(2))
    for path in sides.values():  # warm-up: imports, caches
        for _ in range(20):
            post(path)
    for _ in range(args.rounds):
        for name, path in sides.items():
            started, started_backend = time.process_time(), backend_seconds(connection)
            for _ in range(args.requests):
                post(path)
            own[name].append((time.process_time() - started) / args.requests * 1000)
            backend[name].append((backend_seconds(connection) - started_backend) / args.requests * 1000)

    print(f"CPU ms per request, {args.rounds} rounds of {args.requests}: min / median")
    print(f"{'':22}{'this process':>16}{'PostgreSQL':>16}")
    for name in sides:
        cells = [f"{min(ms):.2f} / {statistics.median(ms):.2f}" for ms in (own[name], backend[name])]
        print(f"{name:22}{cells[0]:>16}{cells[1]:>16}")


if __name__ == "__main__":
    main()
