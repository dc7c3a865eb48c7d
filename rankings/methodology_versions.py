"""Methodology versions for the analysts' pages: the list, a pair to compare, and saving
a new version together with its audit event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, QuerySet

from firms.services import audit_record
from rankings.methodology_compare import spec_diff
from rankings.models import Methodology
from rankings.services import methodology_create


def methodology_list() -> QuerySet[Methodology]:
    """Every version, newest first, with its author and how many runs used it."""
    return (
        Methodology.objects.select_related("author")
        .annotate(run_count=Count("runs"))
        .order_by("-version")
    )


@dataclass(frozen=True)
class VersionPair:
    left: Methodology | None
    right: Methodology | None


def methodology_pair(
    *, versions: list[Methodology], left: int | None, right: int | None
) -> VersionPair:
    """The two versions to compare: the ones asked for, else the active version and the
    newest other one, the older of the two on the left (changes read left to right)."""
    by_version = {m.version: m for m in versions}
    if left in by_version and right in by_version:
        return VersionPair(left=by_version[left], right=by_version[right])
    active = next((m for m in versions if m.is_active), versions[0] if versions else None)
    other = next((m for m in versions if m != active), active)
    if left in by_version or right in by_version:
        chosen = by_version.get(left) or by_version[right]
        other = active if chosen != active else other
        pair = (chosen, other) if left in by_version else (other, chosen)
        return VersionPair(left=pair[0], right=pair[1])
    if active is None or other is None:
        return VersionPair(left=None, right=None)
    older, newer = sorted([active, other], key=lambda m: m.version)
    return VersionPair(left=older, right=newer)


@transaction.atomic
def methodology_save(
    *,
    user: User,
    base: Methodology,
    name: str,
    notes: str,
    spec: dict[str, Any],
    activate: bool,
    ip_address: str | None = None,
) -> Methodology:
    """A new version (recomputed once committed if made active) and its audit event, in
    one transaction: there is never a version without its record of who made it."""
    methodology = methodology_create(
        name=name, spec=spec, author=user, notes=notes, activate=activate
    )
    audit_record(
        actor=user,
        action="methodology.create",
        obj=methodology,
        detail={
            "version": methodology.version,
            "base_version": base.version,
            "activated": activate,
            "diff": spec_diff(base.spec, spec),
        },
        ip_address=ip_address,
    )
    return methodology
