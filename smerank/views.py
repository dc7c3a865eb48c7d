"""Site-wide pages: the home page and a health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from firms import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    provinces = selectors.province_summary()
    context = {
        "provinces": provinces,
        "total_parks": sum(p["parks"] for p in provinces),
        "total_firms": sum(p["firms"] for p in provinces),
        "max_firms": max((p["firms"] for p in provinces), default=0) or 1,
    }
    return render(request, "home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
