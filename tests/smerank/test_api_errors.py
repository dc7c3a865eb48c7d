"""Errors under /api/ answer JSON like DRF (`{"detail": ...}`); pages keep their HTML.

Covers the project's error handlers (404, 500, 400, 403) and django-axes' lockout: five
failed passwords lock the username from that address for 15 minutes, answered with 429
JSON by the token endpoint and with the rendered login page by the HTML login.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import get_resolver
from django.utils import translation

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOCKED_EN = (
    "Too many failed logins: signing in with this username from this address is blocked "
    "for 15 minutes. Try again later."
)
LOCKED_FA = (
    "ورودهای ناموفق بیش از حد: ورود با این نام کاربری از این نشانی تا ۱۵ دقیقه مسدود است. "
    "بعداً دوباره تلاش کنید."
)


def english() -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    return client


# --- 404 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/no-such-endpoint/", "/api/v1/firms/abc/scores/", "/api/", "/api/v2/rankings/"],
)
def test_an_unknown_api_path_answers_json_404(path: str) -> None:
    response = english().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_the_json_404_is_in_persian_by_default() -> None:
    response = Client().get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "یافت نشد."}


def test_an_unknown_page_keeps_the_persian_html_404_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'data-testid="not-found"' in body
    assert "صفحه پیدا نشد" in body


def test_a_page_whose_path_only_starts_like_the_api_keeps_html() -> None:
    response = Client().get("/apiary/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- 500, 400, 403 -----------------------------------------------------------------------------


def test_a_server_error_under_the_api_answers_json_500(world, monkeypatch) -> None:
    from smerank import api

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.MeApi, "get", broken)
    client = english()
    client.force_login(world.analyst)
    response = client.get("/api/v1/me/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}


def test_a_server_error_on_a_page_stays_html(monkeypatch) -> None:
    from firms import selectors

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "province_summary", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b'{"detail"' not in response.content


def test_a_bad_request_under_the_api_answers_json_400() -> None:
    # A Host header outside ALLOWED_HOSTS is a SuspiciousOperation: Django's 400 handler.
    response = english().get("/api/v1/me/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Malformed request."}


def test_a_bad_request_on_a_page_stays_html() -> None:
    response = english().get("/top100/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_the_403_handler_answers_json_under_the_api_and_html_elsewhere() -> None:
    # No view under /api/ raises Django's PermissionDenied today (DRF answers its own 403),
    # so the URLconf's handler is called as Django would call it.
    handler = get_resolver().resolve_error_handler(403)
    with translation.override("fa"):
        api = handler(RequestFactory().get("/api/v1/runs/"), PermissionDenied())
    assert api.status_code == 403
    assert api["Content-Type"] == "application/json"
    assert api.content.decode() == '{"detail": "شما اجازه انجام این دستور را ندارید."}'
    page = handler(RequestFactory().get("/analyst/"), PermissionDenied())
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


# --- django-axes lockout -------------------------------------------------------------------------


def token(client: Client, password: str, username: str = "analyst", **extra):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR="10.1.2.3",
        **extra,
    )


def test_five_failed_tokens_lock_out_with_429_json(world) -> None:
    client = english()
    answers = [token(client, "wrong-password") for _ in range(5)]
    assert [r.status_code for r in answers] == [400, 400, 400, 400, 429]
    assert answers[0].json() == {"detail": "Unable to log in with the given username and password."}
    locked = answers[4]
    assert locked["Content-Type"] == "application/json"
    assert locked.json() == {"detail": LOCKED_EN}
    assert locked["Retry-After"] == "900"
    # The right password does not help during the cool-off ...
    right = token(client, "correct-horse-battery")
    assert right.status_code == 429 and right.json() == {"detail": LOCKED_EN}
    # ... another user from the same address is not locked ...
    other = token(client, "correct-horse-battery", username="manager")
    assert other.status_code == 200 and set(other.json()) == {"token"}
    # ... and after the cool-off the right password gives a token.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        later = token(english(), "correct-horse-battery")
    assert later.status_code == 200 and set(later.json()) == {"token"}


def test_the_api_lockout_message_is_persian_by_default(world) -> None:
    client = Client()
    for _ in range(4):
        token(client, "wrong-password")
    locked = token(client, "wrong-password")
    assert locked.status_code == 429
    assert locked.json() == {"detail": LOCKED_FA}


def test_the_html_login_lockout_is_the_rendered_login_page(world) -> None:
    client = english()

    def login(password: str):
        return client.post(
            "/accounts/login/",
            {"username": "analyst", "password": password},
            REMOTE_ADDR="10.1.2.4",
        )

    answers = [login("wrong-password") for _ in range(5)]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    locked = answers[4]
    assert locked["Content-Type"].startswith("text/html")
    body = locked.content.decode()
    assert '<form method="post"' in body  # the login form, to try again later
    assert LOCKED_EN in body
    assert 'value="analyst"' in body  # the username stays filled in
    persian = Client().post(
        "/accounts/login/",
        {"username": "analyst", "password": "correct-horse-battery"},
        REMOTE_ADDR="10.1.2.4",
    )
    assert persian.status_code == 429
    assert LOCKED_FA in persian.content.decode()
