"""smerank.bulk.frame_upsert: the bulk writer behind uploads and the demo seed, on the
database under test (SQLite by default, PostgreSQL in CI's second pass)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from django.db import connection

from firms.models import Firm, FirmYear
from smerank.bulk import db_now, frame_upsert, text_in
from tests.factories import FirmFactory, FirmYearFactory, ParkFactory

pytestmark = pytest.mark.django_db


def _years(firm: Firm, **values) -> pd.DataFrame:
    row = {"firm_id": firm.pk, "year": 1403, "employees": 40, "sales": 1000, "certifications": ""}
    row.update(values)
    frame = pd.DataFrame([row])
    frame["updated_at"] = db_now()
    return frame


def test_new_rows_are_inserted_with_their_values():
    firm = FirmFactory()
    frame = pd.DataFrame(
        {
            "firm_id": [firm.pk, firm.pk],
            "year": [1402, 1403],
            "employees": [30, 35],
            "sales": [900, 1100],
            "exports": [math.nan, 250.0],  # float with a gap, as pandas reads it
            "certifications": ["", "ISO9001;HACCP"],
        }
    )
    frame["updated_at"] = db_now()

    written = frame_upsert(model=FirmYear, frame=frame, conflict=["firm_id", "year"], update=[])

    assert written == 2
    rows = list(
        FirmYear.objects.filter(firm=firm)
        .order_by("year")
        .values_list("year", "employees", "sales", "exports", "certifications")
    )
    assert rows == [(1402, 30, 900, None, ""), (1403, 35, 1100, 250, "ISO9001;HACCP")]


def test_a_clash_with_no_update_columns_keeps_the_existing_row():
    existing = FirmYearFactory(year=1403, employees=40, sales=50_000)

    frame_upsert(
        model=FirmYear,
        frame=_years(existing.firm, employees=99, sales=60_000),
        conflict=["firm_id", "year"],
        update=[],
    )

    existing.refresh_from_db()
    assert (existing.employees, existing.sales) == (40, 50_000)
    assert FirmYear.objects.filter(firm=existing.firm).count() == 1


def test_a_clash_updates_only_the_named_columns():
    existing = FirmYearFactory(year=1403, employees=40, sales=50_000)

    frame_upsert(
        model=FirmYear,
        frame=_years(existing.firm, employees=99, sales=60_000),
        conflict=["firm_id", "year"],
        update=["sales"],
    )

    existing.refresh_from_db()
    assert (existing.employees, existing.sales) == (40, 60_000)


def test_the_guard_stops_an_update_of_a_firm_in_another_park():
    firm = FirmFactory(name_fa="نام قدیم")
    other_park = ParkFactory()
    qn = connection.ops.quote_name
    guard = f" WHERE {qn('firms_firm')}.{qn('park_id')} = excluded.{qn('park_id')}"
    now = db_now()
    frame = pd.DataFrame(
        {
            "national_id": [firm.national_id],
            "name_fa": ["نام جدید"],
            "name_en": [""],
            "park_id": [other_park.pk],
            "isic_id": [firm.isic_id],
            "knowledge_based": [False],
            "created_at": [now],
            "updated_at": [now],
        }
    )

    frame_upsert(
        model=Firm,
        frame=frame,
        conflict=["national_id"],
        update=["name_fa", "park_id"],
        guard=guard,
    )

    firm.refresh_from_db()
    assert (firm.name_fa, firm.park_id) != ("نام جدید", other_park.pk)
    assert firm.name_fa == "نام قدیم"


def test_a_fractional_value_for_an_integer_column_is_refused_before_writing():
    firm = FirmFactory()

    with pytest.raises(TypeError, match="cannot safely cast non-equivalent"):
        frame_upsert(
            model=FirmYear,
            frame=_years(firm, sales=1000.5),
            conflict=["firm_id", "year"],
            update=[],
        )

    assert not FirmYear.objects.filter(firm=firm).exists()


def test_an_empty_frame_writes_nothing():
    assert frame_upsert(model=FirmYear, frame=pd.DataFrame(), conflict=["id"], update=[]) == 0


def test_text_in_matches_more_ids_than_sqlite_allows_parameters():
    firms = FirmFactory.create_batch(3)
    wanted = [firms[0].national_id, firms[2].national_id]
    # Past SQLite's 32,766-variable limit: one parameter whatever the length.
    ids = wanted + [f"{n:011d}" for n in range(40_000)]

    found = set(Firm.objects.filter(national_id__in=text_in(ids)).values_list("pk", flat=True))

    assert found == {firms[0].pk, firms[2].pk}
