from tests.queueing.conftest import clerk_at, gulou_window  # noqa: F401 (clerks signed in at Gulou windows)
