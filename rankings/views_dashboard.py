"""Analyst pages: the dashboard and the province map (HTML, thin)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from rankings.dashboard import (
    dashboard_charts,
    dashboard_overview,
    province_geojson_bytes,
    province_metrics,
    run_top_n,
)
from rankings.models import RankingRun
from rankings.selectors import current_run, years_with_runs
from smerank.permissions import analyst_required


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]


def _year_run(request: HttpRequest) -> tuple[list[int], RankingRun | None]:
    """The years with a ranking and the current run of the one asked for (default: the
    latest); a year without a ranking is a 404, as in the API."""
    years = years_with_runs()
    form = YearForm(request.GET, years=years)
    if not form.is_valid():
        raise Http404
    year = form.cleaned_data.get("year") or (years[0] if years else None)
    return years, current_run(year=year) if year else None


def _lang() -> str:
    return (get_language() or "fa")[:2]


@analyst_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    years, run = _year_run(request)
    overview = dashboard_overview(user=request.user, run=run)
    context = {
        "years": years,
        "run": run,
        "d": overview,
        "charts": dashboard_charts(dashboard=overview, lang=_lang()),
    }
    return render(request, "rankings/dashboard.html", context)


@analyst_required
@require_GET
def province_map(request: HttpRequest) -> HttpResponse:
    years, run = _year_run(request)
    metrics = province_metrics(user=request.user, run=run) if run else []
    context = {
        "years": years,
        "run": run,
        "top_n": run_top_n(run) if run else 100,
        # Best average first; provinces without a ranked firm last.
        "metrics": sorted(metrics, key=lambda m: (m.avg_score is None, -(m.avg_score or 0))),
        "map_config": {
            "lang": _lang(),
            "geojsonUrl": f"{reverse('analyst-map-geojson')}?year={run.year}" if run else None,
        },
    }
    return render(request, "rankings/map.html", context)


@analyst_required
@require_GET
@cache_control(private=True, max_age=300)
def province_geojson(request: HttpRequest) -> HttpResponse:
    _years, run = _year_run(request)
    body = province_geojson_bytes(user=request.user, run=run)
    return HttpResponse(body, content_type="application/geo+json")
