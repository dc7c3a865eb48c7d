from django.urls import path

from clusters.views import browse, edit, specialisation

urlpatterns = [
    path("clusters/", browse.cluster_list, name="cluster-list"),
    path("clusters/map/", specialisation.cluster_map, name="cluster-map"),
    path(
        "clusters/map/provinces.geojson",
        specialisation.cluster_map_geojson,
        name="cluster-map-geojson",
    ),
    path("clusters/new/", edit.cluster_new, name="cluster-new"),
    path("clusters/<int:cluster_id>/", browse.cluster_detail, name="cluster-detail"),
    path("clusters/<int:cluster_id>/edit/", edit.cluster_edit, name="cluster-edit"),
]
