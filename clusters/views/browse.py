"""The cluster list (analysts) and one cluster's profile (analysts and park managers)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clusters import page_data, selectors, selectors_web
from clusters.forms import ClusterListForm
from clusters.models import Cluster, ClusterProfile
from clusters.views.common import year_run
from firms.roles import Role, user_role
from firms.selectors import firms_visible_to
from rankings.labels import pillar_label
from rankings.models import RankingRun
from smerank.formatting import number_format
from smerank.permissions import analyst_required, staff_roles_required

LIST_PAGE_SIZE = 25
MEMBERS_PAGE_SIZE = 25


@analyst_required
@require_GET
def cluster_list(request: HttpRequest) -> HttpResponse:
    years, run = year_run(request)
    data = request.GET.copy()
    if run is not None:
        data["year"] = str(run.year)  # the drop-down shows the year actually displayed
    form = ClusterListForm(data, years=years)
    form.is_valid()  # an unknown filter value is dropped (and shown as an error), never a 500
    context: dict[str, Any] = {"form": form, "run": run, "years": years}
    if run is not None:
        filters = form.filters()
        profiles = selectors_web.cluster_list(run=run, filters=filters)
        page = Paginator(profiles, LIST_PAGE_SIZE).get_page(form.cleaned_data.get("page") or 1)
        context |= {
            "page": page,
            "rows": [
                {"p": p, "weakest": [pillar_label(c) for c in p.weakest_pillars or []]}
                for p in page.object_list
            ],
            "top_n": page_data.run_top_n(run),
            "filtered": bool(filters.kind or filters.province or filters.search),
            "pending": list(selectors_web.clusters_pending(run=run)),
        }
    return render(request, "clusters/cluster_list.html", context)


@staff_roles_required
@require_GET
def cluster_detail(request: HttpRequest, cluster_id: int) -> HttpResponse:
    years, run = year_run(request)
    cluster = selectors_web.cluster_definition_get(cluster_id=cluster_id)
    profile = selectors_web.cluster_profile_find(run=run, cluster=cluster) if run else None
    if profile is not None:
        profile = selectors.profile_for(user=request.user, profile=profile)
        if profile.withheld:
            messages.info(request, _withheld_notice())
    context: dict[str, Any] = {
        "cluster": cluster,
        "run": run,
        "years": years,
        "is_analyst": user_role(request.user) == Role.ANALYST,
        "activities": _activities(cluster),
        "parks": sorted(cluster.parks.all(), key=lambda p: p.code),
        "provinces": sorted(cluster.provinces.all(), key=lambda p: p.code),
        "profile": profile,
    }
    if run is not None and profile is not None:
        context |= _profile_context(request, run=run, profile=profile, cluster=cluster)
    return render(request, "clusters/cluster_detail.html", context)


def _activities(cluster: Cluster) -> list[dict[str, str]]:
    return [
        {"code": s.code, "level": s.get_level_display(), "title": page_data.sector_title(s)}
        for s in sorted(cluster.sectors.all(), key=lambda s: s.code)
    ]


def _profile_context(
    request: HttpRequest, *, run: RankingRun, profile: ClusterProfile, cluster: Cluster
) -> dict[str, Any]:
    user = request.user
    rows = page_data.pillar_rows(profile=profile, run=run)
    top = selectors_web.cluster_top_members(user=user, run=run, profile=profile)
    members = Paginator(
        selectors_web.cluster_members_page(user=user, run=run, cluster=cluster),
        MEMBERS_PAGE_SIZE,
    ).get_page(request.GET.get("page") or 1)
    listed = [m.firm_id for m in top] + [m.firm_id for m in members.object_list]
    # Park managers may list the national top-N, but open only their own park's firms.
    linkable = set(firms_visible_to(user).filter(pk__in=listed).values_list("pk", flat=True))
    cells = selectors.withheld_last(
        [
            selectors.cell_for(user=user, cell=c)
            for c in selectors_web.cluster_cells(run=run, cluster=cluster)
        ],
        code=lambda c: c.province.code,
    )
    if any(c.withheld for c in cells):
        messages.info(request, _withheld_cells_notice())
    divisions = selectors_web.division_titles(codes={c.division for c in cells})
    return {
        "pillars": rows,
        "weakest": page_data.weakest_rows(profile=profile, rows=rows),
        "gaps": page_data.gap_rows(profile),
        "chart": page_data.pillar_chart(rows=rows),
        "top_members": top,
        "members": members,
        "linkable": linkable,
        "top_n": page_data.run_top_n(run),
        "cells": [
            {"cell": c, "title": page_data.sector_title(divisions.get(c.division), c.division)}
            for c in cells
        ],
    }


def _withheld_notice() -> str:
    return _(
        "This cluster has fewer than %(n)s firms, so its totals and averages are shown as "
        "“—”: they would reveal the figures of single firms."
    ) % {"n": number_format(settings.AGGREGATE_MIN_FIRMS, lang=page_data.lang())}


def _withheld_cells_notice() -> str:
    return _(
        "Employment and location quotients of provinces with fewer than %(n)s firms in a "
        "division are shown as “—”: they would reveal the figures of single firms."
    ) % {"n": number_format(settings.AGGREGATE_MIN_FIRMS, lang=page_data.lang())}
