"""Audit events for authentication and denied access, wired to Django's signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from firms.services import audit_record


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: X-Forwarded-For is spoofable unless a trusted proxy sets it, and
    # the proxy count is configured for django-axes separately.
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", ip_address=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", ip_address=client_ip(request))


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Never the password: only the username that was tried.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action="auth.login_failed",
        detail={"username": username},
        ip_address=client_ip(request),
    )


def access_denied(*, user: Any, object_type: str, object_id: object) -> None:
    """Someone asked for an object they may not see (answered with a 404)."""
    audit_record(
        actor=user,
        action="access.denied",
        detail={"object_type": object_type, "object_id": str(object_id)[:64]},
    )
