"""Test settings: the same stack, with fast password hashing."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not shared-cache memory: concurrent transactions then queue on the busy timeout as in
# production instead of failing with "table is locked".
# One file per run, so two runs at once (a developer's and CI's) never share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"tongban-test-{os.getpid()}.sqlite3")
    }

# The live server (browser tests) answers each request in its own thread: close its connection at the
# end of the request, or PostgreSQL cannot drop the test database at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Tests share one in-memory cache and one address; the throttle's own test sets a low rate.
RECOMMENDATION_RATE = "10000/min"

# Tests take tickets whatever the hour of the run; the rule's own tests turn it on.
TICKETS_IN_OPENING_HOURS = False
