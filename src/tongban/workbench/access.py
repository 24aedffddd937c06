"""Who may open which staff page, and where each user starts after logging in.

Pages only decide what to show; whether an action is allowed is decided again by the case
services (role, jurisdiction, grant) when it is carried out.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.cases.models import Applicant
from tongban.cases.permissions import actor_of
from tongban.directory.roles import ADMIN_SITE_ROLES, Role, user_roles

FRONT_DESK = {Role.CLERK, Role.PROXY_AGENT}


def role_required(*roles: Role):
    """Only users with one of ``roles``; others see the Chinese 403 page, visitors the login page."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_roles(request.user) & set(roles):
                labels = "、".join(str(role.label) for role in roles)
                raise PermissionDenied(_("此页面仅供%s使用。") % labels)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def own_service_point(user):
    """The front desk's service point; a clerk or agent account without one cannot take anything in."""
    point = actor_of(user).service_point
    if point is None:
        raise PermissionDenied(_("您的账号未关联服务网点，不能受理。请联系大厅管理员。"))
    return point


def start_page(user) -> str:
    roles = user_roles(user)
    if Role.KIOSK in roles and (point := actor_of(user).service_point) is not None:
        return reverse("queueing:kiosk", args=[point.code])
    if roles & FRONT_DESK:
        return reverse("workbench:start")
    if Role.APPROVER in roles:
        return reverse("workbench:inbox")
    if roles & ADMIN_SITE_ROLES or user.is_superuser:
        return reverse("admin:index")
    if Applicant.objects.filter(user=user).exists():
        return reverse("portal:my_cases")
    return reverse("home")


def me(request):
    """After login (and the portal's "工作人员入口"): each user's own start page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect(start_page(request.user))


def staff_nav(request) -> dict:
    """Template context: the user's roles (for the staff menu) and a way back to their work from the portal."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    context = {"staff_roles": {role.value for role in roles}}
    if roles & (FRONT_DESK | {Role.APPROVER}):
        context["staff_nav"] = {"url": start_page(user), "label": _("我的工作台")}
    return context
