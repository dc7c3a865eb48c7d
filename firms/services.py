"""Writes of firm data: demo seeding, role assignment, audit events."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.contrib.auth.models import Permission, User
from django.db import transaction

from firms.figures import FIGURE_FIELDS
from firms.models import AuditEvent, Firm, FirmUser, FirmYear, Park, ParkManager, Province, Sector
from firms.roles import analysts_group
from smerank.bulk import db_now, frame_upsert, text_in

_YEAR_FIELDS = list(FIGURE_FIELDS)


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        detail=detail or {},
        ip_address=ip_address,
    )


def analysts_permissions_grant() -> None:
    """Analysts manage every model of the three apps in the admin, except the audit log."""
    perms = Permission.objects.filter(
        content_type__app_label__in=["firms", "rankings", "clusters"]
    ).exclude(content_type__model="auditevent", codename__regex=r"^(add|change|delete)_")
    analysts_group().permissions.set(perms)


@transaction.atomic
def user_with_role_ensure(
    *,
    username: str,
    password: str,
    role: str,
    park: Park | None = None,
    firm: Firm | None = None,
) -> User:
    """Create or reset a user with exactly one role (analyst, park_manager or firm)."""
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.is_staff = role == "analyst"
    user.save()
    ParkManager.objects.filter(user=user).delete()
    FirmUser.objects.filter(user=user).delete()
    user.groups.remove(analysts_group())
    if role == "analyst":
        analysts_permissions_grant()
        user.groups.add(analysts_group())
    elif role == "park_manager":
        ParkManager.objects.create(user=user, park=park)
    elif role == "firm":
        FirmUser.objects.create(user=user, firm=firm)
    else:
        raise ValueError(f"unknown role {role!r}")
    return user


def demo_seed(*, parks: pd.DataFrame, firms: pd.DataFrame, years: pd.DataFrame) -> dict[str, int]:
    """Insert the demo parks, firms and firm-years; existing rows are left as they are,
    so running it twice changes nothing."""
    provinces = dict(Province.objects.values_list("code", "id"))
    with transaction.atomic():
        for row in parks.itertuples(index=False):
            Park.objects.get_or_create(
                code=row.code,
                defaults={
                    "name_fa": row.name_fa,
                    "name_en": row.name_en,
                    "province_id": provinces[row.province],
                },
            )
    park_ids = dict(Park.objects.values_list("code", "id"))
    now = db_now()
    # Straight from the frames (COPY on PostgreSQL): 400,000 model instances through
    # bulk_create cost more CPU than the database spends storing the rows.
    firm_frame = pd.DataFrame(
        {
            "national_id": firms["national_id"],
            "name_fa": firms["name_fa"],
            "name_en": firms["name_en"],
            "park_id": firms["park_code"].map(park_ids),
            "isic_id": firms["isic"],
            "founded_year": firms["founded_year"].astype(int),
            "knowledge_based": firms["knowledge_based"].astype(bool),
            "created_at": now,
            "updated_at": now,
        }
    )
    with transaction.atomic():
        before = Firm.objects.count()
        frame_upsert(model=Firm, frame=firm_frame, conflict=["national_id"], update=[])
        firms_added = Firm.objects.count() - before
    del firm_frame
    firm_ids = dict(
        Firm.objects.filter(national_id__in=text_in(firms["national_id"].tolist())).values_list(
            "national_id", "id"
        )
    )
    year_frame = years[["national_id", "year", *_YEAR_FIELDS]].copy()
    year_frame.insert(0, "firm_id", year_frame.pop("national_id").map(firm_ids))
    year_frame["updated_at"] = now
    with transaction.atomic():
        before = FirmYear.objects.count()
        frame_upsert(model=FirmYear, frame=year_frame, conflict=["firm_id", "year"], update=[])
        years_added = FirmYear.objects.count() - before
    return {"firms_added": firms_added, "years_added": years_added}


def sector_classes_by_division() -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for code, division in Sector.objects.filter(level="class").values_list("code", "division"):
        result.setdefault(division, []).append(code)
    return result


def firm_years_changed(*, years: set[int] | list[int]) -> None:
    """Tell the ranking pipeline that the figures of these years changed (after commit)."""
    try:
        from rankings.services import data_changed
    except ImportError:  # until the ranking pipeline exists
        return
    data_changed(years=sorted(set(years)))
