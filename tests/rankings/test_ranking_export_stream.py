"""The ranking's XLSX export is streamed as it is written, with the CSV's columns and rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from rankings.xlsx_stream import xlsx_chunks
from tests.rankings.pages_helpers import rank_firms, ranked_world

CSV_URL = "/analyst/ranking/export.csv"
XLSX_URL = "/analyst/ranking/export.xlsx"


def _client(world, lang: str = "fa") -> Client:
    client = Client()
    client.force_login(world.analyst)
    if lang == "en":
        client.cookies["django_language"] = "en"
    return client


def _streamed(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming, "the export is built whole in memory"
    return b"".join(response.streaming_content)


def _sheet_rows(data: bytes) -> tuple[object, list[list[object]]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return sheet, [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_the_xlsx_holds_the_csv_columns_and_every_filtered_row(world) -> None:
    ranked_world(world)
    client = _client(world, "en")
    query = {"park": "ISF-01", "sort": "-score"}
    sheet, rows = _sheet_rows(_streamed(client.get(XLSX_URL, query)))
    text = b"".join(client.get(CSV_URL, query).streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert sheet.title == "SME 1403"
    assert not sheet.sheet_view.rightToLeft  # English: left to right
    assert sheet.freeze_panes == "A2"
    assert rows[0] == table[0]  # the same header, column for column
    assert rows[0][:4] == ["Rank", "National id", "Persian name", "Latin name"]
    assert rows[0][-4:] == [
        "Rank change",
        "Rank band (low)",
        "Rank band (high)",
        "Top-N probability",
    ]
    assert len(rows) == len(table) == 112  # the header and the park's 111 firms
    for cells, line in zip(rows[1:], table[1:], strict=True):
        assert cells[1] == line[1]  # national ids stay text, leading digits and all
        assert cells[0] == int(line[0])
        assert cells[9] == pytest.approx(float(line[9]))
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])


@pytest.mark.django_db
def test_the_xlsx_neutralises_every_formula_trigger(world) -> None:
    world.firm.name_fa = "@SUM(1+1)"
    world.firm.name_en = "-2+3"
    world.firm.save()
    world.other_firm.name_en = "=1+1"
    world.other_firm.name_fa = "+98 صنایع"
    world.other_firm.save()
    rank_firms([world.firm, world.other_firm])
    _sheet, rows = _sheet_rows(_streamed(_client(world).get(XLSX_URL)))
    names = {(r[2], r[3]) for r in rows[1:]}
    assert names == {("'@SUM(1+1)", "'-2+3"), ("'+98 صنایع", "'=1+1")}


def test_the_workbook_leaves_while_its_rows_are_still_being_read() -> None:
    read = 0

    def rows():
        nonlocal read
        for i in range(20_000):
            read += 1
            yield [i + 1, f"{i:011d}", f"firm {i % 97}", "=cmd" if i == 5 else "x", i / 7]

    stream = xlsx_chunks(title="SME 1403", header=["a", "b", "c", "d", "e"], rows=rows())
    first = next(stream)
    assert first and read < 20_000  # bytes are sent before the last row is read
    chunks = [first, *stream]
    assert read == 20_000
    total = sum(len(c) for c in chunks)
    assert max(len(c) for c in chunks) < total / 5  # never the whole file at once
    sheet = load_workbook(io.BytesIO(b"".join(chunks))).active
    assert sheet.max_row == 20_001 and sheet["A1"].font.b
    assert sheet["D7"].value == "'=cmd" and sheet["D7"].data_type == "s"
    assert sheet["E9"].value == pytest.approx(1.0)  # row 9 is i = 7
