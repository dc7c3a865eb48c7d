"""The upload pages: upload, progress, report, preview, confirm, templates, history."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from firms.models import FirmYear, ImportJob
from tests.firms.filemakers import IDS, good_csv, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world) -> Client:
    client = Client()
    client.force_login(world.manager)
    return client


def upload(client: Client, data: bytes, capture, name: str = "data.csv"):
    with capture(execute=True):
        return client.post("/imports/", {"file": SimpleUploadedFile(name, data)})


def test_a_manager_uploads_sees_the_preview_and_confirms(
    manager, django_capture_on_commit_callbacks
) -> None:
    data = good_csv([row(national_id=IDS[i], year="1403") for i in range(2)])
    response = upload(manager, data, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-status="ready"' in html and 'data-testid="years-new">۲<' in html
    assert 'data-testid="confirm"' in html
    response = manager.post(f"/imports/{job.pk}/confirm/")
    assert response.status_code == 302
    assert FirmYear.objects.filter(source_import=job).count() == 2
    assert 'data-status="committed"' in manager.get(f"/imports/{job.pk}/").content.decode()


def test_a_bad_file_shows_every_problem_in_persian_and_offers_the_marked_workbook(
    manager, django_capture_on_commit_callbacks
) -> None:
    data = good_csv([row(national_id=IDS[0], year="1403", sales="-5", tech_level="9")])
    upload(manager, data, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-status="invalid"' in html
    assert "باید صفر یا بیشتر باشد" in html  # "must be zero or more"
    assert 'data-testid="confirm"' not in html
    workbook = manager.get(f"/imports/{job.pk}/errors.xlsx")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet.max_row == 2
    manager.cookies["django_language"] = "en"
    assert "must be zero or more" in manager.get(f"/imports/{job.pk}/").content.decode()


def test_the_progress_poll_returns_the_bar_while_running_and_refreshes_when_done(
    manager, world
) -> None:
    job = ImportJob.objects.create(
        park=world.park,
        uploader=world.manager,
        sha256="0" * 64,
        status="validating",
        progress=40,
        original_name="a.csv",
    )
    poll = manager.get(f"/imports/{job.pk}/?poll=1", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in poll.content.decode() and "۴۰٪" in poll.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status="ready", progress=100)
    done = manager.get(f"/imports/{job.pk}/?poll=1", HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_other_parks_jobs_are_404_and_firm_users_cannot_see_uploads(world) -> None:
    job = ImportJob.objects.create(park=world.park, uploader=world.manager, sha256="0" * 64)
    other = Client()
    other.force_login(world.other_manager)
    assert other.get(f"/imports/{job.pk}/").status_code == 404
    assert other.post(f"/imports/{job.pk}/confirm/").status_code == 404
    firm = Client()
    firm.force_login(world.firm_user)
    assert firm.get("/imports/").status_code == 404
    assert Client().get("/imports/").status_code == 302


def test_the_history_lists_the_parks_uploads_and_analysts_see_all(world) -> None:
    ImportJob.objects.create(park=world.park, original_name="mine.csv", sha256="1" * 64)
    ImportJob.objects.create(park=world.other_park, original_name="theirs.csv", sha256="2" * 64)
    manager = Client()
    manager.force_login(world.manager)
    html = manager.get("/imports/").content.decode()
    assert "mine.csv" in html and "theirs.csv" not in html
    analyst = Client()
    analyst.force_login(world.analyst)
    html = analyst.get("/imports/").content.decode()
    assert "mine.csv" in html and "theirs.csv" in html
    assert analyst.post("/imports/", {}).status_code == 403


def test_the_templates_download_in_both_formats(client) -> None:
    csv = client.get("/imports/template.csv")
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and "شناسه ملی".encode() in body
    xlsx = client.get("/imports/template.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert workbook.active.cell(1, 1).value == "شناسه ملی"
    assert client.get("/imports/template.exe").status_code == 404


def test_the_import_command_reports_each_problem_and_writes_nothing(world, tmp_path) -> None:
    from django.core.management import call_command

    bad = tmp_path / "bad.csv"
    bad.write_bytes(good_csv([row(national_id=IDS[0], year="1403", sales="-5", tech_level="9")]))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_firms", str(bad), park="TEH-01", stdout=out)
    assert exit_.value.code == 1
    assert out.getvalue().strip().splitlines() == [
        'row 2, column sales, value "-5": must be zero or more',
        'row 2, column tech_level, value "9": must be between 0 and 5',
    ]
    assert not FirmYear.objects.exists()


def test_the_import_command_commits_a_valid_file_or_only_checks_it(world, tmp_path) -> None:
    from django.core.management import call_command

    good = tmp_path / "good.csv"
    good.write_bytes(good_csv([row(national_id=IDS[i], year="1403") for i in range(3)]))
    out = io.StringIO()
    call_command("import_firms", str(good), park="TEH-01", dry_run=True, stdout=out)
    assert "dry run: nothing written" in out.getvalue()
    assert not FirmYear.objects.exists()
    call_command("import_firms", str(good), park="TEH-01", user="manager", stdout=out)
    assert FirmYear.objects.count() == 3
