from django.urls import path

from rankings import api

urlpatterns = [
    path("runs/", api.RunListApi.as_view(), name="api-runs"),
    path("rankings/current/", api.CurrentRankingApi.as_view(), name="api-ranking-current"),
    path("firms/<int:firm_id>/scores/", api.FirmScoreHistoryApi.as_view(), name="api-firm-scores"),
]
