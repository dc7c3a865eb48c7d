"""Reads of clusters, scoped like the ranking: members' details only for visible firms,
and the sums and means of small groups only for analysts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from clusters.models import Cluster, ClusterMembership, ClusterProfile, RegionSectorStat
from firms.roles import Role, user_role
from firms.selectors import firms_visible_to
from rankings.models import RankingRun
from smerank.permissions import aggregates_hidden

_Shown = TypeVar("_Shown", ClusterProfile, RegionSectorStat)


def cluster_profiles_for(*, run: RankingRun) -> QuerySet[ClusterProfile]:
    """Every cluster of a run with its profile, largest first."""
    return (
        ClusterProfile.objects.filter(run=run)
        .select_related("cluster")
        .order_by("-cluster__kind", "-employment", "cluster__code")
    )


def cluster_profile_get(*, run: RankingRun, cluster_id: int) -> ClusterProfile:
    return get_object_or_404(
        ClusterProfile.objects.select_related("cluster").prefetch_related(
            "cluster__sectors", "cluster__provinces", "cluster__parks"
        ),
        run=run,
        cluster_id=cluster_id,
    )


def cluster_members_for(
    *, user: User | AnonymousUser, run: RankingRun, cluster: Cluster
) -> QuerySet[ClusterMembership]:
    """Members this user may list: analysts all; others the run's top-N and their own."""
    members = (
        ClusterMembership.objects.filter(run=run, cluster=cluster)
        .select_related("firm__park__province", "firm__isic")
        .order_by("rank_in_cluster", "firm_id")
    )
    if user_role(user) == Role.ANALYST:
        return members
    top_n = run.methodology.spec.get("top_n", 100)
    visible = firms_visible_to(user).values("id")
    ranked_top = Q(firm__scores__run=run, firm__scores__rank__lte=top_n)
    return members.filter(ranked_top | Q(firm_id__in=visible)).distinct()


def region_stats_for(*, run: RankingRun) -> QuerySet[RegionSectorStat]:
    return (
        RegionSectorStat.objects.filter(run=run)
        .select_related("province")
        .order_by("province__code", "division")
    )


def cluster_get(*, cluster_id: int) -> Cluster:
    return get_object_or_404(Cluster, pk=cluster_id)


def profile_for(*, user: User | AnonymousUser, profile: ClusterProfile) -> ClusterProfile:
    """The profile as this user may see it, with `withheld` set. A cluster of fewer firms
    than AGGREGATE_MIN_FIRMS shows non-analysts no sums and no means (a one-firm cluster's
    "total sales" are that firm's sales): they get an unsaved copy with those emptied."""
    if not aggregates_hidden(user, firms=profile.members):
        profile.withheld = False
        return profile
    shown = copy.copy(profile)  # the caller's instance keeps its figures
    shown.withheld = True
    shown.employment = shown.sales = shown.exports = shown.score_mean = None
    shown.pillars = {}
    shown.gaps = {}
    return shown


def cell_for(*, user: User | AnonymousUser, cell: RegionSectorStat) -> RegionSectorStat:
    """A province x division cell as this user may see it, with `withheld` set: below
    AGGREGATE_MIN_FIRMS establishments, no employment and no location quotient (which is
    the employment divided by public totals)."""
    if not aggregates_hidden(user, firms=cell.establishments):
        cell.withheld = False
        return cell
    shown = copy.copy(cell)
    shown.withheld = True
    shown.employment = None
    shown.lq = None
    return shown


def withheld_last(items: list[_Shown], *, code: Callable[[_Shown], str]) -> list[_Shown]:
    """The shown items in their order, then the withheld ones by `code`: lists sorted by a
    figure (employment, LQ) would otherwise place a withheld group between two shown
    ones, which bounds the figure it hides."""
    return sorted(items, key=lambda item: (item.withheld, code(item) if item.withheld else ""))
