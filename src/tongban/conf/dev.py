"""Local development and `make demo`: DEBUG on unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo takes tickets at any hour, so its queue can be tried in the evening too.
TICKETS_IN_OPENING_HOURS = env_bool("TONGBAN_TICKETS_IN_OPENING_HOURS", False)
