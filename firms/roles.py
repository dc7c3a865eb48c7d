"""The three signed-in roles. One place decides who is who."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.models import User as DjangoUser

ANALYSTS_GROUP = "analysts"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    ANALYST = "analyst"
    PARK_MANAGER = "park_manager"
    FIRM = "firm"
    NONE = "none"  # signed in, but given no role yet


def user_role(user: DjangoUser | AnonymousUser) -> Role:
    if not user.is_authenticated:
        return Role.ANONYMOUS
    cached = getattr(user, "_smerank_role", None)
    if cached is not None:
        return cached
    if user.is_superuser or user.groups.filter(name=ANALYSTS_GROUP).exists():
        role = Role.ANALYST
    elif hasattr(user, "park_manager"):
        role = Role.PARK_MANAGER
    elif hasattr(user, "firm_user"):
        role = Role.FIRM
    else:
        role = Role.NONE
    user._smerank_role = role
    return role


def analysts_group() -> Group:
    group, _ = Group.objects.get_or_create(name=ANALYSTS_GROUP)
    return group
