"""Role checks for HTML views and API views, in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
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


class IsAnalyst(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return user_role(request.user) == Role.ANALYST


class IsParkManager(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return user_role(request.user) == Role.PARK_MANAGER


class IsAnalystOrParkManager(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return user_role(request.user) in (Role.ANALYST, Role.PARK_MANAGER)


# A firm user's own pages (their firm only); appended with the firm pages.
firm_required = role_required(Role.FIRM)
