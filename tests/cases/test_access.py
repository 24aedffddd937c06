"""The per-process access cache: actors, grants and implementations never outlive a change."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.cases.test_intake import window_submit
from tongban.cases.access import ACCESS_REVISION, WATCHED_MODELS
from tongban.cases.choices import Right
from tongban.cases.grants import create_grant
from tongban.cases.models import Grant
from tongban.cases.permissions import actor_of
from tongban.catalog.models import ItemImplementation
from tongban.core.errors import Forbidden, NotFound
from tongban.core.models import Revision
from tongban.core.revisions import read_revision
from tongban.directory.models import ServicePoint, Staff
from tongban.directory.roles import Role

pytestmark = pytest.mark.django_db


def another_process_committed_a_change() -> None:
    """Another process's change reaches this one only through the revision token in the database."""
    Revision.objects.filter(name=ACCESS_REVISION).update(token=uuid.uuid4())


@pytest.fixture
def clerk(user_of):
    return user_of("clerk_gulou")


def test_revocation_in_another_process_is_refused_at_once(food_item, person, clerk, grant_gulou):
    window_submit(clerk, food_item, "350104", person)  # the grant is now cached here
    Grant.objects.filter(pk=grant_gulou.pk).update(revoked_at=timezone.now())  # no signal in this process
    another_process_committed_a_change()
    with pytest.raises(Forbidden) as exc:
        window_submit(clerk, food_item, "350104", person)
    assert exc.value.code == "grant_missing"


def test_a_new_grant_counts_at_once(food_item, person, clerk, cangshan_market, gulou_hall, user_of):
    with pytest.raises(Forbidden):
        window_submit(clerk, food_item, "350104", person)  # "no grant" is cached now
    create_grant(
        by=user_of("admin"), department=cangshan_market, service_point=gulou_hall, rights=[Right.RECEIVE_ACCEPT]
    )
    assert window_submit(clerk, food_item, "350104", person).grant is not None


def test_a_cached_grant_still_ends_on_time(food_item, person, clerk, grant_gulou, monkeypatch):
    now = timezone.now()
    grant_gulou.valid_until = now + datetime.timedelta(hours=1)
    grant_gulou.save()
    window_submit(clerk, food_item, "350104", person)
    monkeypatch.setattr(timezone, "now", lambda: now + datetime.timedelta(hours=2))
    with pytest.raises(Forbidden) as exc:
        window_submit(clerk, food_item, "350104", person)
    assert exc.value.code == "grant_missing"


def test_a_removed_role_counts_at_once(food_item, person, clerk):
    window_submit(clerk, food_item, "350102", person)
    clerk.groups.remove(Group.objects.get(name=Role.CLERK.group_name))
    with pytest.raises(Forbidden) as exc:
        window_submit(clerk, food_item, "350102", person)
    assert exc.value.code == "wrong_role"


def test_a_moved_clerk_acts_from_the_new_place(clerk):
    assert actor_of(clerk).service_point.code == "fz-gulou"
    staff = Staff.objects.get(user=clerk)
    staff.service_point = ServicePoint.objects.exclude(pk=staff.service_point_id).first()
    staff.save()
    assert actor_of(clerk).service_point == staff.service_point


def test_a_deactivated_implementation_is_gone_at_once(food_item, person, clerk):
    window_submit(clerk, food_item, "350102", person)
    implementation = ItemImplementation.objects.get(item_code=food_item.code, department__region__code="350102")
    implementation.is_active = False
    implementation.save()
    with pytest.raises(NotFound) as exc:
        window_submit(clerk, food_item, "350102", person)
    assert exc.value.code == "no_implementation"


def test_a_cached_actor_is_not_shared_state(clerk):
    actor_of(clerk).roles.add(Role.SUPERVISOR)
    assert Role.SUPERVISOR not in actor_of(clerk).roles


@pytest.mark.parametrize("model", WATCHED_MODELS, ids=lambda m: m.__name__)
def test_every_change_behind_the_cache_replaces_the_revision(model, grant_gulou):
    before = read_revision(ACCESS_REVISION)
    model.objects.first().save()
    assert read_revision(ACCESS_REVISION) != before


def test_deletions_and_memberships_replace_the_revision(clerk, grant_gulou):
    before = read_revision(ACCESS_REVISION)
    grant_gulou.delete()
    deleted = read_revision(ACCESS_REVISION)
    clerk.groups.clear()
    assert len({before, deleted, read_revision(ACCESS_REVISION)}) == 3
