"""Site-wide pages: the home page, a health check, the error handlers and the answer to a
login that django-axes has locked out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET
from rest_framework import exceptions as drf_exceptions

from firms import selectors
from smerank.formatting import number_format


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    provinces = selectors.province_summary()
    context = {
        "provinces": provinces,
        "total_parks": sum(p["parks"] for p in provinces),
        "total_firms": sum(p["firms"] for p in provinces),
        "max_firms": max((p["firms"] for p in provinces), default=0) or 1,
    }
    return render(request, "home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- errors: JSON under /api/, HTML pages elsewhere ------------------------------------------


def is_api_request(request: HttpRequest) -> bool:
    """API clients parse JSON: an HTML error page under /api/ would break them."""
    return request.path_info.startswith("/api/")


def _api_error(detail: object, status: int) -> JsonResponse:
    # DRF's own messages (and their translations), so that an error raised before a DRF
    # view runs (an unknown URL, a crash, a bad Host header) reads like one raised inside.
    # Unescaped UTF-8, as DRF renders: a Persian message stays readable in the body.
    return JsonResponse(
        {"detail": str(detail)}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _api_error(drf_exceptions.NotFound.default_detail, 404)
    return defaults.page_not_found(request, exception)


def error_500(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return _api_error(drf_exceptions.APIException.default_detail, 500)
    return defaults.server_error(request)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _api_error(drf_exceptions.PermissionDenied.default_detail, 403)
    return defaults.permission_denied(request, exception)


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _api_error(drf_exceptions.ParseError.default_detail, 400)
    return defaults.bad_request(request, exception)


# --- django-axes lockout (AXES_LOCKOUT_CALLABLE) -------------------------------------------------


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return _(
        "Too many failed logins: signing in with this username from this address is blocked "
        "for %(minutes)s minutes. Try again later."
    ) % {"minutes": number_format(minutes, lang=lang)}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a locked-out login answers (django-axes calls this with the request, the view's
    response and the credentials tried): 429 with `{"detail": ...}` for the API token
    endpoint, the login page with the message for people."""
    message = lockout_message()
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if is_api_request(request):
        response: HttpResponse = _api_error(message, status)
    else:
        response = _login_page_locked(request, message, credentials or {}, status)
    # A failure during the lock restarts the cool-off, so the whole period is the wait.
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class _LockedLoginForm(AuthenticationForm):
    """The login form, unbound (binding it would authenticate again), showing the lockout
    message where the login page shows a wrong password."""

    def __init__(self, request: HttpRequest, *, message: str, **kwargs: Any) -> None:
        super().__init__(request, **kwargs)
        self.locked_message = message

    def non_field_errors(self) -> Any:
        return self.error_class([self.locked_message])


def _login_page_locked(
    request: HttpRequest, message: str, credentials: dict[str, Any], status: int
) -> HttpResponse:
    username = str(credentials.get("username") or request.POST.get("username", ""))[:150]
    form = _LockedLoginForm(request, message=message, initial={"username": username})
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    return render(
        request, "registration/login.html", {"form": form, "next": next_url}, status=status
    )
