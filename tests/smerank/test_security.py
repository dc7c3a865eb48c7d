"""Login throttling, audit of authentication and denied access, sessions, headers."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from firms.models import AuditEvent

pytestmark = pytest.mark.django_db


def login(client: Client, password: str, username: str = "analyst"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.9.8.7"
    )


def test_a_login_and_a_failure_are_audited_without_the_password(world) -> None:
    client = Client()
    login(client, "wrong-password-123")
    login(client, "correct-horse-battery")
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.detail == {"username": "analyst"}
    assert "wrong-password-123" not in str(failed.detail)
    ok = AuditEvent.objects.get(action="auth.login")
    assert ok.actor_username == "analyst" and ok.ip_address == "10.9.8.7"


def test_five_failures_lock_the_username_and_ip_for_fifteen_minutes(world) -> None:
    client = Client()
    assert [login(client, "nope").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    # Still locked with the right password during the cool-off ...
    assert login(client, "correct-horse-battery").status_code == 429
    # ... while another user from the same address is not locked out.
    assert login(client, "correct-horse-battery", username="manager").status_code == 302
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        assert login(Client(), "correct-horse-battery").status_code == 302


def test_the_token_endpoint_is_throttled(world, settings) -> None:
    from django.core.cache import cache

    cache.clear()
    api = APIClient()
    codes = [
        api.post("/api/v1/auth/token/", {"username": f"ghost{i}", "password": "x"}).status_code
        for i in range(12)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10:] == [429, 429]


def test_opening_another_parks_firm_is_audited_as_denied(world) -> None:
    api = APIClient()
    api.force_authenticate(User.objects.get(username="manager"))
    response = api.get(f"/api/v1/firms/{world.other_firm.pk}/scores/")
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.actor_username == "manager"
    assert denied.detail == {"object_type": "Firm", "object_id": str(world.other_firm.pk)}


def test_a_session_ends_after_the_idle_timeout(world, settings) -> None:
    client = Client()
    client.force_login(world.analyst)
    assert client.get("/analyst/audit/").status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)):
        response = client.get("/analyst/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_session_ends_after_the_absolute_timeout_even_when_active(world) -> None:
    client = Client()
    client.force_login(world.analyst)
    start = dt.datetime.now(dt.UTC)
    for minutes in range(20, 8 * 60, 20):  # a request every 20 minutes keeps it alive ...
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            assert client.get("/analyst/audit/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=8, minutes=10)):
        response = client.get("/analyst/audit/")  # ... until eight hours after login
    assert response.status_code == 302


def test_the_audit_page_is_for_analysts_only_and_filters_by_action(world) -> None:
    client = Client()
    client.force_login(world.manager)
    assert client.get("/analyst/audit/").status_code == 404
    client.force_login(world.analyst)
    login(Client(), "nope", username="manager")
    html = client.get("/analyst/audit/?action=auth.login_failed").content.decode()
    assert "auth.login_failed" in html and "auth.login<" not in html
    assert Client().get("/analyst/audit/").status_code == 302


def test_audit_events_cannot_be_changed_or_deleted(world) -> None:
    from django.core.exceptions import ValidationError

    login(Client(), "nope")
    event = AuditEvent.objects.first()
    event.action = "nothing.happened"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_the_admin_lives_at_the_configured_path(settings) -> None:
    assert reverse("admin:index") == "/" + settings.ADMIN_URL


def test_security_headers_are_sent(client: Client) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
