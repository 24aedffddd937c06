"""Shared set-up for benchmark scripts: a Django environment on its own database."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_on(database_url: str | None) -> str:
    """Point Django at ``database_url`` (a fresh temporary SQLite file by default), migrate, return the URL."""
    if not database_url:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='tongban-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.conf.test")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return database_url


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
