"""The bad-input corpus (reliability guide §3), file level: every malformed or hostile upload
is refused whole with its exact message, so the service writes nothing from it.

Row-level cases (one bad cell in a readable file) are in test_parsing_hostile_cells.py.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from firms.parsing import DEFAULT_LIMITS, Limits

from .filemakers import (
    GOOD_ROW,
    HEADERS_FA,
    HTML_XLS,
    KEYS,
    OLE2_XLS,
    PNG,
    billion_laughs,
    csv_bytes,
    good_csv,
    good_xlsx,
    many_entries,
    ods,
    parse,
    rejection,
    row,
    rows_for,
    sheet_xml,
    table,
    with_sheet_xml,
    xlsm,
    xlsx_bytes,
    xlsx_parts,
    xxe,
    zip_bomb,
    zip_bytes,
    zip_with_name,
    zip_with_symlink,
)

SAVE_UTF8 = 'save it as "CSV UTF-8" and upload it again'
NOT_CSV = 'save it as "CSV UTF-8" or "Excel Workbook (.xlsx)"'
DAMAGED = (
    "the workbook could not be read and may be damaged; open it in Excel, save it again"
    " and upload it"
)


@dataclass(frozen=True)
class Refused:
    """A file rejected as a whole."""

    make: Callable[[], bytes]
    code: str
    message: str
    limits: Limits = DEFAULT_LIMITS


def damaged_utf8() -> bytes:
    return good_csv() + b"\xff,1\r\n"


def _ratio_of(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        return info.file_size // info.compress_size


def _entries_of(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return len(archive.infolist())


BOMB = zip_bomb()
MANY = many_entries()
BIG_RANDOM = zip_bytes({**xlsx_parts(good_xlsx()), "xl/media/noise.bin": os.urandom(3 * 2**20)})

FILES: dict[str, Refused] = {
    "an empty file": Refused(lambda: b"", "empty_file", "the file is empty"),
    "only blank lines": Refused(lambda: b"\r\n \r\n\t\n", "empty_file", "the file is empty"),
    "only a byte-order mark": Refused(lambda: b"\xef\xbb\xbf", "empty_file", "the file is empty"),
    "a header and no rows": Refused(
        lambda: csv_bytes(table([])), "no_rows", "the file has a header but no data rows"
    ),
    "UTF-8 damaged in the middle": Refused(
        damaged_utf8, "bad_encoding",
        f"the file is not valid UTF-8 text (byte 0xFF at offset {len(good_csv())}, line 3);"
        f" {SAVE_UTF8}",
    ),
    "Latin-1 text (not Persian Windows-1256)": Refused(
        lambda: "national_id,name_fa\r\n10380284790,Café\r\n".encode("latin-1"), "bad_encoding",
        f"the file is not valid UTF-8 text (byte 0xE9 at offset 36, line 2); {SAVE_UTF8}",
    ),
    "semicolon-separated": Refused(
        lambda: good_csv(delimiter=";"), "wrong_delimiter",
        'the columns are separated by ";"; use commas (save as "CSV UTF-8 (Comma delimited)")',
    ),
    "tab-separated UTF-8": Refused(
        lambda: good_csv(delimiter="\t"), "wrong_delimiter",
        'the columns are separated by "tab"; use commas (save as'
        ' "CSV UTF-8 (Comma delimited)")',
    ),
    "an unclosed quote": Refused(
        lambda: good_csv() + b'"10380284790,x\r\n1,2\r\n', "unclosed_quote",
        "a quoted value that starts on row 3 is never closed",
    ),
    "a quote in the middle of a value": Refused(
        lambda: good_csv() + b'"1038"0284790,x\r\n', "malformed_csv",
        "row 3 has a quote character in the wrong place",
    ),
    "a missing required column": Refused(
        lambda: csv_bytes([[c for k, c in zip(KEYS, r, strict=True) if k != "sales"]
                           for r in table([GOOD_ROW])]),
        "missing_columns", "required columns are missing: sales",
    ),
    "the same column twice (Persian and English header)": Refused(
        lambda: csv_bytes(table([GOOD_ROW], [*HEADERS_FA[:-1], "sales"])), "duplicate_columns",
        'the column "sales" appears more than once: «فروش (میلیون ریال)» / «sales»',
    ),
    "a blank header between headers": Refused(
        lambda: csv_bytes(table([GOOD_ROW], [*HEADERS_FA[:2], "", *HEADERS_FA[3:]])),
        "blank_header", "column 3 (C) has no header",
    ),
    "more rows than the cap": Refused(
        lambda: good_csv(rows_for(4)), "too_many_rows", "the file has more than 3 data rows",
        Limits(max_rows=3),
    ),
    "a million blank lines": Refused(
        lambda: good_csv() + b"\n" * 1_048_576, "too_many_lines",
        "the file has more than 1048576 lines (the Excel limit)",
    ),
    "a sheet row past Excel's last row": Refused(
        lambda: with_sheet_xml(sheet_xml('<row r="1048577"><c r="A1048577"><v>1</v></c></row>')),
        "too_many_lines", "the file has more than 1048576 lines (the Excel limit)",
    ),
    "more columns than the cap": Refused(
        lambda: csv_bytes([[f"c{i}" for i in range(65)], ["1"] * 65]), "too_many_columns",
        "the file has more than 64 columns",
    ),
    "one byte over the upload cap": Refused(
        lambda: b"a" * (20 * 2**20 + 1), "file_too_large",
        "the file is 20.1 MB; the maximum is 20 MB",
    ),
    "a value longer than the CSV field limit": Refused(
        lambda: good_csv([row(name_fa="ب" * 140_000)]), "cell_too_long",
        "row 2 has a value longer than 131072 characters",
    ),
    "a PNG renamed to .xlsx": Refused(
        lambda: PNG, "unsupported_type", f"this is not a CSV or XLSX file (PNG image); {NOT_CSV}"
    ),
    "a PDF": Refused(
        lambda: b"%PDF-1.7\n...", "unsupported_type",
        f"this is not a CSV or XLSX file (PDF document); {NOT_CSV}",
    ),
    "a legacy .xls (OLE2)": Refused(
        lambda: OLE2_XLS, "legacy_xls",
        "old Excel 97-2003 (.xls) files and password-protected workbooks are not accepted;"
        ' save it as "Excel Workbook (.xlsx)" without a password',
    ),
    "an HTML page saved as .xls": Refused(
        lambda: HTML_XLS, "unsupported_type",
        f"this is not a CSV or XLSX file (HTML or XML document); {NOT_CSV}",
    ),
    "an .xlsm with a VBA project": Refused(
        xlsm, "macro_workbook",
        'macro-enabled workbooks (.xlsm) are not accepted; save it as "Excel Workbook (.xlsx)"',
    ),
    "an OpenDocument .ods": Refused(
        ods, "unsupported_type",
        f"this is not a CSV or XLSX file (OpenDocument file (.ods)); {NOT_CSV}",
    ),
    "a Word document": Refused(
        lambda: zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        "unsupported_type", f"this is not a CSV or XLSX file (Word document); {NOT_CSV}",
    ),
    "UTF-32 text": Refused(
        lambda: "a,b\n".encode("utf-32"), "unsupported_type",
        f"this is not a CSV or XLSX file (UTF-32 text); {NOT_CSV}",
    ),
    "a zip bomb": Refused(
        lambda: BOMB, "compression_ratio",
        f"the workbook is compressed {_ratio_of(BOMB)}:1, which is suspicious (maximum 100:1);"
        " it was not opened",
    ),
    "a workbook over the unpacked-size cap": Refused(
        lambda: BIG_RANDOM, "too_large_uncompressed",
        "the workbook expands to 3.1 MB when unpacked; the maximum is 1 MB",
        Limits(max_uncompressed_bytes=2**20),
    ),
    "a zip with 10,000 entries": Refused(
        lambda: MANY, "zip_too_many_entries",
        f"the workbook has {_entries_of(MANY)} internal parts; the maximum is 1000",
    ),
    "a zip entry named ../../x": Refused(
        lambda: zip_with_name("../../evil.sh"), "zip_unsafe_entry",
        "the workbook contains an unsafe internal path; it was not opened",
    ),
    "a zip entry with an absolute path": Refused(
        lambda: zip_with_name("/etc/cron.d/x"), "zip_unsafe_entry",
        "the workbook contains an unsafe internal path; it was not opened",
    ),
    "a zip symlink entry": Refused(
        zip_with_symlink, "zip_unsafe_entry",
        "the workbook contains an unsafe internal path; it was not opened",
    ),
    "a truncated zip": Refused(lambda: good_xlsx()[:300], "invalid_workbook", DAMAGED),
    "a billion-laughs sheet": Refused(billion_laughs, "invalid_workbook", DAMAGED),
    "an XXE sheet": Refused(xxe, "invalid_workbook", DAMAGED),
    "an XLSX whose header is not in row 1": Refused(
        lambda: xlsx_bytes([[], *table([GOOD_ROW])]), "no_header",
        "row 1 must hold the column headers",
    ),
    "an XLSX with an empty sheet": Refused(
        lambda: xlsx_bytes([]), "empty_file", "the file is empty"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", FILES.values(), ids=FILES.keys())
def test_a_hostile_file_is_refused_whole_with_its_exact_message(case: Refused) -> None:
    refusal = rejection(case.make(), case.limits)
    assert (refusal.code, refusal.message_en) == (case.code, case.message)
    assert refusal.message_fa  # every code has a Persian message too
    assert refusal.http_status in (400, 413, 415, 422)


def test_xml_attacks_are_refused_fast_and_never_echo_file_contents() -> None:
    for make in (billion_laughs, xxe):
        start = time.perf_counter()
        refusal = rejection(make())
        assert time.perf_counter() - start < 1.0
        assert "root" not in refusal.message_en and "lol" not in refusal.message_en


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML


def test_a_zip_bomb_is_refused_before_anything_is_inflated() -> None:
    start = time.perf_counter()
    assert rejection(BOMB).code == "compression_ratio"
    assert time.perf_counter() - start < 0.5


def test_a_cell_in_the_last_excel_column_does_not_widen_every_row() -> None:
    workbook = xlsx_bytes(table(rows_for(300)))
    parts = xlsx_parts(workbook)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</row></sheetData>",
        b'<c r="XFD301" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    start = time.perf_counter()
    result = parse(zip_bytes(parts))
    assert time.perf_counter() - start < 5.0
    assert [e.code for e in result.errors if e.row == 301] == ["ragged_row"]
