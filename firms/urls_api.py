from django.urls import path

from firms import api

urlpatterns = [
    path("provinces/", api.ProvinceListApi.as_view(), name="api-provinces"),
    path("parks/", api.ParkListApi.as_view(), name="api-parks"),
]
