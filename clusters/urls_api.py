from django.urls import path

from clusters import api

urlpatterns = [
    path("clusters/", api.ClusterListApi.as_view(), name="api-clusters"),
    path("clusters/<int:cluster_id>/", api.ClusterDetailApi.as_view(), name="api-cluster"),
    path("regions/", api.RegionListApi.as_view(), name="api-regions"),
]
