"""All API endpoints under /api/v1/. Each app contributes its own list."""

from django.urls import include, path

from smerank import api

urlpatterns = [
    path("auth/token/", api.TokenCreateApi.as_view(), name="api-token"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("", include("firms.urls_api")),
    path("", include("rankings.urls_api")),
    path("", include("clusters.urls_api")),
]
