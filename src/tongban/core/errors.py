"""Domain errors: a stable code for machines and a Chinese message for people.

Services raise these; the API turns them into JSON (``core.api.errors``) and pages show the
message next to the form. The code never changes once published; the message may be reworded.
"""

from typing import Any


class ServiceError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.details = details or {}


class InvalidInput(ServiceError):
    """The request is well-formed but breaks a rule; ``details`` maps field → messages."""

    status = 400
    default_code = "invalid"


class Forbidden(ServiceError):
    status = 403
    default_code = "permission_denied"


class NotFound(ServiceError):
    status = 404
    default_code = "not_found"


class Conflict(ServiceError):
    status = 409
    default_code = "conflict"
