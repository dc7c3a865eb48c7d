"""The province x division specialisation map: heatmap, choropleth and strong cells."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from clusters import page_data, selectors_web
from clusters.views.common import year_run
from smerank.permissions import analyst_required

GEOJSON_PATH = settings.BASE_DIR / "firms" / "fixtures" / "iran_provinces_simplified.geojson"


@analyst_required
@require_GET
def cluster_map(request: HttpRequest) -> HttpResponse:
    years, run = year_run(request)
    context: dict[str, Any] = {"years": years, "run": run}
    if run is not None:
        cells = selectors_web.map_cells(run=run)
        divisions = selectors_web.division_titles(codes={c.division for c in cells})
        strong = sorted(
            (c for c in cells if c.strong),
            key=lambda c: (-(c.lq or 0), c.province.code, c.division),
        )
        clusters = selectors_web.discovered_cluster_ids(
            codes=[f"D-{c.province.code}-{c.division}" for c in strong]
        )
        context |= {
            "map_data": page_data.heatmap_data(
                cells=cells, divisions=divisions, geojson_url=reverse("cluster-map-geojson")
            ),
            "cell_count": len(cells),
            "strong": [
                {
                    "cell": c,
                    "title": page_data.sector_title(divisions.get(c.division), c.division),
                    "cluster_id": clusters.get(f"D-{c.province.code}-{c.division}"),
                    "stars": "★" * c.stars,
                }
                for c in strong
            ],
        }
    return render(request, "clusters/cluster_map.html", context)


@lru_cache(maxsize=1)
def _province_shapes() -> bytes:
    return GEOJSON_PATH.read_bytes()


@analyst_required
@require_GET
@cache_control(private=True, max_age=86400)
def cluster_map_geojson(request: HttpRequest) -> HttpResponse:
    """The shipped province boundaries (ODbL), served as they are."""
    return HttpResponse(_province_shapes(), content_type="application/geo+json")
