from django.urls import path

from rankings import views_dashboard, views_methodology

urlpatterns = [
    path("", views_dashboard.dashboard, name="analyst-dashboard"),
    path("map/", views_dashboard.province_map, name="analyst-map"),
    path("map/provinces.geojson", views_dashboard.province_geojson, name="analyst-map-geojson"),
    path("methodology/", views_methodology.methodology_index, name="analyst-methodology"),
    path("methodology/new/", views_methodology.methodology_new, name="analyst-methodology-new"),
]
