"""Runs and their status; publishing a successful run as an edition."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from rankings import selectors_browse, services
from rankings.forms import EditionPublishForm
from rankings.models import RankingRun
from rankings.views_public import htmx_partial
from smerank.formatting import number_format, title_digits
from smerank.permissions import analyst_required

PAGE_SIZE = 50
STAGE_LABELS = {
    "load": gettext_lazy("load"),
    "compute": gettext_lazy("compute"),
    "clusters": gettext_lazy("clusters"),
    "write": gettext_lazy("write"),
    "uncertainty": gettext_lazy("uncertainty"),
    "total": gettext_lazy("total"),
}


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


def edition_default_title(year: int) -> str:
    """ "SME100 1403", with the year in Persian digits on Persian pages."""
    return f"SME100 {number_format(year, lang=_lang(), grouping=False)}"


def _run_row(run: RankingRun, *, current: set[int]) -> dict[str, Any]:
    timings = run.timings or {}
    stages = [(STAGE_LABELS.get(k, k), v) for k, v in timings.items() if k != "total"]
    edition = run.edition if _has_edition(run) else None
    return {
        "run": run,
        "is_current": run.pk in current,
        "stages": stages,
        "total": timings.get("total"),
        "edition": edition,
        "publishable": run.status == RankingRun.Status.SUCCEEDED and edition is None,
        "default_title": edition_default_title(run.year),
    }


def _has_edition(run: RankingRun) -> bool:
    try:
        run.edition  # noqa: B018 - select_related filled it, or it raises
    except RankingRun.edition.RelatedObjectDoesNotExist:
        return False
    return True


@analyst_required
@require_GET
def analyst_runs(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors_browse.run_table(), PAGE_SIZE).get_page(request.GET.get("page"))
    current = selectors_browse.current_run_ids()
    context = {
        "page": page,
        "rows": [_run_row(run, current=current) for run in page.object_list],
        "polling": selectors_browse.runs_running(),
        "editions": selectors_browse.edition_list()[:50],
    }
    template = "rankings/runs_live.html" if htmx_partial(request) else "rankings/runs_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@analyst_required
@require_POST
def analyst_edition_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors_browse.run_get(run_id=run_id)
    form = EditionPublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the edition a title."), extra_tags="danger")
    elif run.status != RankingRun.Status.SUCCEEDED:
        messages.error(request, _("Only a successful run can be published."), extra_tags="danger")
    elif _has_edition(run):
        messages.error(request, _("This run is already published."), extra_tags="danger")
    else:
        try:
            edition = services.edition_publish(
                run=run,
                title=form.cleaned_data["title"],
                notes=form.cleaned_data["notes"],
                user=request.user,
            )
        except IntegrityError:  # published by someone else a moment ago
            messages.error(request, _("This run is already published."), extra_tags="danger")
        else:
            messages.success(
                request,
                _("“%(title)s” is published on the public top-100 page.")
                % {"title": title_digits(edition.title, lang=_lang())},
            )
    return redirect("analyst-runs")
