"""The analysts' ranking table (filters, sorting, paging) and its CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from firms.services import audit_record
from rankings import selectors, selectors_browse
from rankings.exports import csv_chunks, xlsx_bytes
from rankings.forms import RankingFilterForm
from rankings.labels import pillar_columns
from rankings.methodology import spec_pillars
from rankings.models import FirmScore, RankingRun
from rankings.views_public import htmx_partial
from smerank.permissions import analyst_required

PAGE_SIZE = 50
# Sorts whose first click shows the largest values first (a "top" list).
_DESCENDING_FIRST = {"score", "change"}


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


@dataclass
class Browse:
    form: RankingFilterForm
    run: RankingRun | None
    pillars: list[str]
    sort: str
    scores: QuerySet[FirmScore] | None


def _browse(request: HttpRequest) -> Browse:
    """Validate the filters and select the run's rows (the page and the export share it)."""
    lang = _lang()
    years = selectors.years_with_runs()
    # The year picks the run, and the run decides the other choices (its pillars, its
    # clusters); an unknown year means the latest one.
    year = _year_param(request.GET.get("year"), years)
    run = selectors.current_run(year=year)
    pillars = spec_pillars(run.methodology.spec) if run else []
    data = request.GET.copy()
    if run is not None:
        data["year"] = str(run.year)  # the drop-down shows the year actually displayed
    form = RankingFilterForm(
        data,
        years=years,
        choices=selectors_browse.filter_choices(run=run),
        sorts=selectors_browse.sort_keys(pillars),
        lang=lang,
    )
    form.is_valid()  # invalid filters are dropped (and shown as errors), never a 500
    sort = form.cleaned_data.get("sort") or "rank"
    scores = None
    if run is not None:
        scores = selectors_browse.ranking_browse(
            user=request.user, run=run, filters=form.browse_filters(), sort=sort, lang=lang
        )
    return Browse(form=form, run=run, pillars=pillars, sort=sort, scores=scores)


def _year_param(value: str | None, years: list[int]) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if year in years else None


def _columns(sort: str, pillars: list[str]) -> list[dict[str, Any]]:
    """Sortable headers: what a click on each one sorts by next, and its aria-sort."""
    labels = {
        "rank": _("Rank"),
        "name": _("Firm"),
        "score": _("Score"),
        "change": _("Change"),
        **dict(pillar_columns(pillars)),
    }
    columns = []
    for key, label in labels.items():
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        if current:
            next_sort = key if descending else f"-{key}"
            aria = "descending" if descending else "ascending"
        else:
            next_sort = f"-{key}" if key in _DESCENDING_FIRST or key in pillars else key
            aria = None
        columns.append(
            {
                "key": key,
                "label": label,
                "next": next_sort,
                "aria_sort": aria,
                "pillar": key in pillars,
            }
        )
    return columns


@analyst_required
@require_GET
def analyst_ranking(request: HttpRequest) -> HttpResponse:
    browse = _browse(request)
    context: dict[str, Any] = {
        "form": browse.form,
        "controls": browse.form.controls(),
        "run": browse.run,
        "sort": browse.sort,
    }
    if browse.run is not None and browse.scores is not None:
        page = Paginator(browse.scores, PAGE_SIZE).get_page(
            browse.form.cleaned_data.get("page") or 1
        )
        columns = _columns(browse.sort, browse.pillars)
        link = _profile_link()
        context |= {
            "page": page,
            "rows": [_row(s, browse.pillars, link) for s in page.object_list],
            "columns": columns,
            "pillar_codes": browse.pillars,
            "top_n": browse.run.methodology.spec.get("top_n", 100),
            "has_filters": any(
                browse.form.cleaned_data.get(f)
                for f in ("q", "province", "park", "section", "division", "cluster", "size")
            ),
        }
    template = "rankings/ranking_results.html" if htmx_partial(request) else None
    response = render(request, template or "rankings/ranking_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _profile_link() -> Callable[[int], str] | None:
    """The firm profile's URL maker, or None while that page does not exist (a failing
    reverse per row would cost more than the rest of the page)."""
    try:
        reverse("firm-profile", args=[1])
    except NoReverseMatch:
        return None
    return lambda firm_id: reverse("firm-profile", args=[firm_id])


def _row(score: FirmScore, pillars: list[str], link: Callable[[int], str] | None) -> dict[str, Any]:
    return {
        "score": score,
        "url": link(score.firm_id) if link else None,
        "pillars": [(score.pillars or {}).get(p) for p in pillars],
        "change_abs": abs(score.rank_change) if score.rank_change is not None else None,
        "band": None not in (score.rank_low, score.rank_high, score.top_probability),
    }


def _export_header(pillars: list[str]) -> list[str]:
    return [
        _("Rank"),
        _("National id"),
        _("Persian name"),
        _("Latin name"),
        _("Province code"),
        _("Province"),
        _("Park code"),
        _("Industrial park"),
        _("ISIC class"),
        _("Score"),
        *(label for _code, label in pillar_columns(pillars)),
        _("Rank change"),
        _("Rank band (low)"),
        _("Rank band (high)"),
        _("Top-N probability"),
    ]


def _export(request: HttpRequest, *, fmt: str) -> HttpResponse:
    browse = _browse(request)
    if browse.run is None or browse.scores is None:
        return HttpResponse(_("No ranking has been computed yet."), status=404)
    run = browse.run
    rows = selectors_browse.ranking_export_rows(scores=browse.scores, pillars=browse.pillars)
    header = _export_header(browse.pillars)
    # Exports carry national ids: who took which list is recorded.
    audit_record(
        actor=request.user,
        action="ranking.export",
        obj=run,
        detail={"format": fmt, "query": request.GET.urlencode()[:500]},
    )
    filename = f"smerank-ranking-{run.year}-run{run.pk}.{fmt}"
    if fmt == "csv":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            csv_chunks(header=header, rows=rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            xlsx_bytes(
                header=header, rows=rows, sheet_title=f"SME {run.year}", rtl=_lang() == "fa"
            ),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@analyst_required
@require_GET
def analyst_ranking_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, fmt="csv")


@analyst_required
@require_GET
def analyst_ranking_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, fmt="xlsx")
