from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from smerank import views, views_audit

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("analyst/audit/", views_audit.audit_log, name="audit-log"),
    # Pages: public ranking and methodology; analysts; firms and parks; imports; clusters.
    path("", include("rankings.urls_public")),
    path("analyst/", include("rankings.urls_analyst")),
    path("analyst/", include("rankings.urls_dashboard")),
    path("", include("rankings.urls_firm")),
    path("", include("firms.urls_web")),
    path("", include("clusters.urls_web")),
    path("api/v1/", include("smerank.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("rankings.urls_shortfalls")),
]

# Under /api/ errors answer JSON like DRF's own; pages keep their HTML (the Persian 404).
handler400 = "smerank.views.error_400"
handler403 = "smerank.views.error_403"
handler404 = "smerank.views.error_404"
handler500 = "smerank.views.error_500"
