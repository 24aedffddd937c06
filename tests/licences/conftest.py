# The case fixtures that make and use licences.
from tests.cases.conftest import approver_for, enterprise_user, submit_muck  # noqa: F401
