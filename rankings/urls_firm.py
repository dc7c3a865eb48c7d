from django.urls import path

from rankings import views_firm, views_park

urlpatterns = [
    path("firms/<int:firm_id>/", views_firm.firm_profile_page, name="firm-profile"),
    path("my-firm/", views_firm.my_firm_page, name="my-firm"),
    path("park/", views_park.park_dashboard_page, name="park-dashboard"),
]
