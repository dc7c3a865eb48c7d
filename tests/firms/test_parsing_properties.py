"""Properties of the parser over generated inputs (Hypothesis)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from firms.parsing import CERTIFICATIONS, FileRejected, normalise
from firms.parsing.normalise import normalise_column
from firms.parsing.schema import MONEY_MAX

from .filemakers import GOOD_ROW, HEADERS_FA, IDS, ISIC, KEYS, csv_bytes, good_csv, good_xlsx
from .filemakers import parse as parse_bytes

# Example counts keep the whole parsing suite well under a minute on a busy 2-core box.
CHEAP = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PERSIAN = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
TO_CP1256 = str.maketrans({"ی": "ي", "ک": "ك"})

words = st.text(PERSIAN, min_size=1, max_size=8)
persian_name = st.lists(words, min_size=1, max_size=4).map(" ".join)
# NA, null, none and nil mean "empty" by the documented rule, so they are not names here.
latin_name = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12).filter(
    lambda name: name not in {"na", "null", "none", "nil"}
)
money = st.integers(0, MONEY_MAX)


@st.composite
def firm_year(draw: st.DrawFn) -> dict[str, Any]:
    """One valid row as the typed values the parser must return."""
    year = draw(st.integers(1390, 1499))
    sales = draw(money)
    certs = draw(st.sets(st.sampled_from(CERTIFICATIONS)))
    return {
        "national_id": draw(st.sampled_from(IDS)),
        "name_fa": draw(persian_name),
        "name_en": draw(st.none() | latin_name),
        "isic": draw(st.sampled_from(sorted(ISIC))),
        "year": year,
        "employees": draw(st.integers(0, 1_000_000)),
        "sales": sales,
        "exports": draw(st.none() | st.integers(0, sales)),
        "export_countries": draw(st.none() | st.integers(0, 250)),
        "rd_spend": draw(st.none() | money),
        "net_profit": draw(st.none() | st.integers(-MONEY_MAX, MONEY_MAX)),
        "total_assets": draw(st.none() | money),
        "total_debt": draw(st.none() | money),
        "certifications": ";".join(sorted(certs)) or None,
        "new_products": draw(st.none() | st.integers(0, 100_000)),
        "tech_level": draw(st.none() | st.integers(0, 5)),
        "knowledge_based": draw(st.none() | st.booleans()),
        "founded_year": draw(st.none() | st.integers(1200, year)),
    }


firm_years = st.lists(
    firm_year(), min_size=1, max_size=12, unique_by=lambda r: (r["national_id"], r["year"])
)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    return str(value)


def render_csv(rows: list[dict[str, Any]], encoding: str) -> bytes:
    records = [HEADERS_FA, *([as_text(r[k]) for k in KEYS] for r in rows)]
    if encoding == "cp1256":  # what Excel on Persian Windows writes: Arabic yeh and kaf
        return csv_bytes(records).decode().translate(TO_CP1256).encode("cp1256")
    return csv_bytes(records, encoding=encoding)


def render_xlsx(rows: list[dict[str, Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS_FA)
    for r in rows:  # numbers as numbers, ids as text, like a sheet typed in Excel
        sheet.append([as_text(r[k]) if k in ("national_id", "isic") or r[k] is None else r[k]
                      for k in KEYS])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[list[dict[str, Any]]], bytes]] = {
    "utf-8": lambda rows: render_csv(rows, "utf-8"),
    "utf-8-sig": lambda rows: render_csv(rows, "utf-8-sig"),
    "cp1256": lambda rows: render_csv(rows, "cp1256"),
    "xlsx": render_xlsx,
}


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()}
            for r in frame.drop(columns="row").to_dict("records")]  # fmt: skip


@SLOW
@given(rows=firm_years, renderer=st.sampled_from(sorted(RENDERERS)))
def test_rendering_rows_and_parsing_them_gives_the_same_rows(
    rows: list[dict[str, Any]], renderer: str
) -> None:
    result = parse_bytes(RENDERERS[renderer](rows))
    assert result.ok, result.error_lines()
    assert plain(result.rows) == rows
    assert list(result.rows["row"]) == list(range(2, len(rows) + 2))


cell_text = st.text(max_size=12) | st.sampled_from(["", "NA", "-1", "1,5", "۱۲", "(3)", "1e5"])


@FAST
@given(cells=st.lists(st.tuples(st.sampled_from(KEYS), cell_text), min_size=1, max_size=8))
def test_every_row_is_either_accepted_or_reported(cells: list[tuple[str, str]]) -> None:
    rows = [{**GOOD_ROW, "national_id": IDS[i], key: text} for i, (key, text) in enumerate(cells)]
    result = parse_bytes(good_csv(rows))
    assert result.accepted_rows + result.rejected_rows == result.total_rows == len(rows)
    assert {e.row for e in result.errors} == set(range(2, len(rows) + 2)) - set(result.rows["row"])


@CHEAP
@given(st.text())
def test_normalising_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@CHEAP
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8")), max_size=6))
def test_a_column_normalises_exactly_like_its_values(values: list[str]) -> None:
    assert normalise_column(values) == [normalise(v) for v in values]


@FAST
@given(number=st.integers(0, MONEY_MAX), grouped=st.booleans())
def test_persian_arabic_and_ascii_digits_parse_to_the_same_number(
    number: int, grouped: bool
) -> None:
    text = f"{number:,}" if grouped else str(number)
    forms = [text, text.translate(TO_PERSIAN).replace(",", "٬"), text.translate(TO_ARABIC)]
    rows = [{**GOOD_ROW, "national_id": IDS[i], "sales": form, "exports": ""}
            for i, form in enumerate(forms)]  # fmt: skip
    assert parse_bytes(good_csv(rows)).rows["sales"].tolist() == [number] * 3


def _only_file_rejected(data: bytes) -> None:
    with contextlib.suppress(FileRejected):
        parse_bytes(data)


@FAST
@given(st.lists(st.lists(cell_text, max_size=22), max_size=6))
def test_ragged_and_random_records_raise_nothing_but_file_rejected(
    records: list[list[str]],
) -> None:
    try:
        result = parse_bytes(csv_bytes([HEADERS_FA, *records]))
    except FileRejected:
        return
    assert result.accepted_rows + result.rejected_rows == result.total_rows


@CHEAP
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_nothing_but_file_rejected(data: bytes) -> None:
    _only_file_rejected(data)


GOOD_FILES = {"csv": good_csv(), "xlsx": good_xlsx()}


@FAST
@given(
    kind=st.sampled_from(sorted(GOOD_FILES)),
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=4)), min_size=1,
                   max_size=4),
)  # fmt: skip
def test_corrupted_real_files_raise_nothing_but_file_rejected(
    kind: str, edits: list[tuple[int, bytes]]
) -> None:
    data = bytearray(GOOD_FILES[kind])
    for position, replacement in edits:
        at = position % len(data)
        data[at : at + len(replacement)] = replacement
    _only_file_rejected(bytes(data))
