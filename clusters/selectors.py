"""Reads of clusters, scoped like the ranking: members' details only for visible firms."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from clusters.models import Cluster, ClusterMembership, ClusterProfile, RegionSectorStat
from firms.roles import Role, user_role
from firms.selectors import firms_visible_to
from rankings.models import RankingRun


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
