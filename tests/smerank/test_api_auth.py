import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_a_user_exchanges_username_and_password_for_a_token(api: APIClient, world) -> None:
    response = api.post(
        "/api/v1/auth/token/", {"username": "manager", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "manager"
    assert me["role"] == "park_manager"
    assert me["park"]["code"] == "TEH-01"
    assert me["firm"] is None


def test_a_wrong_password_gets_no_token(api: APIClient, world) -> None:
    response = api.post("/api/v1/auth/token/", {"username": "manager", "password": "wrong"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Unable to log in with the given username and password."}


@pytest.mark.parametrize(
    ("username", "role", "park", "has_firm"),
    [("analyst", "analyst", None, False), ("firmuser", "firm", "TEH-01", True)],
)
def test_me_describes_each_role(api: APIClient, world, username, role, park, has_firm) -> None:
    from django.contrib.auth.models import User

    api.force_authenticate(User.objects.get(username=username))
    me = api.get("/api/v1/me/").json()
    assert me["role"] == role
    assert (me["park"] or {}).get("code") == park
    assert (me["firm"] is not None) is has_firm
    if has_firm:
        assert me["firm"]["national_id"] == world.firm.national_id


def test_me_refuses_anonymous_users(api: APIClient) -> None:
    assert api.get("/api/v1/me/").status_code == 401


def test_the_openapi_schema_and_swagger_ui_are_served_from_local_files(client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn." not in docs and "jsdelivr" not in docs
