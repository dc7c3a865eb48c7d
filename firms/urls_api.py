from django.urls import path

from firms import api, api_imports

urlpatterns = [
    path("provinces/", api.ProvinceListApi.as_view(), name="api-provinces"),
    path("parks/", api.ParkListApi.as_view(), name="api-parks"),
]

urlpatterns += [
    path("imports/", api_imports.ImportCreateApi.as_view(), name="api-imports"),
    path("imports/<int:job_id>/", api_imports.ImportDetailApi.as_view(), name="api-import"),
    path(
        "imports/<int:job_id>/confirm/",
        api_imports.ImportConfirmApi.as_view(),
        name="api-import-confirm",
    ),
]
