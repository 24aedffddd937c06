import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from rest_framework.test import APIClient

from tests.db_snapshot import TableSnapshot
from tongban.catalog.search import item_index
from tongban.demo.loader import load_demo_city


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo city is loaded once into the test database; each test runs in a rolled-back transaction.

    Transactional tests (``transaction=True``) end with a flush; pytest-django runs them last, and
    with ``serialized_rollback=True`` each starts from this state, demo city included: Django's
    serialized rollback is pointed at a copy of the rows (``TableSnapshot``), much faster to write back.
    """
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    with django_db_blocker.unblock():
        load_demo_city()
        snapshot = TableSnapshot(connection)
    creation = type(connection.creation)
    django_restore = creation.deserialize_db_from_string
    creation.deserialize_db_from_string = lambda self, _data: snapshot.restore(self.connection)
    # Django restores only where this attribute exists. On the backend class, not only on this
    # connection object: connections are held in context-local storage, and a later test (a browser
    # test under Playwright's synchronous API) may be handed another object for the same database.
    type(connections[DEFAULT_DB_ALIAS])._test_serialized_contents = "TableSnapshot"
    yield snapshot
    creation.deserialize_db_from_string = django_restore


@pytest.fixture(scope="session")
def demo_city_rows(django_db_setup) -> TableSnapshot:
    """The rows as loaded: what every transactional test starts from."""
    return django_db_setup


@pytest.fixture(autouse=True)
def fresh_search_index():
    """Each test's rollback changes the catalog behind the index's back: make it look again."""
    item_index.invalidate()


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    """LocaleMiddleware leaves a request's language active on the thread; start every test in zh-hans."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def food_item():
    """食品经营许可: market item, city-wide 通办, implemented by every district's market bureau."""
    from tongban.catalog.models import Item

    return Item.objects.in_force().get(name="食品经营许可")


@pytest.fixture
def rule_for():
    """Give an in-force item a 秒批 rule (``applicant.kind == "person"`` unless said), as if the catalog had
    published a version with it: ``rule_for("000920001000")``."""
    from tongban.catalog.models import ApprovalRule
    from tongban.catalog.search import item_index
    from tongban.catalog.services import bump_catalog_revision, item_in_force

    def add(item_code: str, expression: str = 'applicant.kind == "person"') -> ApprovalRule:
        rule = ApprovalRule.objects.create(
            item=item_in_force(item_code), code="R1", description="申请人类型", expression=expression
        )
        bump_catalog_revision()  # the shared in-force versions are read again
        item_index.invalidate()
        return rule

    return add


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def user_of():
    """Log in as a demo account: ``user_of("hall_gulou")``."""

    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


def run_at_once(*calls):
    """Run the callables in threads released together; return each one's result or exception."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test may be an error
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
