"""Reading settings from the environment, strictly.

A malformed value must stop start-up with one line naming the variable, so every
reader here raises `SettingsError` (an ImproperlyConfigured) with such a line and
`manage.py` prints it without a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured


class SettingsError(ImproperlyConfigured):
    pass


_env = environ.Env()


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}


def env_database(name: str, default_sqlite: Path) -> dict[str, Any]:
    raw = os.environ.get(name, "")
    if not raw:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    parsed = urlparse(raw)
    if parsed.scheme not in _DB_SCHEMES:
        raise SettingsError(
            f"{name} is malformed: expected postgres://user@host:port/db or sqlite:///path, "
            f"got scheme {parsed.scheme or 'none'!r}."
        )
    if parsed.scheme != "sqlite" and not (parsed.hostname and parsed.path.strip("/")):
        raise SettingsError(f"{name} is malformed: a PostgreSQL URL needs a host and a database.")
    try:
        config = _env.db_url_config(raw)
        if parsed.port is not None:
            int(parsed.port)
    except (ValueError, KeyError) as exc:
        raise SettingsError(f"{name} is malformed: {exc}.") from None
    return config


def env_cache(name: str) -> dict[str, Any]:
    """A cache from a URL: unset or locmem:// is each process's own memory; redis://host:
    port/db is one cache shared by every web and worker process."""
    raw = os.environ.get(name, "")
    if not raw or raw == "locmem://":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    parsed = urlparse(raw)
    if parsed.scheme not in {"redis", "rediss"}:
        raise SettingsError(
            f"{name} is malformed: expected locmem:// or redis://host:port/db, got {raw!r}."
        )
    env_redis(name)
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}


def env_redis(name: str) -> str | None:
    raw = os.environ.get(name, "")
    if not raw:
        return None
    parsed = urlparse(raw)
    try:
        port = parsed.port
    except ValueError:
        raise SettingsError(f"{name} is malformed: the port is not a number.") from None
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise SettingsError(f"{name} is malformed: expected redis://host:port/db, got {raw!r}.")
    del port
    return raw
