"""Filled-in application forms for the demo, tests and benchmarks: a valid value for every field type."""

SAMPLE_BY_TYPE = {"number": "1", "date": "2026-12-01", "phone": "0591-88880000", "boolean": True}


def sample_value(field: dict, by_type: dict | None = None):
    """A value the intake accepts for ``field`` (``by_type`` supplies identity numbers and overrides)."""
    kind = field.get("type")
    if kind == "choice" and field.get("choices"):
        return field["choices"][0]
    return {**SAMPLE_BY_TYPE, **(by_type or {})}.get(kind, "测试")


def required_sample_form(fields: list[dict], by_type: dict | None = None) -> dict:
    return {f["name"]: sample_value(f, by_type) for f in fields if f.get("required")}
