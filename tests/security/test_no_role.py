"""A signed-in account that was given no role (not an analyst, a park manager or a firm
user) is answered like any refused role: 404 for every role page, 403 with a message
saying why for every API endpoint, never data and never a server error. Only "who am I"
answers, with the role "none". The access matrix walks every method and object for
"norole" too; this file checks what such a user reads."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.security.conftest import Rich, response_text
from tests.security.test_access_matrix import POLICY, endpoints, targets

pytestmark = pytest.mark.django_db

NO_ROLE_EN = (
    "Your account has no role yet: ask an administrator to make you an analyst, a park "
    "manager or a firm user."
)
NO_ROLE_FA = (
    "حساب شما هنوز نقشی ندارد: از مدیر سامانه بخواهید شما را کارشناس، مدیر شهرک یا کاربر بنگاه کند."
)


def _refused_endpoints(rich: Rich) -> list[tuple[object, str, str]]:
    """(endpoint, method, path) of every route a user without a role may not use, with
    an object the route's owners may see (the first target)."""
    found = []
    for ep in endpoints():
        policy = POLICY[ep.name]
        if "norole" in policy.who:
            continue
        method = "GET" if "GET" in policy.ok else sorted(policy.ok)[0]
        found.append((ep, method, targets(ep, rich)[0].path))
    return found


def test_every_api_endpoint_refuses_a_user_without_a_role_with_403(rich: Rich) -> None:
    token = Token.objects.get_or_create(user=rich.norole)[0].key
    markers = rich.markers("norole")
    checked = 0
    for ep, method, path in _refused_endpoints(rich):
        if not ep.is_drf:
            continue
        for lang, message in (("en", NO_ROLE_EN), ("fa", NO_ROLE_FA)):
            client = Client()
            client.cookies["django_language"] = lang
            response = getattr(client, method.lower())(path, HTTP_AUTHORIZATION=f"Token {token}")
            assert response.status_code == 403, (ep.name, method, response.status_code)
            assert response.json() == {"detail": message}, ep.name
            leaks = [what for m, what in markers.items() if m in response_text(response)]
            assert not leaks, (ep.name, leaks)
        checked += 1
    # Every role-scoped endpoint: provinces, parks, imports, runs, ranking, scores, clusters...
    assert checked >= 13, checked


def test_every_role_page_answers_a_user_without_a_role_with_the_404_page(rich: Rich) -> None:
    client = Client()
    client.force_login(rich.norole)
    markers = rich.markers("norole")
    checked = 0
    for ep, method, path in _refused_endpoints(rich):
        if ep.is_drf:
            continue
        response = getattr(client, method.lower())(path)
        assert response.status_code == 404, (ep.name, method, response.status_code)
        body = response.content.decode()
        assert 'data-testid="not-found"' in body and "صفحه پیدا نشد" in body, ep.name
        leaks = [what for m, what in markers.items() if m in response_text(response)]
        assert not leaks, (ep.name, leaks)
        checked += 1
    assert checked >= 25, checked


def test_who_am_i_tells_a_user_without_a_role_that_they_have_none(rich: Rich) -> None:
    token = Token.objects.get_or_create(user=rich.norole)[0].key
    response = Client().get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json() == {"username": "norole", "role": "none", "park": None, "firm": None}


def test_a_user_without_a_role_still_sees_the_public_pages(rich: Rich) -> None:
    client = Client()
    client.force_login(rich.norole)
    for name in ("home", "public-top100", "methodology-public"):
        assert client.get(reverse(name)).status_code == 200, name
