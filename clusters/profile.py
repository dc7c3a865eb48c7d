"""Cluster profiles and in-cluster ranks from a run's scores. Pure pandas (no Django)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rankings.engine.rank import min_rank, sort_order

HIGH_DEBT_RATIO = 0.7
GAP_NAMES = ("no_exports", "no_certification", "no_rd", "falling_sales", "high_debt")


def firm_gaps(*, current: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Concrete shortfalls per firm (booleans): the gaps policy acts on."""
    exports = current["exports"].astype("float64")
    rd = current["rd_spend"].astype("float64")
    certs = current["certifications"].fillna("").astype(str)
    gaps = pd.DataFrame(index=current.index)
    gaps["no_exports"] = exports.fillna(0) <= 0
    gaps["no_certification"] = certs == ""
    gaps["no_rd"] = rd.fillna(0) <= 0
    gaps["falling_sales"] = raw["sales_growth"].reindex(current.index) < 0
    gaps["high_debt"] = raw["debt_ratio"].reindex(current.index) > HIGH_DEBT_RATIO
    return gaps


def ranks_in_clusters(*, members: pd.DataFrame, scores: pd.Series) -> pd.Series:
    """Rank of each (cluster, firm) membership among the cluster's ranked firms."""
    values = scores.reindex(members["firm_id"]).to_numpy(dtype=np.float64)
    codes, _ = pd.factorize(members["cluster_id"])
    order = sort_order(values, descending=True)
    return pd.Series(
        min_rank(values, descending=True, groups=codes, order=order), index=members.index
    )


def cluster_profiles(
    *,
    members: pd.DataFrame,
    scores: pd.DataFrame,
    current: pd.DataFrame,
    gaps: pd.DataFrame,
    pillars: list[str],
    top_n: int,
) -> pd.DataFrame:
    """One row per cluster: size, money, mean score and pillars, national pillar means,
    weakest pillars against the nation, share of members with each gap, top members."""
    if members.empty:
        return pd.DataFrame(columns=["cluster_id"])
    m = members[["cluster_id", "firm_id"]].copy()
    joined = m.join(scores[["score", "rank", *pillars]], on="firm_id")
    # Figures are prefixed: "exports" is also the name of a pillar.
    figures = current[["employees", "sales", "exports"]].astype("float64").add_prefix("fig_")
    joined = joined.join(figures, on="firm_id").join(gaps.astype("float64"), on="firm_id")
    grouped = joined.groupby("cluster_id", sort=True)
    out = pd.DataFrame(
        {
            "members": grouped["firm_id"].size(),
            "ranked": grouped["rank"].count(),
            "employment": grouped["fig_employees"].sum(),
            "sales": grouped["fig_sales"].sum(),
            "exports": grouped["fig_exports"].sum(),
            "score_mean": grouped["score"].mean(),
            "in_top": grouped["rank"].agg(lambda r: int((r <= top_n).sum())),
        }
    )
    pillar_means = grouped[pillars].mean()
    national = scores.loc[scores["rank"].notna(), pillars].mean()
    out["pillars"] = _records(pillar_means)
    national_means = {p: None if pd.isna(v) else round(float(v), 6) for p, v in national.items()}
    out["pillars_national"] = [national_means] * len(out)
    diff = pillar_means - national
    out["weakest_pillars"] = [
        [p for p in row.sort_values().index if pd.notna(row[p]) and row[p] < 0][:2]
        for _, row in diff.iterrows()
    ]
    out["gaps"] = _records(grouped[list(GAP_NAMES)].mean())
    best = joined[joined["rank"].notna()].sort_values(["cluster_id", "rank"])
    top = best.groupby("cluster_id")["firm_id"].agg(lambda ids: [int(i) for i in ids[:10]])
    out["top_members"] = top.reindex(out.index).apply(lambda v: v if isinstance(v, list) else [])
    return out.reset_index()


def _records(frame: pd.DataFrame) -> list[dict[str, float | None]]:
    cleaned = frame.round(6).astype(object).where(frame.notna(), None)
    return cleaned.to_dict("records")
