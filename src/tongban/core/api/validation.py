"""Request bodies validated by a serializer built once per process.

A new DRF serializer deep-copies its declared fields (and those of every nested serializer)
before it validates anything: a third of the time it takes to validate an intake's body. The
fields are only read while validating, so for a body whose serializer needs no context (no
request, no instance) one instance per class can validate every request;
a body it refuses is validated again by a new instance, so errors are exactly DRF's own.
"""

from functools import cache

from rest_framework import serializers


@cache
def _validator(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    return serializer_class()


def validated_data(serializer_class: type[serializers.Serializer], data) -> dict:
    """``serializer_class(data=data)``'s validated data; raises its ``ValidationError`` as ``is_valid`` would."""
    try:
        return _validator(serializer_class).run_validation(data)
    except serializers.ValidationError:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
