from django.urls import path

from rankings import views_shortfalls

urlpatterns = [
    path("shortfalls/", views_shortfalls.shortfalls_page, name="shortfalls"),
    path("shortfalls/export.xlsx", views_shortfalls.shortfalls_xlsx, name="shortfalls-xlsx"),
]
