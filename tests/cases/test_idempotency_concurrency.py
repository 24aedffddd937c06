import pytest

from tests.cases.test_api import body, client_for
from tests.conftest import run_at_once
from tongban.cases.models import Case, IdempotencyRecord

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_concurrent_retries_with_one_key_make_one_case(user_of, food_item, grant_gulou):
    clerk = user_of("clerk_gulou")
    payload = body(food_item)

    def post():
        return client_for(clerk).post("/api/v1/cases/", payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")

    responses = run_at_once(post, post, post)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 200, 201]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Case.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
