"""CSV: decode the bytes (never lossy), pick the delimiter, split into records.

The stdlib `csv` module (C) is used rather than `pandas.read_csv` because it reports every
record exactly as written, so a ragged row becomes a row error with its number instead of an
exception or silent NaN padding, and nothing is ever converted (ids keep leading zeros).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from itertools import islice

import numpy as np

from .errors import FileRejected
from .results import Limits, RawTable

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
# What real Persian text in Windows-1256 decodes to outside ASCII: Arabic-script letters plus
# ZWNJ, NBSP, guillemets and Arabic punctuation (those sit in the Arabic block already).
_PLAUSIBLE_NON_ASCII = re.compile("[\u0600-\u06ff\u200c\u00a0\u00ab\u00bb]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_C1 = re.compile("[\x80-\x9f]")
_BATCH = 20_000
EXCEL_MAX_ROWS = 1_048_576  # no spreadsheet has a row beyond this one


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). BOM first, then strict UTF-8, then a plausible cp1256."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, 3, "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, 0, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # UTF-8 Persian before the bad byte means a damaged UTF-8 file, not a cp1256 one:
    # decoding it as cp1256 would turn every letter into mojibake.
    if not _ARABIC_SCRIPT.search(data[: utf8_error.start].decode("utf-8")):
        text = data.decode("cp1256")  # every byte is defined in cp1256; plausibility decides
        if _plausible_cp1256(text):
            return text, "cp1256"
    raise _bad_encoding(data, utf8_error.start)


def _strict(data: bytes, skip: int, encoding: str) -> str:
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise _bad_encoding(data, skip + exc.start) from exc


def _plausible_cp1256(text: str) -> bool:
    non_ascii = len(_NON_ASCII.findall(text))
    if non_ascii == 0 or _C1.search(text) or not _ARABIC_SCRIPT.search(text):
        return False
    return len(_PLAUSIBLE_NON_ASCII.findall(text)) >= 0.9 * non_ascii


def _bad_encoding(data: bytes, offset: int) -> FileRejected:
    return FileRejected(
        "bad_encoding",
        {
            "byte": f"{data[offset]:02X}" if offset < len(data) else "??",
            "offset": offset,
            "line": data[:offset].count(b"\n") + 1,
        },
    )


def _delimiter(first_line: str, encoding: str) -> str:
    """Comma only, except Excel's "Unicode text" (UTF-16) export, which is tab-separated."""
    if encoding == "utf-16" and "\t" in first_line:
        return "\t"
    if "," not in first_line:
        for found, shown in ((";", ";"), ("\t", "tab"), ("؛", "؛"), ("|", "|")):
            if found in first_line:
                raise FileRejected("wrong_delimiter", {"found": shown})
    return ","


def read_csv_table(*, data: bytes, limits: Limits) -> RawTable:
    text, encoding = decode(data)
    if not text.strip():
        raise FileRejected("empty_file")
    # Physical lines bound the records; counting them is instant, reading them is not.
    if max(text.count("\n"), text.count("\r")) > EXCEL_MAX_ROWS:
        raise FileRejected("too_many_lines", {"max": EXCEL_MAX_ROWS})
    delimiter = _delimiter(text.partition("\n")[0], encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = trim_header(next(reader), limits)
        rows, numbers = _data_records(reader, len(header), limits)
    except csv.Error as exc:
        raise _csv_error(str(exc), _failing_row(text, delimiter)) from exc
    return RawTable(header=header, rows=rows, row_numbers=numbers, file_type="csv",
                    encoding=encoding)  # fmt: skip


def _data_records(
    reader: Iterator[list[str]], width: int, limits: Limits
) -> tuple[list[list[str]], list[int]]:
    """Non-blank records after the header, with their row numbers (header = row 1).

    Read in batches so memory stays bounded (a file of 20 MB of newlines is 20 million
    records) and reading stops as soon as the row cap is passed; blank-row detection and
    filtering use C-level map() over each batch rather than a Python loop per record.
    """
    rows: list[list[str]] = []
    numbers: list[int] = []
    consumed = 1
    while batch := list(islice(reader, _BATCH)):
        filled = map(bool, map(str.strip, map("".join, batch)))
        keep = np.flatnonzero(np.fromiter(filled, dtype=bool, count=len(batch)))
        rows.extend(map(batch.__getitem__, keep.tolist()))
        numbers.extend((keep + consumed + 1).tolist())
        consumed += len(batch)
        if len(rows) > limits.max_rows:
            raise FileRejected("too_many_rows", {"max": limits.max_rows})
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    for index in np.flatnonzero(lengths > width).tolist():  # long rows only
        rows[index] = trim_row(rows[index], width)
    return rows, numbers


def _failing_row(text: str, delimiter: str) -> int:
    """Row number of the record the csv module chokes on (error path only)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    count = 0
    try:
        for count, _ in enumerate(reader, start=1):  # noqa: B007 - the count is the result
            pass
    except csv.Error:
        return count + 1
    return count  # pragma: no cover - the first pass failed, so this one does too


def _csv_error(message: str, row: int) -> FileRejected:
    if "unexpected end of data" in message:
        return FileRejected("unclosed_quote", {"row": row})
    if "field larger than field limit" in message:
        return FileRejected("cell_too_long", {"row": row, "max": csv.field_size_limit()})
    return FileRejected("malformed_csv", {"row": row})


def trim_header(cells: list[str], limits: Limits) -> list[str]:
    """The header without trailing blank cells; blank headers in the middle are an error."""
    header = list(cells)
    while header and not header[-1].strip():
        header.pop()
    if not header:
        raise FileRejected("no_header")
    if len(header) > limits.max_columns:
        raise FileRejected("too_many_columns", {"max": limits.max_columns})
    for index, cell in enumerate(header):
        if not cell.strip():
            raise FileRejected(
                "blank_header", {"column": index + 1, "letter": column_letter(index)}
            )
    return header


def trim_row(cells: list[str], width: int) -> list[str]:
    """Drop blank cells past the header (spreadsheets pad rows with them); keep real extras."""
    if len(cells) > width and not "".join(cells[width:]).strip():
        return cells[:width]
    return cells


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
