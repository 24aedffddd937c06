"""Token authentication without a query per request.

DRF looks the token and its user up on every request. Here the answer is kept per process under
the ``auth`` revision, which every change to a token or a user replaces in its own transaction
(signals below): a deleted token or a deactivated user is refused at the next request in every
process. Unknown keys are never kept, and each request gets its own copy of the user.
"""

import copy

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from tongban.core.revisions import RevisionCache, bump_revision

AUTH_REVISION = "auth"
token_cache = RevisionCache(AUTH_REVISION)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        # DRF's own check runs on a miss and raises for unknown keys and inactive users: nothing kept.
        kept = token_cache.get(key, lambda: super(TokenAuthentication, self).authenticate_credentials(key)[1])
        token = copy.copy(kept)
        token.user = copy.copy(kept.user)
        return token.user, token


def _auth_changed(**kwargs) -> None:
    bump_revision(AUTH_REVISION)


def watch_auth_rows() -> None:
    for model in (Token, get_user_model()):
        post_save.connect(_auth_changed, sender=model, dispatch_uid=f"auth-save-{model._meta.label}")
        post_delete.connect(_auth_changed, sender=model, dispatch_uid=f"auth-delete-{model._meta.label}")
