"""The upload API end to end, including every hostile file of the bad-input corpus: each is
refused with its exact message, writes no row and leaves the current ranking as it was."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from firms.models import Firm, FirmYear, ImportJob
from rankings.models import YearState
from tests.firms.filemakers import IDS, good_csv, row
from tests.firms.test_parsing_hostile import FILES
from tests.firms.test_parsing_hostile_cells import CELLS

pytestmark = pytest.mark.django_db


def api_as(username: str | None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(User.objects.get(username=username))
    return client


@pytest.fixture
def post_file(django_capture_on_commit_callbacks):
    """POST a file; the validation task enqueued on commit runs (in-process) before return."""

    def post(client: APIClient, data: bytes, name: str = "data.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/v1/imports/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
            )

    return post


def snapshot() -> tuple:
    state = YearState.objects.filter(year=1403).first()
    return (
        Firm.objects.count(),
        FirmYear.objects.count(),
        state.generation if state else None,
        state.current_run_id if state else None,
    )


def test_a_park_manager_uploads_follows_and_confirms_a_file(post_file, world) -> None:
    api = api_as("manager")
    response = post_file(api, good_csv([row(national_id=IDS[i], year="1403") for i in range(3)]))
    assert response.status_code == 202
    job_id = response.json()["id"]
    detail = api.get(f"/api/v1/imports/{job_id}/").json()
    assert detail["status"] == "ready" and detail["rows_total"] == 3 and detail["errors"] == []
    confirmed = api.post(f"/api/v1/imports/{job_id}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "committed"
    assert FirmYear.objects.filter(source_import_id=job_id).count() == 3
    assert api.post(f"/api/v1/imports/{job_id}/confirm/").json()["status"] == "committed"


@pytest.mark.parametrize(("username", "status"), [(None, 401), ("analyst", 403), ("firmuser", 403)])
def test_only_park_managers_may_upload(post_file, world, username, status) -> None:
    assert post_file(api_as(username), good_csv()).status_code == status
    assert not ImportJob.objects.exists()


def test_jobs_are_visible_to_their_park_and_analysts_only(post_file, world) -> None:
    job_id = post_file(api_as("manager"), good_csv()).json()["id"]
    assert api_as("analyst").get(f"/api/v1/imports/{job_id}/").status_code == 200
    other = api_as("other-manager")
    assert other.get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert other.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 404
    assert api_as("firmuser").get(f"/api/v1/imports/{job_id}/").status_code == 403
    assert api_as("analyst").post(f"/api/v1/imports/{job_id}/confirm/").status_code == 403
    assert api_as("manager").get("/api/v1/imports/999999/").status_code == 404


def test_an_upload_over_the_size_limit_is_413_with_a_clear_message(
    post_file, world, settings
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    response = post_file(api_as("manager"), b"x" * 1025)
    assert response.status_code == 413
    assert response.json()["errors"][0]["message_en"] == "the file is 0.0 MB; the maximum is 0.0 MB"
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("case", FILES.values(), ids=FILES.keys())
def test_a_hostile_file_is_refused_whole_through_the_api(
    post_file, ranked_world, case, monkeypatch
) -> None:
    # A few cases shrink a cap (rows, unpacked size) so the test file stays small.
    monkeypatch.setattr("firms.imports.upload_limits", lambda: case.limits)
    before = snapshot()
    response = post_file(api_as("manager"), case.make())
    if response.status_code == 202:
        job = ImportJob.objects.get(pk=response.json()["id"])
        assert job.status == "invalid"
        assert [(e["code"], e["message_en"]) for e in job.errors][:1] == [(case.code, case.message)]
    else:  # refused before it was stored: too large or empty
        assert response.status_code in (400, 413)
        assert response.json()["errors"][0]["code"] == case.code
    assert snapshot() == before


@pytest.mark.parametrize("case", CELLS.values(), ids=CELLS.keys())
def test_a_file_with_a_bad_cell_is_refused_through_the_api(post_file, ranked_world, case) -> None:
    before = snapshot()
    response = post_file(api_as("manager"), case.make())
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "invalid"
    first = job.errors[0]
    assert (first["row"], first["column"], first["code"], first["message_en"]) == (
        case.row,
        case.column,
        case.code,
        case.message,
    )
    assert snapshot() == before
