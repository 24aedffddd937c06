"""Bodies validated by one serializer per process: the same data and the same errors as DRF's own."""

import pytest
from rest_framework import serializers

from tongban.core.api.validation import validated_data


class Line(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")


class Body(serializers.Serializer):
    code = serializers.RegexField(r"^\d{3}$")
    kind = serializers.ChoiceField(choices=["a", "b"])
    lines = Line(many=True, required=False, default=list)
    extra = serializers.DictField(required=False, default=dict)


def drf(data):
    serializer = Body(data=data)
    serializer.is_valid()
    return serializer


@pytest.mark.parametrize(
    "data",
    [
        {"code": "123", "kind": "a"},
        {"code": " 123 ", "kind": "b", "lines": [{"number": "7", "note": " x "}], "extra": {"k": [1]}},
    ],
)
def test_valid_bodies_give_drfs_data(data):
    assert validated_data(Body, data) == drf(data).validated_data


@pytest.mark.parametrize(
    "data",
    [
        {},
        None,
        [],
        {"code": "12", "kind": "c"},
        {"code": "123", "kind": "a", "lines": [{"number": 1}, {"number": "x", "note": "too long"}]},
        {"code": "123", "kind": "a", "lines": {"number": 1}, "extra": []},
    ],
)
def test_refused_bodies_give_drfs_errors(data):
    with pytest.raises(serializers.ValidationError) as refused:
        validated_data(Body, data)
    assert refused.value.detail == drf(data).errors
    assert validated_data(Body, {"code": "123", "kind": "a"})["code"] == "123"  # nothing kept from the refusal
