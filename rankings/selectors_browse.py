"""Reads behind the ranking pages: the analysts' table and export, runs and editions,
the public top-100 and the public methodology. Scoped by the user like selectors.py,
on top of which they build."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, FloatField, Model, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from firms.models import FirmYear, Park, Province, Sector
from firms.roles import Role, user_role
from firms.selectors import firms_visible_to
from rankings.labels import pillar_label
from rankings.methodology import PILLARS, spec_pillars
from rankings.models import Edition, FirmScore, Methodology, RankingRun, YearState
from rankings.selectors import RankingFilters, edition_top, ranking_for

# Employees in the ranked year; the upper bounds are inclusive.
SIZE_CLASSES: dict[str, tuple[int, int | None]] = {
    "micro": (0, 9),
    "small": (10, 49),
    "medium": (50, 249),
}
BASE_SORTS = ("rank", "score", "change", "name")


@dataclass(frozen=True)
class BrowseFilters:
    province: str | None = None  # ISO code
    park: str | None = None  # park code
    section: str | None = None  # ISIC section letter
    division: str | None = None  # ISIC division, two digits
    cluster: int | None = None
    size: str | None = None  # a SIZE_CLASSES key
    search: str | None = None


def sort_keys(pillars: list[str]) -> list[str]:
    """Every sort the table accepts; a leading "-" reverses it."""
    keys = [*BASE_SORTS, *pillars]
    return keys + [f"-{k}" for k in keys]


def cluster_membership_model() -> type[Model] | None:
    """ClusterMembership when the clusters app defines it (it is built separately)."""
    try:
        return apps.get_model("clusters", "ClusterMembership")
    except LookupError:
        return None


def ranking_browse(
    *,
    user: User | AnonymousUser,
    run: RankingRun,
    filters: BrowseFilters,
    sort: str = "rank",
    lang: str = "fa",
) -> QuerySet[FirmScore]:
    """The ranked firms of `run` this user may list, filtered and sorted."""
    scores = ranking_for(
        user=user,
        run=run,
        filters=RankingFilters(
            province=filters.province, park=filters.park, sector=filters.section
        ),
    )
    if filters.search:
        scores = ranking_search(scores, user=user, term=filters.search)
    if filters.division:
        scores = scores.filter(firm__isic__code__startswith=filters.division)
    if filters.size in SIZE_CLASSES:
        low, high = SIZE_CLASSES[filters.size]
        # FirmScore carries no head count: a semi-join on FirmYear's (firm, year) key.
        in_class = FirmYear.objects.filter(year=run.year, employees__gte=low)
        if high is not None:
            in_class = in_class.filter(employees__lte=high)
        scores = scores.filter(firm_id__in=in_class.values("firm_id"))
    membership = cluster_membership_model()
    if filters.cluster and membership is not None:
        members = membership.objects.filter(run=run, cluster_id=filters.cluster)
        scores = scores.filter(firm_id__in=members.values("firm_id"))
    return scores.order_by(*_ordering(sort, lang=lang, pillars=spec_pillars(run.methodology.spec)))


# National ids are stored with ASCII digits; people type Persian or Arabic-Indic ones.
_ASCII_DIGITS = str.maketrans(
    {**{chr(0x06F0 + d): str(d) for d in range(10)}, **{chr(0x0660 + d): str(d) for d in range(10)}}
)


def ranking_search(
    scores: QuerySet[FirmScore], *, user: User | AnonymousUser, term: str
) -> QuerySet[FirmScore]:
    """Rows whose firm's name contains `term`, or whose national id is `term`.

    Park managers and firm users may list the top-N firms of every park by name, but an
    exact national id matches only a firm whose detail they may see: otherwise typing an
    id would tell them which firm holds it. Analysts match any firm."""
    term = " ".join(term.translate(_ASCII_DIGITS).split())
    if not term:
        return scores
    by_name = Q(firm__name_fa__icontains=term) | Q(firm__name_en__icontains=term)
    by_id = Q(firm__national_id=term)
    if user_role(user) != Role.ANALYST:
        by_id &= Q(firm_id__in=firms_visible_to(user).values("id"))
    return scores.filter(by_name | by_id)


def _ordering(sort: str, *, lang: str, pillars: list[str]) -> list[Any]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "score":
        expr: Any = F("score")
    elif key == "change":
        expr = F("rank_change")
    elif key == "name":
        expr = F("firm__name_en" if lang == "en" else "firm__name_fa")
    elif key in pillars:
        expr = Cast(KeyTextTransform(key, "pillars"), FloatField())
    else:
        return ["-rank" if descending else "rank", "firm_id"]
    ordered = expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True)
    return [ordered, "rank", "firm_id"]


def ranking_export_rows(
    *, scores: QuerySet[FirmScore], pillars: list[str]
) -> Iterator[list[object]]:
    """One row per firm for a spreadsheet; read in chunks, without model instances."""
    fields = [
        "rank",
        "firm__national_id",
        "firm__name_fa",
        "firm__name_en",
        "firm__park__province__code",
        "firm__park__province__name_fa",
        "firm__park__code",
        "firm__park__name_fa",
        "firm__isic_id",
        "score",
        "pillars",
        "rank_change",
        "rank_low",
        "rank_high",
        "top_probability",
    ]
    for row in scores.values_list(*fields).iterator(chunk_size=2000):
        *head, score, pillar_scores, change, low, high, probability = row
        pillar_scores = pillar_scores or {}
        yield [
            *head,
            _round(score),
            *(_round(pillar_scores.get(p)) for p in pillars),
            change,
            low,
            high,
            _round(probability, 4),
        ]


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class FilterChoices:
    provinces: list[Province]
    parks: list[Park]
    sections: list[Sector]
    divisions: list[Sector]
    clusters: list[tuple[int, str, str]] | None  # None: the clusters app has no model yet


def filter_choices(*, run: RankingRun | None) -> FilterChoices:
    """What the filter drop-downs offer (reference data: a few hundred rows at most)."""
    sectors = Sector.objects.filter(level__in=[Sector.Level.SECTION, Sector.Level.DIVISION])
    sectors = list(sectors.order_by("code"))
    return FilterChoices(
        provinces=list(Province.objects.order_by("code")),
        parks=list(Park.objects.select_related("province").order_by("code")),
        sections=[s for s in sectors if s.level == Sector.Level.SECTION],
        divisions=[s for s in sectors if s.level == Sector.Level.DIVISION],
        clusters=_cluster_choices(run),
    )


def _cluster_choices(run: RankingRun | None) -> list[tuple[int, str, str]] | None:
    """(id, Persian name, English name) of the clusters with members in `run`."""
    membership = cluster_membership_model()
    if membership is None:
        return None
    if run is None:
        return []
    cluster_model = membership._meta.get_field("cluster").related_model
    used = membership.objects.filter(run=run).values("cluster_id")
    clusters = cluster_model.objects.filter(pk__in=used).order_by("pk")
    return [
        (c.pk, getattr(c, "name_fa", "") or str(c), getattr(c, "name_en", "") or "")
        for c in clusters
    ]


def run_get(*, run_id: int) -> RankingRun:
    return get_object_or_404(RankingRun.objects.select_related("methodology", "edition"), pk=run_id)


def run_table() -> QuerySet[RankingRun]:
    """Every run, newest first, with what the runs page shows beside it."""
    return RankingRun.objects.select_related("methodology", "edition").order_by(
        "-created_at", "-id"
    )


def current_run_ids() -> set[int]:
    return set(
        YearState.objects.filter(current_run__isnull=False).values_list("current_run_id", flat=True)
    )


def runs_running() -> bool:
    return RankingRun.objects.filter(status=RankingRun.Status.RUNNING).exists()


def edition_list() -> QuerySet[Edition]:
    return Edition.objects.select_related("run__methodology", "published_by").order_by(
        "-published_at", "-id"
    )


def edition_public(*, year: int | None = None) -> Edition | None:
    """The edition the public page shows: the given year's latest, or else the newest
    year's (publishing a correction of an older year must not replace the newest list)."""
    editions = Edition.objects.select_related("run__methodology")
    if year is not None:
        editions = editions.filter(year=year)
    return editions.order_by("-year", "-published_at", "-id").first()


