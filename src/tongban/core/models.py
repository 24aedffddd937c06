import uuid

from django.db import models


class Revision(models.Model):
    """A token replaced, in the writer's own transaction, whenever rows behind a per-process cache change.

    A random token, not a counter: a rolled-back change must never let a later one reuse its value.
    """

    name = models.CharField(max_length=40, primary_key=True)
    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self):
        return f"{self.name}:{self.token}"
