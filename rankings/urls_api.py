from django.urls import path

from rankings import api

urlpatterns = [
    path("runs/", api.RunListApi.as_view(), name="api-runs"),
    path("rankings/current/", api.CurrentRankingApi.as_view(), name="api-ranking-current"),
    path("firms/<int:firm_id>/scores/", api.FirmScoreHistoryApi.as_view(), name="api-firm-scores"),
]

from rankings import api_shortfalls  # noqa: E402 - appended with the shortfall endpoints

urlpatterns += [
    path("shortfalls/", api_shortfalls.ShortfallApi.as_view(), name="api-shortfalls"),
    path(
        "runs/<int:run_id>/analysis/",
        api_shortfalls.RunAnalysisApi.as_view(),
        name="api-run-analysis",
    ),
]
