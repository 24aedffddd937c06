"""What every intake and transition looks up about who may act where, kept per process.

Actors (staff post and roles), the grants a service point holds from a department, and the
implementation of an item in a region change rarely but are read on every request. They are
kept in one ``RevisionCache``; any change to the rows they are made of replaces its revision in
the changing transaction (the signals below), so a revoked grant, a removed role or a moved
clerk counts from the very next lookup in every process.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save

from tongban.cases.models import Grant
from tongban.catalog.models import ItemImplementation
from tongban.core.revisions import RevisionCache, bump_revision
from tongban.directory.models import Department, Region, ServicePoint, Staff

ACCESS_REVISION = "access"
access_cache = RevisionCache(ACCESS_REVISION)

# Everything cached values are built from: staff posts and the places and regions they point to,
# role groups and memberships, grants, implementations (with their department's region).
WATCHED_MODELS = (Staff, ServicePoint, Department, Region, Group, Grant, ItemImplementation)


def _access_changed(**kwargs) -> None:
    bump_revision(ACCESS_REVISION)


def watch_access_rows() -> None:
    for model in WATCHED_MODELS:
        post_save.connect(_access_changed, sender=model, dispatch_uid=f"access-save-{model._meta.label}")
        post_delete.connect(_access_changed, sender=model, dispatch_uid=f"access-delete-{model._meta.label}")
    m2m_changed.connect(_access_changed, sender=get_user_model().groups.through, dispatch_uid="access-user-groups")
