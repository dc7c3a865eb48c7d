"""Reads of firm data. Anything that exposes a firm's figures takes the user and is scoped."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet

from firms.models import Firm, ImportJob, Park, Province
from firms.roles import Role, user_role


def firms_visible_to(user: User | AnonymousUser) -> QuerySet[Firm]:
    """The firms whose detail (figures, scores) this user may see."""
    role = user_role(user)
    firms = Firm.objects.select_related("park__province", "isic")
    if role == Role.ANALYST:
        return firms
    if role == Role.PARK_MANAGER:
        return firms.filter(park_id=user.park_manager.park_id)
    if role == Role.FIRM:
        return firms.filter(id=user.firm_user.firm_id)
    return firms.none()


def parks_visible_to(user: User | AnonymousUser) -> QuerySet[Park]:
    role = user_role(user)
    parks = Park.objects.select_related("province")
    if role == Role.ANALYST:
        return parks
    if role == Role.PARK_MANAGER:
        return parks.filter(id=user.park_manager.park_id)
    return parks.none()


def import_jobs_visible_to(user: User | AnonymousUser) -> QuerySet[ImportJob]:
    role = user_role(user)
    jobs = ImportJob.objects.select_related("park", "uploader")
    if role == Role.ANALYST:
        return jobs
    if role == Role.PARK_MANAGER:
        return jobs.filter(park_id=user.park_manager.park_id)
    return jobs.none()


def province_summary() -> list[dict[str, object]]:
    """Each province with its number of parks and firms (public counts, no figures)."""
    provinces = Province.objects.annotate(
        park_count=Count("parks", distinct=True),
        firm_count=Count("parks__firms", distinct=True),
    ).order_by("code")
    return [
        {
            "code": p.code,
            "name_fa": p.name_fa,
            "name_en": p.name_en,
            "parks": p.park_count,
            "firms": p.firm_count,
        }
        for p in provinces
    ]


def park_list(*, province: str | None = None) -> QuerySet[Park]:
    parks = Park.objects.select_related("province").annotate(firm_count=Count("firms"))
    if province:
        parks = parks.filter(Q(province__code=province))
    return parks.order_by("code")
