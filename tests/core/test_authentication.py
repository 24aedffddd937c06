"""Token authentication kept per process: never outlives a change to the token or its user."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongban.core.api.authentication import AUTH_REVISION, TokenAuthentication, token_cache
from tongban.core.models import Revision

pytestmark = pytest.mark.django_db
ME = "/api/v1/cases/"  # any endpoint that needs a user


@pytest.fixture
def user():
    return get_user_model().objects.create(username="token-user")


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_known_token_costs_no_query_of_its_own(user):
    client = client_with(Token.objects.create(user=user).key)
    assert client.get(ME).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    assert not [q for q in queries.captured_queries if "authtoken_token" in q["sql"] or "auth_user" in q["sql"]]


def test_a_deleted_token_is_refused_at_once(user):
    token = Token.objects.create(user=user)
    client = client_with(token.key)
    assert client.get(ME).status_code == 200
    token.delete()
    assert client.get(ME).status_code == 401


def test_a_deactivated_user_is_refused_at_once(user):
    client = client_with(Token.objects.create(user=user).key)
    assert client.get(ME).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(ME).status_code == 401


def test_a_change_in_another_process_is_seen(user):
    client = client_with(Token.objects.create(user=user).key)
    assert client.get(ME).status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)  # no signal in this process
    Revision.objects.filter(name=AUTH_REVISION).update(token=uuid.uuid4())  # the other process's bump
    assert client.get(ME).status_code == 401


def test_unknown_keys_are_not_kept():
    token_cache.get("warm", lambda: None)
    assert client_with("0" * 40).get(ME).status_code == 401
    assert "0" * 40 not in token_cache._values


def test_each_request_has_its_own_user(user):
    key = Token.objects.create(user=user).key
    first, _token = TokenAuthentication().authenticate_credentials(key)
    first.first_name = "changed by one request"
    second, token = TokenAuthentication().authenticate_credentials(key)
    assert second.first_name == "" and second is not first and token.user is second
