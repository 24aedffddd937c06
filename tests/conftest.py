import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tongban.demo.loader import load_demo_city


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo city is loaded once into the test database; each test runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        load_demo_city()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def user_of():
    """Log in as a demo account: ``user_of("hall_gulou")``."""

    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get