def edition_years() -> list[int]:
    return list(Edition.objects.order_by("-year").values_list("year", flat=True).distinct())


@dataclass(frozen=True)
class PublicRow:
    """What anyone may see of a firm in a published edition (no figures, no ids)."""

    rank: int
    name_fa: str
    name_en: str
    province: dict[str, str]
    sector: dict[str, str]
    score: float | None
    pillars: list[tuple[str, str, float | None]]  # code, label, score


def edition_public_rows(*, edition: Edition, search: str | None = None) -> list[PublicRow]:
    """The edition's top-N, optionally narrowed to names containing `search`."""
    scores = edition_top(edition=edition)
    if search:
        scores = scores.filter(
            Q(firm__name_fa__icontains=search) | Q(firm__name_en__icontains=search)
        )
    pillars = spec_pillars(edition.run.methodology.spec)
    # values(): only public columns ever leave the database for this page.
    rows = scores.values(
        "rank",
        "score",
        "pillars",
        "firm__name_fa",
        "firm__name_en",
        "firm__park__province__name_fa",
        "firm__park__province__name_en",
        # Classes have English titles only; their division (two levels up) has both.
        "firm__isic__parent__parent__title_fa",
        "firm__isic__parent__parent__title_en",
    )
    return [
        PublicRow(
            rank=r["rank"],
            name_fa=r["firm__name_fa"],
            name_en=r["firm__name_en"],
            province={
                "name_fa": r["firm__park__province__name_fa"],
                "name_en": r["firm__park__province__name_en"],
            },
            sector={
                "title_fa": r["firm__isic__parent__parent__title_fa"],
                "title_en": r["firm__isic__parent__parent__title_en"],
            },
            score=r["score"],
            pillars=[(p, pillar_label(p), (r["pillars"] or {}).get(p)) for p in pillars],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class PublicPillar:
    code: str
    share: float  # percent of the index
    indicators: list[tuple[str, float, int]]  # code, percent of the pillar, direction


@dataclass(frozen=True)
class PublicMethodology:
    version: int
    pillars: list[PublicPillar]
    indicator_count: int
    employees_min: int
    employees_max: int | None
    sales_max: int | None
    top_n: int
    impute: str
    treat: str
    normalise: str
    normalise_range: tuple[float, float]
    aggregate: str
    created_at: Any


def methodology_public() -> PublicMethodology | None:
    """The active methodology's weights and rules, as shares a reader can follow."""
    from rankings.indicators import INDICATORS

    methodology = Methodology.objects.filter(is_active=True).first()
    if methodology is None:
        return None
    spec = methodology.spec
    pillar_total = sum(float(p.get("weight", 1)) for p in spec["pillars"]) or 1.0
    pillars = []
    for p in spec["pillars"]:
        ind_total = sum(float(i.get("weight", 1)) for i in p["indicators"]) or 1.0
        pillars.append(
            PublicPillar(
                code=p["code"],
                share=100 * float(p.get("weight", 1)) / pillar_total,
                indicators=[
                    (
                        i["code"],
                        100 * float(i.get("weight", 1)) / ind_total,
                        i.get("direction", INDICATORS.get(i["code"], ("", "", 1))[2]),
                    )
                    for i in p["indicators"]
                ],
            )
        )
    engine = spec.get("engine", {})
    eligibility = spec.get("eligibility", {})
    normalise = _method(engine.get("normalise"), "minmax")
    rng = (engine.get("normalise") or {}).get("range", [0, 100]) if normalise else [0, 100]
    return PublicMethodology(
        version=methodology.version,
        pillars=[p for p in pillars if p.code in PILLARS],
        indicator_count=sum(len(p.indicators) for p in pillars),
        employees_min=eligibility.get("employees_min", 0),
        employees_max=eligibility.get("employees_max"),
        sales_max=eligibility.get("sales_max"),
        top_n=spec.get("top_n", 100),
        impute=_method(engine.get("impute"), "none"),
        treat=_method(engine.get("treat"), "none"),
        normalise=normalise,
        normalise_range=(float(rng[0]), float(rng[1])),
        aggregate=_method(engine.get("aggregate"), "arithmetic"),
        created_at=methodology.created_at,
    )


def _method(section: object, default: str) -> str:
    if isinstance(section, str):
        return section
    if isinstance(section, dict):
        return str(section.get("method", default))
    return default
