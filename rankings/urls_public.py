from django.urls import path

from rankings import views_public

urlpatterns = [
    path("top100/", views_public.public_top100, name="public-top100"),
    path("top100/<int:year>/", views_public.public_top100, name="public-top100-year"),
    path("methodology/", views_public.methodology_public, name="methodology-public"),
]
