from django import template
from django.utils.translation import gettext as _

from tongban.directory.roles import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """The audit trail's ``actor_role`` in words: a staff role, the applicant, or the system."""
    if value in Role.values:
        return str(Role(value).label)
    return {"applicant": _("申请人"), "system": _("系统")}.get(value, value)
