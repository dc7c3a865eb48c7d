from django.urls import path

from rankings import views_ranking, views_runs

urlpatterns = [
    path("ranking/", views_ranking.analyst_ranking, name="analyst-ranking"),
    path("ranking/export.csv", views_ranking.analyst_ranking_csv, name="analyst-ranking-csv"),
    path("ranking/export.xlsx", views_ranking.analyst_ranking_xlsx, name="analyst-ranking-xlsx"),
    path("runs/", views_runs.analyst_runs, name="analyst-runs"),
    path(
        "runs/<int:run_id>/publish/",
        views_runs.analyst_edition_publish,
        name="analyst-edition-publish",
    ),
]
