"""Shared fixtures: role users and their parks and firms, plain static storage."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import override_settings

from tests import factories


@pytest.fixture(autouse=True, scope="session")
def _plain_static_storage() -> None:
    # The manifest needs `collectstatic`; tests render templates straight from static/.
    override = override_settings(
        # Hashing passwords at full strength would cost a second per test user.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def _tasks_in_process(request: pytest.FixtureRequest) -> None:
    """Tasks run in the test process, even when REDIS_URL names a real broker; only the
    tests marked `worker` send them to real worker processes."""
    from smerank.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Throttle counters live in the cache; each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory, settings) -> None:
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@dataclass
class World:
    """Two parks in two provinces, a firm in each, and a user of every role."""

    park: object
    other_park: object
    firm: object
    other_firm: object
    analyst: object
    manager: object
    other_manager: object
    firm_user: object


@pytest.fixture
def world(db) -> World:
    from firms.models import Province

    park = factories.ParkFactory(code="TEH-01", province=Province.objects.get(code="IR-23"))
    other_park = factories.ParkFactory(code="ISF-01", province=Province.objects.get(code="IR-10"))
    firm = factories.FirmFactory(park=park, name_fa="صنایع نمونه تهران")
    other_firm = factories.FirmFactory(park=other_park, name_fa="صنایع نمونه اصفهان")
    return World(
        park=park,
        other_park=other_park,
        firm=firm,
        other_firm=other_firm,
        analyst=factories.analyst_create(),
        manager=factories.park_manager_create(park),
        other_manager=factories.park_manager_create(other_park, username="other-manager"),
        firm_user=factories.firm_user_create(firm),
    )


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None
