"""Reads for the cluster pages: the filtered list, one cluster's definition, members and
cells, and the province x division map. Members go through `cluster_members_for`, so a
park manager never lists a firm beyond the published top-N and their own park."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from clusters.models import Cluster, ClusterMembership, ClusterProfile, RegionSectorStat
from clusters.selectors import cluster_members_for, cluster_profiles_for, region_stats_for
from firms.models import Park, Province, Sector
from rankings.models import FirmScore, RankingRun

# What an analyst may put in a cluster definition: ISIC divisions, groups and classes.
ACTIVITY_LEVELS = (Sector.Level.DIVISION, Sector.Level.GROUP, Sector.Level.CLASS)


@dataclass(frozen=True)
class ClusterListFilters:
    kind: str = ""  # "official", "discovered" or "" for both
    province: str = ""  # ISO code, e.g. IR-23
    search: str = ""


def cluster_list(*, run: RankingRun, filters: ClusterListFilters) -> QuerySet[ClusterProfile]:
    """The run's clusters with their profiles, official ones first, then the largest."""
    profiles = cluster_profiles_for(run=run)
    if filters.kind:
        profiles = profiles.filter(cluster__kind=filters.kind)
    if filters.province:
        # Park-based official clusters belong to their parks' provinces too.
        in_province = Q(
            cluster__in=Cluster.objects.filter(
                Q(provinces__code=filters.province) | Q(parks__province__code=filters.province)
            ).values("pk")
        )
        profiles = profiles.filter(in_province)
    if filters.search:
        term = filters.search
        profiles = profiles.filter(
            Q(cluster__name_fa__icontains=term)
            | Q(cluster__name_en__icontains=term)
            | Q(cluster__code__icontains=term)
        )
    return profiles


def clusters_pending(*, run: RankingRun) -> QuerySet[Cluster]:
    """Active official clusters with no profile in the run: defined after it, or matching
    no firm. Analysts should see them rather than wonder where their cluster went."""
    return (
        Cluster.objects.filter(kind=Cluster.Kind.OFFICIAL, is_active=True)
        .exclude(profiles__run=run)
        .order_by("code")
    )


def cluster_definition_get(*, cluster_id: int) -> Cluster:
    """A cluster with what defines it (activities, provinces, parks), or 404."""
    return get_object_or_404(
        Cluster.objects.prefetch_related("sectors", "provinces", "parks__province"),
        pk=cluster_id,
    )


def cluster_profile_find(*, run: RankingRun, cluster: Cluster) -> ClusterProfile | None:
    profile = ClusterProfile.objects.filter(run=run, cluster=cluster).first()
    if profile is not None:
        profile.cluster = cluster  # already read, with its definition prefetched
    return profile


def _with_national_rank(
    members: QuerySet[ClusterMembership], run: RankingRun
) -> QuerySet[ClusterMembership]:
    national = FirmScore.objects.filter(run=run, firm_id=OuterRef("firm_id")).values("rank")[:1]
    return members.annotate(national_rank=Subquery(national))


def cluster_members_page(
    *, user: User | AnonymousUser, run: RankingRun, cluster: Cluster
) -> QuerySet[ClusterMembership]:
    """The members this user may list, ranked ones first, each with its national rank."""
    members = cluster_members_for(user=user, run=run, cluster=cluster).select_related(
        "firm__park__province"
    )
    ordered = members.order_by(F("rank_in_cluster").asc(nulls_last=True), "firm_id")
    return _with_national_rank(ordered, run)


def cluster_top_members(
    *, user: User | AnonymousUser, run: RankingRun, profile: ClusterProfile
) -> list[ClusterMembership]:
    """The profile's best members (computed with the run) that this user may see."""
    if not profile.top_members:
        return []
    members = cluster_members_page(user=user, run=run, cluster=profile.cluster)
    return list(members.filter(firm_id__in=profile.top_members))


def cluster_cells(*, run: RankingRun, cluster: Cluster) -> QuerySet[RegionSectorStat]:
    """The map cells of the cluster's divisions in its provinces (its parks' provinces
    included); a cluster without places covers every province."""
    divisions = {s.code[:2] for s in cluster.sectors.all()}
    provinces = {p.pk for p in cluster.provinces.all()} | {
        park.province_id for park in cluster.parks.all()
    }
    cells = region_stats_for(run=run).filter(division__in=divisions)
    if provinces:
        cells = cells.filter(province_id__in=provinces)
    return cells.order_by(F("lq").desc(nulls_last=True), "province__code")


def division_titles(*, codes: set[str] | list[str]) -> dict[str, Sector]:
    return {s.code: s for s in Sector.objects.filter(level=Sector.Level.DIVISION, code__in=codes)}


def discovered_cluster_ids(*, codes: list[str]) -> dict[str, int]:
    """Cluster ids of discovered clusters by code ("D-IR-23-25"), to link map cells."""
    return dict(Cluster.objects.filter(code__in=codes).values_list("code", "pk"))


def map_cells(*, run: RankingRun) -> list[RegionSectorStat]:
    return list(region_stats_for(run=run))


def activity_options() -> QuerySet[Sector]:
    """Divisions, groups and classes an analyst may pick, in code order."""
    return Sector.objects.filter(level__in=ACTIVITY_LEVELS).order_by("code")


def sectors_by_codes(*, codes: list[str]) -> dict[str, Sector]:
    return {s.code: s for s in Sector.objects.filter(code__in=codes)}


def province_options() -> QuerySet[Province]:
    return Province.objects.order_by("code")


def park_options() -> QuerySet[Park]:
    return Park.objects.select_related("province").order_by("province__code", "code")
