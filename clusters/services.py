"""Cluster mapping and membership, computed with every ranking run and switched with it."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from clusters.membership import cluster_members, discover_clusters, region_sector_stats
from clusters.models import Cluster, ClusterMembership, ClusterProfile, RegionSectorStat
from clusters.profile import cluster_profiles, firm_gaps, ranks_in_clusters
from firms.models import Park, Province, Sector
from rankings.compute import YearRanking
from rankings.models import RankingRun
from smerank.bulk import frame_insert


@dataclass(frozen=True)
class ClusterRunData:
    stats: pd.DataFrame  # province_id x division cells with LQ and flags
    discovered: pd.DataFrame  # proposals from strong cells (by code)
    members: pd.DataFrame  # cluster code, firm_id, rank_in_cluster
    profiles: pd.DataFrame  # one row per cluster code
    rank_cluster: pd.Series  # firm_id -> rank in its main cluster
    seconds: float


def _official_definitions() -> pd.DataFrame:
    """Active official clusters in the long format of `cluster_members`."""
    active = Cluster.objects.filter(is_active=True, kind=Cluster.Kind.OFFICIAL)
    rows = [
        *[
            {"cluster_id": code, "isic_prefix": sector, "province": None, "park": None}
            for code, sector in active.values_list("code", "sectors__code")
            if sector
        ],
        *[
            {"cluster_id": code, "isic_prefix": None, "province": province, "park": None}
            for code, province in active.values_list("code", "provinces__id")
            if province
        ],
        *[
            {"cluster_id": code, "isic_prefix": None, "province": None, "park": park}
            for code, park in active.values_list("code", "parks__id")
            if park
        ],
    ]
    return pd.DataFrame(rows, columns=["cluster_id", "isic_prefix", "province", "park"])


def cluster_run_prepare(
    *, figures: pd.DataFrame, firms: pd.DataFrame, result: YearRanking, year: int, top_n: int
) -> ClusterRunData:
    """Everything the run needs about clusters, computed before the write transaction."""
    started = time.perf_counter()
    current = figures[figures["year"] == year].set_index("firm_id")
    info = firms.reindex(current.index)
    frame = pd.DataFrame(
        {
            "firm_id": current.index,
            "province": info["province_id"].to_numpy(),
            "park": info["park_id"].to_numpy(),
            "isic_class": info["isic"].astype(str).to_numpy(),
            "employees": current["employees"].astype("float64").to_numpy(),
        }
    ).dropna(subset=["province"])
    frame["province"] = frame["province"].astype("int64")
    frame["park"] = frame["park"].astype("int64")
    stats = region_sector_stats(firms=frame)
    discovered = discover_clusters(stats=stats)
    # Province ids as integers, to match the firm table.
    discovered["province"] = discovered["province"].astype("int64")
    codes = dict(Province.objects.values_list("id", "code"))
    discovered["cluster_id"] = (
        "D-" + discovered["province"].map(codes) + "-" + discovered["division"].astype(str)
    )
    definitions = pd.concat(
        [_official_definitions(), discovered[["cluster_id", "isic_prefix", "province", "park"]]],
        ignore_index=True,
    )
    if len(definitions):
        members = cluster_members(firms=frame, clusters=definitions)
    else:
        members = pd.DataFrame(
            {"cluster_id": pd.Series([], dtype=object), "firm_id": pd.Series([], dtype="int64")}
        )
    members["cluster_id"] = members["cluster_id"].astype(object)
    scores = result.scores
    members["rank_in_cluster"] = ranks_in_clusters(members=members, scores=scores["score"])
    gaps = firm_gaps(current=current, raw=result.raw)
    profiles = cluster_profiles(
        members=members,
        scores=scores,
        current=current,
        gaps=gaps,
        pillars=result.pillars,
        top_n=top_n,
    )
    # A firm's cluster rank is its rank in its official cluster first, else a discovered one.
    main = members.assign(official=~members["cluster_id"].str.startswith("D-")).sort_values(
        ["firm_id", "official", "cluster_id"], ascending=[True, False, True]
    )
    rank_cluster = main.drop_duplicates("firm_id").set_index("firm_id")["rank_in_cluster"]
    return ClusterRunData(
        stats=stats,
        discovered=discovered,
        members=members,
        profiles=profiles,
        rank_cluster=rank_cluster,
        seconds=time.perf_counter() - started,
    )


def _discovered_clusters_ensure(discovered: pd.DataFrame) -> None:
    existing = set(
        Cluster.objects.filter(code__in=list(discovered["cluster_id"])).values_list(
            "code", flat=True
        )
    )
    new = discovered[~discovered["cluster_id"].isin(existing)]
    if new.empty:
        return
    provinces = {p.pk: p for p in Province.objects.all()}
    titles = dict(Sector.objects.filter(level="division").values_list("code", "title_fa"))
    titles_en = dict(Sector.objects.filter(level="division").values_list("code", "title_en"))
    created = Cluster.objects.bulk_create(
        [
            Cluster(
                code=row.cluster_id,
                kind=Cluster.Kind.DISCOVERED,
                name_fa=f"خوشه {titles.get(row.division) or row.division} — "
                f"{provinces[row.province].name_fa}",
                name_en=f"{titles_en.get(row.division, row.division)} — "
                f"{provinces[row.province].name_en}",
                description="",
            )
            for row in new.itertuples(index=False)
        ]
    )
    by_code = {c.code: c for c in created}
    division_pks = dict(Sector.objects.filter(level="division").values_list("code", "pk"))
    Cluster.sectors.through.objects.bulk_create(
        [
            Cluster.sectors.through(
                cluster_id=by_code[r.cluster_id].pk, sector_id=division_pks[r.division]
            )
            for r in new.itertuples(index=False)
        ]
    )
    Cluster.provinces.through.objects.bulk_create(
        [
            Cluster.provinces.through(cluster_id=by_code[r.cluster_id].pk, province_id=r.province)
            for r in new.itertuples(index=False)
        ]
    )


def cluster_run_write(*, run: RankingRun, data: ClusterRunData) -> None:
    """Write the run's map, memberships and profiles (inside the run's transaction)."""
    assert transaction.get_connection().in_atomic_block
    _discovered_clusters_ensure(data.discovered)
    pks = dict(Cluster.objects.values_list("code", "pk"))
    stats = data.stats
    frame_insert(
        model=RegionSectorStat,
        frame=pd.DataFrame(
            {
                "run_id": run.pk,
                "province_id": stats["province"].astype("int64"),
                "division": stats["division"].astype(str),
                "employment": stats["employment"].astype("int64"),
                "establishments": stats["establishments"].astype("int64"),
                "lq": stats["lq"].replace([np.inf, -np.inf], np.nan),
                "qualifying": stats["qualifying"].astype(bool),
                "significant": stats["significant"].astype(bool),
                "strong": stats["strong"].astype(bool),
                "strong10": stats["strong10"].astype(bool),
                "stars": stats["stars"].astype("int64"),
                "star_size": stats["size_star"].astype(bool),
                "star_specialisation": stats["specialisation_star"].astype(bool),
                "star_focus": stats["focus_star"].astype(bool),
            }
        ),
    )
    members = data.members
    frame_insert(
        model=ClusterMembership,
        frame=pd.DataFrame(
            {
                "run_id": run.pk,
                "cluster_id": members["cluster_id"].map(pks).astype("int64"),
                "firm_id": members["firm_id"].astype("int64"),
                "rank_in_cluster": members["rank_in_cluster"].astype("Int64"),
            }
        ),
    )
    p = data.profiles
    if len(p):
        frame_insert(
            model=ClusterProfile,
            frame=pd.DataFrame(
                {
                    "run_id": run.pk,
                    "cluster_id": p["cluster_id"].map(pks).astype("int64"),
                    "members": p["members"].astype("int64"),
                    "ranked": p["ranked"].astype("int64"),
                    "employment": p["employment"].fillna(0).round().astype("int64"),
                    "sales": p["sales"].fillna(0).round().astype("int64"),
                    "exports": p["exports"].fillna(0).round().astype("int64"),
                    "score_mean": p["score_mean"],
                    "in_top": p["in_top"].astype("int64"),
                    "pillars": _json(p["pillars"]),
                    "pillars_national": _json(p["pillars_national"]),
                    "weakest_pillars": _json(p["weakest_pillars"]),
                    "gaps": _json(p["gaps"]),
                    "top_members": _json(p["top_members"]),
                }
            ),
        )


def _json(values: pd.Series) -> pd.Series:
    return values.map(lambda v: json.dumps(v, ensure_ascii=False, allow_nan=False))


def cluster_save(
    *,
    actor: User | AnonymousUser | None,
    cluster: Cluster | None,
    code: str,
    name_fa: str,
    name_en: str,
    description: str,
    sectors: list[Sector],
    provinces: list[Province],
    parks: list[Park],
    is_active: bool,
) -> Cluster:
    """Create (cluster=None) or update an official cluster, audit it, and ask for a
    recompute of every year with data: membership is only ever computed by a run, so the
    next run of each year applies the new definition and switches with it."""
    from firms.models import FirmYear
    from firms.services import audit_record
    from rankings.services import data_changed

    with transaction.atomic():
        creating = cluster is None
        if creating:
            cluster = Cluster(kind=Cluster.Kind.OFFICIAL)
        before = None if creating else _cluster_definition(cluster)
        cluster.code = code
        cluster.name_fa = name_fa
        cluster.name_en = name_en
        cluster.description = description
        cluster.is_active = is_active
        cluster.save()
        cluster.sectors.set(sectors)
        cluster.provinces.set(provinces)
        cluster.parks.set(parks)
        after = _cluster_definition(cluster)
        audit_record(
            actor=actor,
            action="cluster.create" if creating else "cluster.update",
            obj=cluster,
            detail={"after": after} if creating else {"before": before, "after": after},
        )
        years = list(FirmYear.objects.order_by().values_list("year", flat=True).distinct())
        if years:
            data_changed(years=years)
    return cluster


def _cluster_definition(cluster: Cluster) -> dict[str, Any]:
    return {
        "code": cluster.code,
        "name_fa": cluster.name_fa,
        "name_en": cluster.name_en,
        "is_active": cluster.is_active,
        "sectors": sorted(cluster.sectors.values_list("code", flat=True)),
        "provinces": sorted(cluster.provinces.values_list("code", flat=True)),
        "parks": sorted(cluster.parks.values_list("code", flat=True)),
    }


def cluster_definitions_digest() -> str:
    """A hash of every active official cluster definition (activities and places)."""
    rows = sorted(
        Cluster.objects.filter(is_active=True, kind=Cluster.Kind.OFFICIAL).values_list(
            "code", "sectors__code", "provinces__id", "parks__id"
        ),
        key=str,
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()
