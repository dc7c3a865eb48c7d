"""A malformed environment variable stops start-up with one line naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The deploy check must see a production environment, not the test run's.
IGNORED = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in IGNORED}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "DATABASE_URL",
            "mysqlx://nowhere",
            "configuration error: DATABASE_URL is malformed: expected postgres://user@host:port/db"
            " or sqlite:///path, got scheme 'mysqlx'.",
        ),
        (
            "DATABASE_URL",
            "postgres://",
            "configuration error: DATABASE_URL is malformed: a PostgreSQL URL needs a host and a"
            " database.",
        ),
        (
            "REDIS_URL",
            "redis://localhost:notaport/0",
            "configuration error: REDIS_URL is malformed: the port is not a number.",
        ),
        (
            "REDIS_URL",
            "http://localhost:6379",
            "configuration error: REDIS_URL is malformed: expected redis://host:port/db, got "
            "'http://localhost:6379'.",
        ),
        (
            "CACHE_URL",
            "memcached://localhost:11211",
            "configuration error: CACHE_URL is malformed: expected locmem:// or "
            "redis://host:port/db, got 'memcached://localhost:11211'.",
        ),
        (
            "DEBUG",
            "maybe",
            "configuration error: DEBUG='maybe' is not a boolean; use true or false.",
        ),
        (
            "UPLOAD_MAX_BYTES",
            "20MB",
            "configuration error: UPLOAD_MAX_BYTES='20MB' is not a whole number.",
        ),
        (
            "AGGREGATE_MIN_FIRMS",
            "five",
            "configuration error: AGGREGATE_MIN_FIRMS='five' is not a whole number.",
        ),
        (
            "AGGREGATE_MIN_FIRMS",
            "0",
            "configuration error: AGGREGATE_MIN_FIRMS='0' must be at least 1.",
        ),
    ],
)
def test_a_malformed_variable_gives_one_line_naming_it(
    variable: str, value: str, message: str
) -> None:
    result = run_check(**{variable: value})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [message]


def test_https_without_a_secret_key_refuses_to_start() -> None:
    result = run_check(HTTPS="true")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "configuration error: SECRET_KEY must be set when HTTPS=true (a production deployment)."
    )


def test_the_defaults_pass_the_system_check() -> None:
    result = run_check()
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_pass_the_deploy_check() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in IGNORED},
            "HTTPS": "true",
            "SECRET_KEY": "k3y-for-the-deploy-check-" + "x7Qp2" * 10,
            "ALLOWED_HOSTS": "smerank.example.ir",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_aggregate_threshold_defaults_to_five_and_reads_the_environment() -> None:
    code = "from django.conf import settings; print(settings.AGGREGATE_MIN_FIRMS)"
    for env, expected in (({}, "5"), ({"AGGREGATE_MIN_FIRMS": "10"}, "10")):
        clean = {k: v for k, v in os.environ.items() if k not in IGNORED | {"AGGREGATE_MIN_FIRMS"}}
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env={**clean, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(
    ("value", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/1", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_cache_url_chooses_a_shared_or_a_per_process_cache(value: str, backend: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in IGNORED}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        ],
        cwd=ROOT,
        env={**clean, "CACHE_URL": value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == backend, result.stderr
