"""Analysts define official clusters; the next run of each year computes their members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusters import page_data, selectors_web
from clusters.forms import ClusterForm
from clusters.models import Cluster
from clusters.services import cluster_save
from smerank.permissions import analyst_required


@analyst_required
@require_http_methods(["GET", "POST"])
def cluster_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ClusterForm(request.POST)
        if form.is_valid():
            cluster = cluster_save(actor=request.user, cluster=None, **form.save_arguments())
            messages.success(request, _saved_message())
            return redirect("cluster-detail", cluster_id=cluster.pk)
    else:
        form = ClusterForm(initial=_adopted(request))
    return _render(request, form=form, cluster=None)


@analyst_required
@require_http_methods(["GET", "POST"])
def cluster_edit(request: HttpRequest, cluster_id: int) -> HttpResponse:
    cluster = selectors_web.cluster_definition_get(cluster_id=cluster_id)
    if cluster.kind != Cluster.Kind.OFFICIAL:
        raise Http404  # the map, not this definition, decides their members: adopt them instead
    if request.method == "POST":
        form = ClusterForm(request.POST, instance=cluster)
        if form.is_valid():
            cluster_save(actor=request.user, cluster=cluster, **form.save_arguments())
            messages.success(request, _saved_message())
            return redirect("cluster-detail", cluster_id=cluster.pk)
    else:
        form = ClusterForm(initial=ClusterForm.initial_from(cluster), instance=cluster)
    return _render(request, form=form, cluster=cluster)


def _saved_message() -> str:
    return _(
        "The cluster was saved. Membership updates with the next run, usually within a minute."
    )


def _adopted(request: HttpRequest) -> dict[str, Any]:
    """`?from=<id>`: start from a discovered cluster (its activity and province)."""
    try:
        source_id = int(request.GET.get("from", ""))
    except ValueError:
        return {"is_active": True}
    source = (
        Cluster.objects.filter(pk=source_id)
        .prefetch_related("sectors", "provinces", "parks")
        .first()
    )
    if source is None:
        return {"is_active": True}
    initial = ClusterForm.initial_from(source)
    initial["code"] = source.code.removeprefix("D-")
    initial["is_active"] = True
    return initial


def _render(request: HttpRequest, *, form: ClusterForm, cluster: Cluster | None) -> HttpResponse:
    options = [
        {"code": s.code, "title": page_data.sector_title(s), "level": s.level}
        for s in selectors_web.activity_options()
    ]
    return render(
        request,
        "clusters/cluster_form.html",
        {"form": form, "cluster": cluster, "activity_options": options},
    )
