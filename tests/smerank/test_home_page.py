import pytest
from django.test import Client

from tests.factories import FirmFactory, ParkFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_is_persian_and_right_to_left_by_default(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "vazirmatn.css" in html


def test_the_home_page_shows_parks_and_firms_per_province_in_persian_digits(client: Client) -> None:
    park = ParkFactory()
    FirmFactory.create_batch(12, park=park)
    html = client.get("/").content.decode()
    assert 'data-testid="firm-count">۱۲<' in html
    assert 'data-testid="province-count">۳۱<' in html
    assert "تهران" in html


def test_the_language_switch_turns_the_page_english_and_left_to_right(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "bootstrap.min.css" in html
    assert "National ranking of small and medium enterprises" in html


def test_the_login_page_logs_a_user_in(client: Client, world) -> None:
    response = client.post(
        "/accounts/login/", {"username": "analyst", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "analyst"


def test_a_wrong_password_shows_the_error_in_persian(client: Client, world) -> None:
    response = client.post("/accounts/login/", {"username": "analyst", "password": "nope"})
    assert response.status_code == 200
    assert "نام کاربری" in response.content.decode()


def test_responses_carry_a_content_security_policy_without_other_origins(client: Client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_health_check_answers(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
