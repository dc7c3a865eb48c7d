"""Build upload files for the parser tests: valid rows, every encoding, and hostile files.

Everything is generated in memory, so the corpus documents itself: each maker says exactly
which bytes make a file bad.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from firms.national_id import legal_id_generate
from firms.parsing import (
    COLUMNS,
    DEFAULT_LIMITS,
    FileRejected,
    Limits,
    ValidationResult,
    parse_file,
)
from firms.parsing.__main__ import load_isic

ROOT = Path(__file__).resolve().parents[2]
ISIC = load_isic(ROOT / "firms" / "fixtures" / "isic_rev4.csv")
HEADERS_FA = [column.header_fa for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]
VALID_ID = "10380284790"  # persian-tools test vector
OTHER_ID = "10100387143"  # persian-tools test vector
IDS = [legal_id_generate(random.Random(seed)) for seed in range(50)]

GOOD_ROW: dict[str, str] = {
    "national_id": VALID_ID,
    "name_fa": "شرکت نمونه صنعت",
    "name_en": "Nemooneh Sanat",
    "isic": "1079",
    "year": "1402",
    "employees": "45",
    "sales": "125000",
    "exports": "20000",
    "export_countries": "3",
    "rd_spend": "1500",
    "net_profit": "-2500",
    "total_assets": "98000",
    "total_debt": "41000",
    "certifications": "ISO9001;HACCP",
    "new_products": "2",
    "tech_level": "3",
    "knowledge_based": "بله",
    "founded_year": "1385",
}


def parse(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ValidationResult:
    return parse_file(data=data, valid_isic=ISIC, limits=limits)


def rejection(data: bytes, limits: Limits = DEFAULT_LIMITS) -> FileRejected:
    """The FileRejected that parsing `data` raises (fails the test if it does not)."""
    try:
        parse(data, limits)
    except FileRejected as exc:
        return exc
    raise AssertionError("the file was accepted")


def row(**changes: str) -> dict[str, str]:
    """A valid row with some fields changed."""
    return {**GOOD_ROW, **changes}


def rows_for(count: int) -> list[dict[str, str]]:
    """`count` valid rows with distinct (national_id, year)."""
    return [
        row(national_id=IDS[i % len(IDS)], year=str(1390 + i // len(IDS))) for i in range(count)
    ]


def table(
    rows: Iterable[Mapping[str, str]], header: Sequence[str] | None = None
) -> list[list[str]]:
    """Header (Persian by default) plus the rows' values in template order."""
    return [list(header or HEADERS_FA), *([r.get(k, "") for k in KEYS] for r in rows)]


def csv_bytes(
    records: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    newline: str = "\r\n",
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(records)
    return buffer.getvalue().encode(encoding)


def good_csv(rows: Iterable[Mapping[str, str]] = (GOOD_ROW,), **kwargs: Any) -> bytes:
    return csv_bytes(table(rows), **kwargs)


def xlsx_bytes(
    records: Sequence[Sequence[Any]],
    *,
    title: str = "داده‌ها",
    before: Sequence[tuple[str, Sequence[Sequence[Any]], str]] = (),
    after: Sequence[tuple[str, Sequence[Sequence[Any]], str]] = (),
) -> bytes:
    """A workbook whose data sheet holds `records` as given (str, int, float, "=formula").

    `before`/`after` add (title, records, state) sheets around it, e.g. a hidden sheet.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_title, sheet_records, state in before:
        _sheet(workbook, sheet_title, sheet_records).sheet_state = state
    _sheet(workbook, title, records)
    for sheet_title, sheet_records, state in after:
        _sheet(workbook, sheet_title, sheet_records).sheet_state = state
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Workbook, title: str, records: Sequence[Sequence[Any]]) -> Any:
    sheet = workbook.create_sheet(title)
    for record in records:
        sheet.append(list(record))
    return sheet


def good_xlsx(rows: Iterable[Mapping[str, str]] = (GOOD_ROW,)) -> bytes:
    return xlsx_bytes(table(rows))


def zip_bytes(entries: Mapping[str, bytes], *, level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_sheet_xml(sheet_xml: str, base: bytes | None = None) -> bytes:
    """A real workbook whose first sheet's XML is replaced by `sheet_xml` (raw, unparsed)."""
    parts = xlsx_parts(base or good_xlsx())
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    return zip_bytes(parts)


SHEET_OPEN = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def sheet_xml(cells: str) -> str:
    """Sheet XML with a Persian header row (inline strings) and `cells` as raw row XML."""
    header = "".join(
        f'<c r="{_letter(i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(HEADERS_FA[:7])
    )
    return f'{SHEET_OPEN}<sheetData><row r="1">{header}</row>{cells}</sheetData></worksheet>'


def _letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + sheet_xml(
        '<row r="2"><c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    )
    return with_sheet_xml(xml)


def xxe(target: str = "file:///etc/passwd") -> bytes:
    xml = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{target}">]>' + sheet_xml(
        '<row r="2"><c r="B2" t="inlineStr"><is><t>&e;</t></is></c></row>'
    )
    return with_sheet_xml(xml)


def zip_bomb(size: int = 8 * 1024 * 1024) -> bytes:
    """A small workbook whose sheet inflates to `size` bytes of highly compressible XML."""
    filler = b"<row><c><v>0</v></c></row>" * (size // 26)
    xml = SHEET_OPEN.encode() + b"<sheetData>" + filler + b"</sheetData></worksheet>"
    parts = xlsx_parts(good_xlsx())
    parts["xl/worksheets/sheet1.xml"] = xml
    return zip_bytes(parts, level=9)


def xlsm() -> bytes:
    parts = xlsx_parts(good_xlsx())
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 fake VBA project"
    return zip_bytes(parts)


def ods() -> bytes:
    return zip_bytes({
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": b"<office:document-content/>",
    })  # fmt: skip


def zip_with_name(name: str) -> bytes:
    parts = xlsx_parts(good_xlsx())
    parts[name] = b"x"
    return zip_bytes(parts)


def zip_with_symlink() -> bytes:
    buffer = io.BytesIO(good_xlsx())
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo("xl/link")
        info.external_attr = 0o120777 << 16  # a symlink entry, as `zip --symlinks` writes
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def many_entries(count: int = 10_000) -> bytes:
    parts = xlsx_parts(good_xlsx())
    parts.update({f"xl/media/x{i}.bin": b"" for i in range(count)})
    return zip_bytes(parts, level=1)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OLE2_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
HTML_XLS = b"<html><body><table><tr><td>x</td></tr></table></body></html>"
