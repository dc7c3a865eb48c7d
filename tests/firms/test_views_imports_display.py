"""What a park manager reads on the upload pages, in Persian: counts, preview, role checks."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from firms.models import FirmYear, ImportJob
from smerank.formatting import persian_digits
from tests.factories import FirmYearFactory
from tests.firms.filemakers import IDS, good_csv, row
from tests.i18n import fa

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world) -> Client:
    client = Client()
    client.force_login(world.manager)
    return client


def upload(client: Client, data: bytes, capture) -> ImportJob:
    with capture(execute=True):
        response = client.post("/imports/", {"file": SimpleUploadedFile("data.csv", data)})
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.order_by("-pk").first()


def problems_sentence(count: int, shown: str) -> str:
    """The report's headline in Persian, with `shown` as the (already formatted) count."""
    singular = "%(n)s problem was found. Nothing was saved: fix the file and upload it again."
    plural = "%(n)s problems were found. Nothing was saved: fix the file and upload it again."
    with translation.override("fa"):
        return translation.ngettext(singular, plural, count) % {"n": shown}


def text_of(html: str) -> str:
    """The page's visible text, tags dropped and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def invalid_job(world, *, errors: list[dict], preview: dict) -> ImportJob:
    return ImportJob.objects.create(
        park=world.park,
        uploader=world.manager,
        sha256="0" * 64,
        status="invalid",
        progress=100,
        original_name="bad.csv",
        errors=errors,
        preview=preview,
    )


def error(row_number: int, column: str = "sales", header: str = "فروش (میلیون ریال)") -> dict:
    return {
        "row": row_number,
        "column": column,
        "header": header,
        "value": "-5",
        "code": "negative",
        "message_fa": "باید صفر یا بیشتر باشد",
        "message_en": "must be zero or more",
    }


# --- 1. the number of problems ---------------------------------------------------------


def test_the_report_counts_the_problems_in_persian_digits(
    manager, django_capture_on_commit_callbacks
) -> None:
    data = good_csv([row(national_id=IDS[0], year="1403", sales="-5", tech_level="9")])
    job = upload(manager, data, django_capture_on_commit_callbacks)
    assert job.status == "invalid" and len(job.errors) == 2
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    assert problems_sentence(2, "۲") in html
    assert problems_sentence(0, "0") not in html


def test_the_count_includes_problems_beyond_the_stored_list(manager, world) -> None:
    # Only the first errors are stored; the headline gives the exact total.
    job = invalid_job(world, errors=[error(2)], preview={"error_count": 2500})
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    assert problems_sentence(2500, "۲٬۵۰۰") in html


def test_a_report_without_a_stored_total_counts_its_list(manager, world) -> None:
    job = invalid_job(world, errors=[error(2), error(3), error(4)], preview={})
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    assert problems_sentence(3, "۳") in html


def test_a_problem_column_is_named_as_in_the_template_not_by_its_key(manager, world) -> None:
    # The other-park check names the column by its key; the manager knows it by its header.
    job = invalid_job(
        world,
        errors=[error(2, column="national_id", header="national_id")],
        preview={"error_count": 1},
    )
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    assert "<td>شناسه ملی</td>" in html and ">national_id<" not in html


# --- 2. the preview of changed figures ---------------------------------------------------


def test_the_preview_shows_labels_and_grouped_persian_integers(
    manager, django_capture_on_commit_callbacks
) -> None:
    first = upload(
        manager,
        good_csv([row(national_id=IDS[0], year="1403")]),
        django_capture_on_commit_callbacks,
    )
    manager.post(f"/imports/{first.pk}/confirm/")
    # A changed firm-year next to a new one: the stored figures come back as floats then.
    data = good_csv(
        [
            row(national_id=IDS[0], year="1403", sales="130000", certifications=""),
            row(national_id=IDS[1], year="1403"),
        ]
    )
    job = upload(manager, data, django_capture_on_commit_callbacks)
    assert job.status == "ready" and job.years_changed == 1
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    text = text_of(html)
    assert "فروش (میلیون ریال): ۱۲۵٬۰۰۰ ← ۱۳۰٬۰۰۰" in text
    assert "گواهینامه‌ها: HACCP;ISO9001 ← —" in text
    assert "125000" not in text and "۱۲۵۰۰۰" not in text and "٫۰" not in text
    assert "sales" not in text and "certifications" not in text
    # The new firm's national id, in Persian digits as on every other page.
    assert f"({persian_digits(IDS[1])})" in text.replace(" ", "")
    manager.cookies["django_language"] = "en"
    text = text_of(manager.get(f"/imports/{job.pk}/").content.decode())
    assert "Sales: 125,000 → 130,000" in text


def test_a_stored_preview_with_float_values_still_shows_integers(manager, world) -> None:
    job = ImportJob.objects.create(
        park=world.park,
        uploader=world.manager,
        sha256="0" * 64,
        status="ready",
        progress=100,
        original_name="old.csv",
        years_changed=1,
        preview={
            "changes": [
                {
                    "row": 2,
                    "national_id": IDS[0],
                    "name_fa": "شرکت نمونه",
                    "year": 1403,
                    "fields": {"employees": {"old": 1200.0, "new": 1300}},
                }
            ]
        },
    )
    text = text_of(manager.get(f"/imports/{job.pk}/").content.decode())
    assert "تعداد کارکنان: ۱٬۲۰۰ ← ۱٬۳۰۰" in text


# --- 3. the same data twice --------------------------------------------------------------


def test_the_same_file_with_blank_certifications_is_unchanged_the_second_time(
    manager, django_capture_on_commit_callbacks
) -> None:
    rows = [
        row(national_id=IDS[i], year="1403", certifications="", name_en="", knowledge_based="")
        for i in range(2)
    ]
    data = good_csv(rows)
    first = upload(manager, data, django_capture_on_commit_callbacks)
    manager.post(f"/imports/{first.pk}/confirm/")
    assert FirmYear.objects.filter(source_import=first, certifications="").count() == 2
    again = upload(manager, data, django_capture_on_commit_callbacks)
    html = manager.get(f"/imports/{again.pk}/").content.decode()
    assert 'data-testid="years-changed">۰<' in html
    assert 'data-testid="years-unchanged">۲<' in html
    assert fa("Changed figures (old → new)") not in html
    manager.post(f"/imports/{again.pk}/confirm/")
    # Nothing was rewritten: the figures still come from the first upload.
    assert FirmYear.objects.filter(source_import=first).count() == 2


def test_certifications_stored_in_another_order_are_unchanged(
    manager, world, django_capture_on_commit_callbacks
) -> None:
    firm = world.firm
    FirmYearFactory(
        firm=firm,
        year=1403,
        employees=45,
        sales=125000,
        exports=20000,
        export_countries=3,
        rd_spend=1500,
        net_profit=-2500,
        total_assets=98000,
        total_debt=41000,
        certifications="ISO9001;HACCP",  # typed by hand, not in the parser's order
        new_products=2,
        tech_level=3,
    )
    data = good_csv(
        [
            row(
                national_id=firm.national_id,
                name_fa=firm.name_fa,
                name_en=firm.name_en,
                isic=firm.isic_id,
                founded_year=str(firm.founded_year or ""),
                knowledge_based="بله" if firm.knowledge_based else "خیر",
                year="1403",
                certifications="HACCP ; iso 9001",
            )
        ]
    )
    job = upload(manager, data, django_capture_on_commit_callbacks)
    assert job.status == "ready", job.errors
    html = manager.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-testid="years-changed">۰<' in html
    assert 'data-testid="years-unchanged">۱<' in html


# --- 4. the role is checked before the method ----------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "delete", "post"])
def test_users_without_the_role_get_the_role_answer_whatever_the_method(world, method) -> None:
    job = ImportJob.objects.create(park=world.park, uploader=world.manager, sha256="0" * 64)
    firm_user = Client()
    firm_user.force_login(world.firm_user)
    analyst = Client()
    analyst.force_login(world.analyst)
    anonymous = Client()
    for path in (
        "/imports/",
        f"/imports/{job.pk}/",
        f"/imports/{job.pk}/confirm/",
        f"/imports/{job.pk}/errors.xlsx",
    ):
        assert getattr(firm_user, method)(path).status_code == 404, path
        response = getattr(anonymous, method)(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/"), path
    # Only managers may confirm: an analyst gets the role answer, not "method not allowed".
    assert getattr(analyst, method)(f"/imports/{job.pk}/confirm/").status_code == 404


def test_confirming_a_file_that_is_not_ready_says_so_in_persian(manager, world) -> None:
    job = invalid_job(world, errors=[error(2)], preview={"error_count": 1})
    response = manager.post(f"/imports/{job.pk}/confirm/", follow=True)
    html = response.content.decode()
    assert (
        fa("Only a checked file that is ready can be confirmed. Reload the page to see its status.")
        in html
    )
    assert "Only a validated file" not in html
