"""Presentation helpers for case pages: the colour of a state and where a case stands."""

from django import forms, template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Case states (``cases.choices.State`` values, and a bundle case's) by how an applicant should read them.
_TONES = {
    "ok": {"approved", "result_ready", "delivered", "closed", "completed", "passed"},
    "warn": {"supplement_requested", "suspended", "partly_failed", "pending"},
    "bad": {"refused", "denied", "withdrawn", "cancelled", "revoked", "failed"},
}
# The applicant's view of the way through: which step each state has reached.
STAGES = [_("提交申请"), _("受理"), _("审查"), _("作出决定"), _("送达办结")]
_STAGE_OF = {
    "submitted": 0,
    "supplement_requested": 0,
    "supplemented": 0,
    "accepted": 1,
    "refused": 1,
    "in_review": 2,
    "suspended": 2,
    "approved": 3,
    "denied": 3,
    "result_ready": 3,
    "delivered": 4,
    "closed": 4,
    "withdrawn": 0,
    "waiting": 0,
    "cancelled": 0,
    "revoked": 3,
}


@register.filter
def state_tone(state: str) -> str:
    return next((tone for tone, states in _TONES.items() if state in states), "info")


@register.simple_tag
def case_stages(state: str) -> list[dict]:
    reached = _STAGE_OF.get(state, 0)
    return [{"label": label, "done": i <= reached, "current": i == reached} for i, label in enumerate(STAGES)]


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def is_wide(bound_field) -> bool:
    """Long answers (text areas) take the whole row of a two-column form."""
    return isinstance(bound_field.field.widget, forms.Textarea)


@register.filter
def get_field(form, name: str):
    return form[name]
