"""Role checks for HTML views and API views, in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from firms.roles import Role, user_role


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous users go to the login page; signed-in users without the role get a 404,
    so a page's existence is not revealed to those who may not use it."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user_role(request.user) not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


analyst_required = role_required(Role.ANALYST)
staff_roles_required = role_required(Role.ANALYST, Role.PARK_MANAGER)
any_role_required = role_required(Role.ANALYST, Role.PARK_MANAGER, Role.FIRM)


NO_ROLE_MESSAGE = _(
    "Your account has no role yet: ask an administrator to make you an analyst, a park "
    "manager or a firm user."
)


class _RolePermission(BasePermission):
    """API access for the listed roles. An account given no role at all is told so,
    rather than DRF's generic "you do not have permission"."""

    roles: tuple[Role, ...] = ()

    def has_permission(self, request: Any, view: Any) -> bool:
        role = user_role(request.user)
        if role == Role.NONE:
            # DRF makes a new permission object per request: the message is this one's.
            self.message = NO_ROLE_MESSAGE
        # An anonymous request fails here too; DRF then answers 401, not 403.
        return role in self.roles


class HasRole(_RolePermission):
    """The API's default: a signed-in user with one of the three roles. An account that
    was given no role yet sees nothing beyond "who am I" (403, as any refused role)."""

    roles = (Role.ANALYST, Role.PARK_MANAGER, Role.FIRM)


class IsAnalyst(_RolePermission):
    roles = (Role.ANALYST,)


class IsParkManager(_RolePermission):
    roles = (Role.PARK_MANAGER,)


class IsAnalystOrParkManager(_RolePermission):
    roles = (Role.ANALYST, Role.PARK_MANAGER)


# A firm user's own pages (their firm only); appended with the firm pages.
firm_required = role_required(Role.FIRM)


def aggregates_hidden(user: Any, *, firms: int) -> bool:
    """Whether this user must not see the sums and means of a group of `firms` firms (a
    cluster, a province or park cell): below AGGREGATE_MIN_FIRMS a total is too close to
    one firm's figures. Analysts see every firm anyway."""
    return user_role(user) != Role.ANALYST and firms < settings.AGGREGATE_MIN_FIRMS
