"""The analysts' ranking table (filters, sorting, paging) and its CSV/XLSX export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from firms.roles import Role, user_role
from firms.services import audit_record
from rankings import selectors, selectors_browse
from rankings.exports import csv_chunks
from rankings.forms import RankingFilterForm, RankingFilterOptions
from rankings.labels import pillar_columns
from rankings.methodology import spec_pillars
from rankings.models import FirmScore, RankingRun
from rankings.ranking_table import (
    RankingRows,
    header_html,
    page_links_html,
    profile_link,
    rows_html,
)
from rankings.selectors_browse import BrowseFilters
from rankings.views_public import htmx_partial
from rankings.xlsx_stream import xlsx_chunks
from smerank.permissions import analyst_required

PAGE_SIZE = 50
# Sorts whose first click shows the largest values first (a "top" list).
_DESCENDING_FIRST = {"score", "change"}
# The rank is the score's order (ties share a rank), so sorting by score is sorting by
# rank, which the (run, rank) index serves; the score itself would be a sort of the whole run.
_SORT_IN_DB = {"-score": "rank", "score": "-rank"}
# A run's rows never change, but the firms' names, parks and the drop-downs' reference
# data can: cached counts and choices expire soon enough for an edit to show.
CHOICES_CACHE_SECONDS = 300


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


@dataclass
class Browse:
    form: RankingFilterForm
    run: RankingRun | None
    pillars: list[str]
    sort: str
    scores: QuerySet[FirmScore] | None
    filters_key: str = ""  # the filters, for the cache of the list's order
    whole_run_by_rank: bool = False  # every ranked firm, best first: paged by rank


def _filter_options(run: RankingRun | None, *, lang: str) -> RankingFilterOptions:
    """The drop-downs' options (reference data and the run's clusters), read and built
    once per run and language: cached as plain pairs and HTML, which unpickle faster than
    the hundreds of model instances they are made from."""
    run_key = selectors.run_cache_key(run) if run else "none"
    key = f"rankings:choices:v2:{run_key}:{translation.get_language()}"
    options = cache.get(key)
    if options is None:
        choices = selectors_browse.filter_choices(run=run)
        options = RankingFilterOptions.build(choices, lang=lang)
        cache.set(key, options, CHOICES_CACHE_SECONDS)
    return options


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
        options=_filter_options(run, lang=lang),
        sorts=selectors_browse.sort_keys(pillars),
        lang=lang,
    )
    form.is_valid()  # invalid filters are dropped (and shown as errors), never a 500
    sort = form.cleaned_data.get("sort") or "rank"
    if run is None:
        return Browse(form=form, run=run, pillars=pillars, sort=sort, scores=None)
    filters = form.browse_filters()
    db_sort = _SORT_IN_DB.get(sort, sort)
    scores = selectors_browse.ranking_browse(
        user=request.user, run=run, filters=filters, sort=db_sort, lang=lang
    )
    role = user_role(request.user)
    return Browse(
        form=form,
        run=run,
        pillars=pillars,
        sort=sort,
        scores=scores,
        filters_key=repr(filters),
        whole_run_by_rank=(
            role == Role.ANALYST and db_sort == "rank" and filters == BrowseFilters()
        ),
    )


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
    partial = htmx_partial(request)
    context: dict[str, Any] = {
        "form": browse.form,
        "run": browse.run,
        "sort": browse.sort,
    }
    if not partial:  # htmx swaps only the results; the filter form stays as it is
        context["controls"] = browse.form.controls()
    if browse.run is not None and browse.scores is not None:
        # The page is found on ids alone; its fifty rows are read in full afterwards.
        ids: Any = (
            selectors.RankedIds(run=browse.run)
            if browse.whole_run_by_rank
            else selectors.row_ids_cached(
                rows=browse.scores,
                user=request.user,
                run=browse.run,
                what=repr((browse.filters_key, browse.sort, _lang())),
            )
        )
        paginator = Paginator(ids, PAGE_SIZE)
        page = paginator.get_page(browse.form.cleaned_data.get("page") or 1)
        scores = selectors.scores_in_order(ids=list(page.object_list))
        top_n = browse.run.methodology.spec.get("top_n", 100)
        lang = _lang()
        table = RankingRows(pillars=browse.pillars, lang=lang, top_n=top_n, link=profile_link())
        rows = [table.row(s) for s in scores]
        context |= {
            "page": page,
            "rows": rows,
            "rows_html": rows_html(rows),
            "header": header_html(_columns(browse.sort, browse.pillars), request.GET),
            "page_links": (
                page_links_html(page, request.GET, lang=lang) if page.has_other_pages() else ""
            ),
            "pillar_codes": browse.pillars,
            "top_n": top_n,
            "has_filters": any(
                browse.form.cleaned_data.get(f)
                for f in ("q", "province", "park", "section", "division", "cluster", "size")
            ),
        }
    template = "rankings/ranking_results.html" if partial else "rankings/ranking_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


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


def _export(request: HttpRequest, *, fmt: str) -> HttpResponse | StreamingHttpResponse:
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
    # Both formats are streamed as the rows are read (in chunks of 2,000 from the
    # database): a 100,000-firm export never sits whole in the web process's memory.
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_chunks(header=header, rows=rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            xlsx_chunks(title=f"SME {run.year}", header=header, rows=rows, rtl=_lang() == "fa"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@analyst_required
@require_GET
def analyst_ranking_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, fmt="csv")


@analyst_required
@require_GET
def analyst_ranking_xlsx(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _export(request, fmt="xlsx")
