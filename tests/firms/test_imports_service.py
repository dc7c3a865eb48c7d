"""Upload, validate, preview and commit: all or nothing, nothing lost, nothing twice."""

import io

import pytest

from firms import imports
from firms.models import Firm, FirmYear, ImportJob
from rankings.models import YearState
from tests.firms.filemakers import IDS, good_csv, good_xlsx, row

pytestmark = pytest.mark.django_db


def upload(world, data: bytes, name: str = "data.csv") -> ImportJob:
    job = imports.import_job_create(
        park=world.park, uploader=world.manager, stream=io.BytesIO(data), name=name
    )
    imports.import_job_validate(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_valid_file_is_previewed_then_committed_in_one_go(world) -> None:
    rows = [row(national_id=IDS[i], year="1403", sales=str(100_000 + i)) for i in range(5)]
    job = upload(world, good_csv(rows))
    assert job.status == "ready", job.errors
    assert job.rows_total == 5 and job.rows_valid == 5
    assert (job.firms_new, job.years_new, job.years_changed) == (5, 5, 0)
    assert Firm.objects.filter(park=world.park).count() == 1  # nothing written yet
    job = imports.import_job_commit(job=job, user=world.manager)
    assert job.status == "committed" and job.committed_at is not None
    assert FirmYear.objects.filter(source_import=job).count() == 5
    stored = FirmYear.objects.get(firm__national_id=IDS[3], year=1403)
    assert (stored.sales, stored.exports, stored.certifications) == (
        100_003,
        20000,
        "HACCP;ISO9001",
    )
    assert stored.firm.park == world.park and stored.firm.knowledge_based is True


def test_the_preview_shows_old_and_new_values_of_changed_figures(world) -> None:
    first = upload(world, good_csv([row(national_id=IDS[0], year="1403")]))
    imports.import_job_commit(job=first, user=world.manager)
    job = upload(world, good_csv([row(national_id=IDS[0], year="1403", sales="130000")]))
    assert (job.years_new, job.years_changed, job.years_unchanged) == (0, 1, 0)
    change = job.preview["changes"][0]
    assert change["fields"] == {"sales": {"old": 125000, "new": 130000}}
    assert change["row"] == 2 and change["year"] == 1403


def test_the_same_file_twice_changes_nothing_the_second_time(
    world, django_capture_on_commit_callbacks
) -> None:
    # Blank optional cells too: the parser reads them as None, the database stores "" (or
    # False), and that must not count as a change.
    data = good_csv(
        [
            row(national_id=IDS[0], year="1403"),
            row(national_id=IDS[1], year="1403", certifications=""),
            row(national_id=IDS[2], year="1403", certifications="", name_en="", knowledge_based=""),
        ]
    )
    first = upload(world, data)
    imports.import_job_commit(job=first, user=world.manager)
    generation = YearState.objects.get(year=1403).generation
    again = upload(world, data)
    assert (again.years_new, again.years_changed, again.years_unchanged) == (0, 0, 3)
    assert again.preview["changes"] == [] and again.preview["firms_changed"] == 0
    assert again.preview["same_file_as"] is not None
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imports.import_job_commit(job=again, user=world.manager)
    assert YearState.objects.get(year=1403).generation == generation
    assert callbacks == []
    assert FirmYear.objects.count() == 3
    # Nothing rewritten: every firm-year still comes from the first upload.
    assert FirmYear.objects.filter(source_import=first).count() == 3


def test_a_file_with_one_bad_cell_writes_nothing_and_reports_it(ranked_world) -> None:
    world = ranked_world
    before = (Firm.objects.count(), FirmYear.objects.count())
    run = YearState.objects.get(year=1403).current_run
    rows = [row(national_id=IDS[i], year="1403") for i in range(4)]
    rows[2]["sales"] = "-5"
    job = upload(world, good_csv(rows))
    assert job.status == "invalid"
    assert job.errors == [
        {
            "row": 4,
            "column": "sales",
            "header": "فروش (میلیون ریال)",
            "value": "-5",
            "code": "negative",
            "message_fa": job.errors[0]["message_fa"],
            "message_en": "must be zero or more",
        }
    ]
    assert "ردیف" not in job.errors[0]["message_fa"] and job.errors[0]["message_fa"]
    assert (Firm.objects.count(), FirmYear.objects.count()) == before
    assert YearState.objects.get(year=1403).current_run == run
    with pytest.raises(imports.CommitRefused):
        imports.import_job_commit(job=job, user=world.manager)


def test_a_firm_registered_in_another_park_is_an_error(world) -> None:
    data = good_csv([row(national_id=world.other_firm.national_id, year="1403")])
    job = upload(world, data)
    assert job.status == "invalid"
    error = job.errors[0]
    assert (error["row"], error["column"], error["code"]) == (2, "national_id", "other_park")
    assert error["message_en"] == (
        "this firm is registered in another park (ISF-01); only that park's managers may "
        "upload its data"
    )
    assert not FirmYear.objects.exists()


def test_validation_is_claimed_once(world) -> None:
    job = upload(world, good_csv())
    assert imports.import_job_validate(job_id=job.pk) is None  # a redelivered task


def test_a_file_over_the_size_cap_is_refused_before_it_is_stored(world, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(imports.UploadRejected) as err:
        imports.import_job_create(
            park=world.park, uploader=world.manager, stream=io.BytesIO(b"x" * 101), name="big.csv"
        )
    assert err.value.error.code == "file_too_large" and err.value.error.http_status == 413
    assert not ImportJob.objects.exists()


def test_an_excel_file_goes_through_the_same_pipeline(world) -> None:
    job = upload(world, good_xlsx([row(national_id=IDS[7], year="1402")]), name="data.xlsx")
    assert job.status == "ready" and job.file_type == "xlsx"
    imports.import_job_commit(job=job, user=world.manager)
    assert FirmYear.objects.get(firm__national_id=IDS[7]).year == 1402


def test_columns_left_out_of_a_file_keep_their_stored_values(world) -> None:
    imports.import_job_commit(
        job=upload(world, good_csv([row(national_id=IDS[1], year="1403")])), user=world.manager
    )
    from tests.firms.filemakers import csv_bytes

    partial = csv_bytes(
        [
            ["national_id", "name_fa", "isic", "year", "employees", "sales"],
            [IDS[1], "شرکت نمونه صنعت", "1079", "1403", "50", "125000"],
        ]
    )
    job = upload(world, partial)
    assert job.years_changed == 1
    imports.import_job_commit(job=job, user=world.manager)
    stored = FirmYear.objects.get(firm__national_id=IDS[1])
    assert (stored.employees, stored.exports, stored.rd_spend) == (50, 20000, 1500)
