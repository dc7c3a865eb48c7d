"""What the cluster pages show, worked out from a profile or the map cells: pillar rows,
gap sentences, chart data. Plain functions of already-read rows (no queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.models import ClusterProfile, RegionSectorStat
from clusters.profile import GAP_NAMES, HIGH_DEBT_RATIO
from firms.models import Province, Sector
from rankings.labels import indicator_label, pillar_label
from rankings.methodology import spec_pillars
from rankings.models import RankingRun
from smerank.formatting import number_format

GAP_LABELS = {
    "no_exports": gettext_lazy("No exports"),
    "no_certification": gettext_lazy("No certification"),
    "no_rd": gettext_lazy("No R&D"),
    "falling_sales": gettext_lazy("Falling sales"),
    "high_debt": gettext_lazy("High debt"),
}
GAP_SENTENCES = {
    "no_exports": gettext_lazy("%(share)s of members export nothing"),
    "no_certification": gettext_lazy("%(share)s of members hold no quality certificate"),
    "no_rd": gettext_lazy("%(share)s of members spend nothing on research and development"),
    "falling_sales": gettext_lazy("%(share)s of members sold less than the year before"),
    "high_debt": gettext_lazy("%(share)s of members owe more than %(limit)s of their assets"),
}


def lang() -> str:
    return (translation.get_language() or "fa")[:2]


def percent(share: float | None, *, decimals: int = 0) -> str:
    """0.714 → "71%" (English) or "۷۱٪" (Persian)."""
    if share is None:
        return "—"
    text = number_format(share * 100, lang=lang(), decimals=decimals)
    return text + ("٪" if lang() == "fa" else "%")


def sector_title(sector: Sector | None, code: str = "") -> str:
    """Many ISIC groups and classes have no Persian title yet: fall back to English."""
    if sector is None:
        return code
    if lang() == "fa":
        return sector.title_fa or sector.title_en
    return sector.title_en or sector.title_fa


def province_name(province: Province) -> str:
    return (province.name_en if lang() == "en" else "") or province.name_fa


def run_pillars(run: RankingRun) -> list[str]:
    return spec_pillars(run.methodology.spec)


def run_top_n(run: RankingRun) -> int:
    return int(run.methodology.spec.get("top_n", 100))


@dataclass(frozen=True)
class PillarRow:
    code: str
    label: str
    cluster: float | None
    national: float | None
    indicators: str  # what the pillar measures, in plain words

    @property
    def difference(self) -> float | None:
        if self.cluster is None or self.national is None:
            return None
        return self.cluster - self.national


def pillar_rows(*, profile: ClusterProfile, run: RankingRun) -> list[PillarRow]:
    """The cluster's mean of each pillar against the national mean, in the method's order."""
    measured = {
        p["code"]: "، ".join(indicator_label(i["code"]) for i in p["indicators"])
        if lang() == "fa"
        else ", ".join(indicator_label(i["code"]) for i in p["indicators"])
        for p in run.methodology.spec["pillars"]
    }
    return [
        PillarRow(
            code=code,
            label=pillar_label(code),
            cluster=(profile.pillars or {}).get(code),
            national=(profile.pillars_national or {}).get(code),
            indicators=measured.get(code, ""),
        )
        for code in run_pillars(run)
    ]


def weakest_rows(*, profile: ClusterProfile, rows: list[PillarRow]) -> list[PillarRow]:
    by_code = {r.code: r for r in rows}
    return [by_code[c] for c in profile.weakest_pillars or [] if c in by_code]


def gap_rows(profile: ClusterProfile) -> list[dict[str, Any]]:
    """Each gap as a bar (share in percent) and a sentence, largest first."""
    gaps = profile.gaps or {}
    limit = percent(HIGH_DEBT_RATIO)
    rows = []
    for code in GAP_NAMES:
        share = gaps.get(code)
        rows.append(
            {
                "code": code,
                "label": GAP_LABELS[code],
                "share": share,
                "width": round(share * 100, 1) if share is not None else 0,
                "percent": percent(share),
                "sentence": GAP_SENTENCES[code] % {"share": percent(share), "limit": limit}
                if share is not None
                else None,
            }
        )
    return sorted(rows, key=lambda r: -(r["share"] or 0))


def pillar_chart(*, rows: list[PillarRow]) -> dict[str, Any]:
    return {
        "lang": lang(),
        "labels": [r.label for r in rows],
        "cluster": [None if r.cluster is None else round(r.cluster, 1) for r in rows],
        "national": [None if r.national is None else round(r.national, 1) for r in rows],
        "clusterName": _("This cluster"),
        "nationalName": _("National average"),
    }


def heatmap_data(
    *, cells: list[RegionSectorStat], divisions: dict[str, Sector], geojson_url: str
) -> dict[str, Any]:
    """The map page's data: provinces (rows) x divisions (columns) with LQ and flags."""
    provinces = sorted({c.province for c in cells}, key=province_name)
    codes = sorted({c.division for c in cells})
    row_of = {p.pk: i for i, p in enumerate(provinces)}
    column_of = {code: i for i, code in enumerate(codes)}
    return {
        "lang": lang(),
        "geojsonUrl": geojson_url,
        "provinces": [{"code": p.code, "name": province_name(p)} for p in provinces],
        "divisions": [
            {"code": code, "title": sector_title(divisions.get(code), code)} for code in codes
        ],
        # [column, row, LQ, strong (0/1), employment, establishments]
        "cells": [
            [
                column_of[c.division],
                row_of[c.province_id],
                None if c.lq is None else round(c.lq, 2),
                int(c.strong),
                c.employment,
                c.establishments,
            ]
            for c in cells
        ],
        "labels": {
            "lq": _("Location quotient"),
            "strong": _("Strong cluster cell"),
            "strongCount": _("Strong cells"),
            "employment": _("Employment"),
            "establishments": _("Firms"),
            "nodata": _("No data"),
            "error": _("The map could not be loaded; the strong cells are in the table below."),
        },
    }
