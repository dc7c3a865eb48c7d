"""Public pages: the published top-100 edition and the methodology in plain language."""

from __future__ import annotations

from html import escape
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from rankings import selectors_browse
from rankings.forms import PublicTop100Form
from rankings.labels import indicator_label, pillar_columns, pillar_label
from rankings.methodology import spec_pillars
from smerank.formatting import number_format


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


def htmx_partial(request: HttpRequest) -> bool:
    """A request htmx makes to swap part of the page (not a history restore, which
    needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@require_GET
def public_top100(request: HttpRequest, year: int | None = None) -> HttpResponse:
    years = selectors_browse.edition_years()
    form = PublicTop100Form(request.GET, years=years, lang=_lang())
    form.is_valid()  # an unknown ?year= or an over-long search is ignored, not an error
    year = year or form.cleaned_data.get("year")
    edition = selectors_browse.edition_public(year=year)
    if edition is None and "year" in request.resolver_match.kwargs:
        raise Http404("No edition was published for this year.")
    search = form.cleaned_data.get("q") or ""
    rows = selectors_browse.edition_public_rows(edition=edition, search=search) if edition else []
    lang = _lang()
    context = {
        "form": form,
        "edition": edition,
        "years": years,
        "search": search,
        "rows": rows,
        "lines": [_line(row, lang=lang) for row in rows],
        "pillars": pillar_columns(spec_pillars(edition.run.methodology.spec)) if edition else [],
        "top_n": edition.run.methodology.spec.get("top_n", 100) if edition else 100,
    }
    template = "rankings/public_top100_results.html" if htmx_partial(request) else None
    response = render(request, template or "rankings/public_top100.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _pick(names: dict[str, str], field: str, lang: str) -> str:
    """As the `localised` filter: the current language's name, else the Persian one."""
    return names.get(f"{field}_{lang}") or names.get(f"{field}_fa") or ""


def _line(row: selectors_browse.PublicRow, *, lang: str) -> dict[str, Any]:
    """One table row, formatted here rather than by template filters: a hundred rows of
    five pillar bars each is thousands of template variables, most of the page's time."""
    bars = [
        {
            "code": code,
            "label": str(label),
            "text": number_format(value, lang=lang, decimals=1),
            "width": 0 if value is None else max(0, min(100, round(value))),
        }
        for code, label, value in row.pillars
    ]
    bars_html = "".join(
        f'<div class="sr-pillar-bar sr-p-{escape(b["code"])}" '
        f'title="{escape(b["label"])}: {escape(b["text"])}">'
        f'<span style="inline-size: {b["width"]}%"></span></div>'
        for b in bars
    )
    return {
        "row": row,
        "rank": number_format(row.rank, lang=lang),
        "score": number_format(row.score, lang=lang, decimals=1),
        "name": row.name_en if lang == "en" and row.name_en else row.name_fa,
        "province": _pick(row.province, "name", lang),
        "sector": _pick(row.sector, "title", lang),
        "bars": bars,
        "bars_html": mark_safe(bars_html),  # noqa: S308 - codes, labels and texts escaped above
        "summary": " · ".join(f"{b['label']} {b['text']}" for b in bars),
    }


@require_GET
def methodology_public(request: HttpRequest) -> HttpResponse:
    method = selectors_browse.methodology_public()
    pillars = []
    if method is not None:
        pillars = [
            {
                "code": p.code,
                "label": pillar_label(p.code),
                "share": p.share,
                "indicators": [
                    {"code": c, "label": indicator_label(c), "share": share, "direction": d}
                    for c, share, d in p.indicators
                ],
            }
            for p in method.pillars
        ]
    return render(
        request,
        "rankings/methodology_public.html",
        {"method": method, "pillars": pillars, "edition": selectors_browse.edition_public()},
    )
