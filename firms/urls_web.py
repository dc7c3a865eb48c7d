from django.urls import path, re_path

from firms import views_imports

urlpatterns = [
    path("imports/", views_imports.import_list, name="import-list"),
    path("imports/<int:job_id>/", views_imports.import_detail, name="import-detail"),
    path("imports/<int:job_id>/confirm/", views_imports.import_confirm, name="import-confirm"),
    path(
        "imports/<int:job_id>/errors.xlsx", views_imports.import_annotated, name="import-annotated"
    ),
    re_path(
        r"^imports/template\.(?P<fmt>csv|xlsx)$",
        views_imports.import_template,
        name="import-template",
    ),
]
