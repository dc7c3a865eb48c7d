"""A minimal streaming XLSX writer for large, plain tables. Pure Python (numpy, no Django).

openpyxl spends ~25 µs per cell, which makes a 70,000-firm sheet a minute-long request;
this writes the same plain cells (numbers, booleans, inline strings, a bold header row,
a frozen header, right-to-left sheets) straight into the zip, about ten times faster.
Text goes through `rankings.exports.neutralise`, so no cell can become a formula.

`xlsx_chunks` yields the workbook while it is written, for a streamed HTTP response: the
memory it holds is one block of rows and the compressor's window, whatever the row count.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from io import BytesIO
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from rankings.exports import neutralise

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_TEXT = 32_767
_MEMO_SIZE = 50_000
# A streamed export keeps a smaller memo: unique texts (ids, names) fill it all the same,
# and it is most of what the stream holds in memory (about 2 MB here against 15 MB).
_STREAM_MEMO_SIZE = 5_000
_ROWS_PER_WRITE = 1000
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _string(value: str) -> str:
    """The tail of a text cell after `<c r=".."`: inline, neutralised, escaped."""
    # Strip what XML cannot hold *before* neutralising, so "\x01=cmd" stays text.
    text = neutralise(_ILLEGAL_XML.sub("", value))
    if not text:
        return ""
    return (
        f' t="inlineStr"><is><t xml:space="preserve">{escape(str(text)[:_MAX_TEXT])}</t></is></c>'
    )


def _other(value: object) -> str:
    """The tail of a non-text cell (number, boolean, anything else as text)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f"><v>{value}</v></c>"
    if isinstance(value, float):
        return f"><v>{value!r}</v></c>" if math.isfinite(value) else ""
    return _string(str(value))


def sheet_title(text: str, used: set[str]) -> str:
    """A valid, unique sheet title (31 characters, none of []:*?/\\)."""
    title = _SHEET_CHARS.sub(" ", text).strip()[:31] or "Sheet"
    base, n = title, 1
    while title in used:
        n += 1
        title = f"{base[:27]} {n}"
    used.add(title)
    return title


class _Spool:
    """A write-only file that hands over what was written since the last `drain()`.

    It has no `seek`, so zipfile writes each member's sizes after its data (a data
    descriptor) instead of going back to the header: nothing already sent is rewritten.
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._size += len(data)
        return len(data)

    def tell(self) -> int:
        return self._size

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


class XlsxWriter:
    """Sheets are written one after the other: `sheet(title, header, rows)`, then `close()`
    (which returns the workbook, or b"" when it was written to `out`)."""

    def __init__(
        self,
        *,
        rtl: bool = False,
        out: BinaryIO | _Spool | None = None,
        memo_size: int = _MEMO_SIZE,
    ) -> None:
        self._buffer = BytesIO() if out is None else None
        self._zip = zipfile.ZipFile(
            out if out is not None else self._buffer,
            "w",
            compression=zipfile.ZIP_DEFLATED,
            compresslevel=3,
        )
        self._titles: list[str] = []
        self._used: set[str] = set()
        self._rtl = rtl
        self._memo: dict[str, str] = {}
        self._memo_size = memo_size

    def sheet(self, title: str, header: Sequence[object], rows: Iterable[Sequence[object]]) -> None:
        for _block in self.sheet_blocks(title, header, rows):
            pass

    def sheet_blocks(
        self, title: str, header: Sequence[object], rows: Iterable[Sequence[object]]
    ) -> Iterator[int]:
        """Write a sheet, pausing after each block of rows (yields the rows written so
        far) so that a streamed response can send what the zip has produced."""
        self._titles.append(sheet_title(title, self._used))
        n = len(self._titles)
        view = ' rightToLeft="1"' if self._rtl else ""
        with self._zip.open(f"xl/worksheets/sheet{n}.xml", "w") as out:
            out.write(
                (
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}">'
                    f'<sheetViews><sheetView workbookViewId="0"{view}><pane ySplit="1" '
                    'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView>'
                    "</sheetViews><sheetData>"
                ).encode()
            )
            letters = [column_letter(i) for i in range(max(len(header), 1))]
            out.write(self._row(1, header, letters, ' s="1"').encode())
            chunk: list[str] = []
            for number, row in enumerate(rows, start=2):
                if len(row) > len(letters):
                    letters += [column_letter(i) for i in range(len(letters), len(row))]
                chunk.append(self._row(number, row, letters, ""))
                if len(chunk) == _ROWS_PER_WRITE:
                    out.write("".join(chunk).encode())
                    chunk = []
                    yield number - 1
            out.write(("".join(chunk) + "</sheetData></worksheet>").encode())

    def _row(self, number: int, values: Sequence[object], letters: list[str], style: str) -> str:
        # The hot loop of a large export: text cells repeat a lot (yes/no, codes, labels),
        # so their XML is memoised; numbers are formatted inline.
        memo = self._memo
        parts = [f'<row r="{number}">']
        for letter, value in zip(letters, values, strict=False):
            if value is None:
                continue
            if type(value) is str:
                tail = memo.get(value)
                if tail is None:
                    tail = _string(value)
                    if len(memo) < self._memo_size:
                        memo[value] = tail
            elif type(value) is float:
                tail = f"><v>{value!r}</v></c>" if math.isfinite(value) else ""
            else:
                tail = _other(value)
            if tail:
                parts.append(f'<c r="{letter}{number}"{style}{tail}')
        parts.append("</row>")
        return "".join(parts)

    def close(self) -> bytes:
        sheets = "".join(
            f'<sheet name={quoteattr(t)} sheetId="{i}" r:id="rId{i}"/>'
            for i, t in enumerate(self._titles, start=1)
        )
        n = len(self._titles)
        files = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
                f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                    f'ContentType="{_CT}.worksheet+xml"/>'
                    for i in range(1, n + 1)
                )
                + "</Types>"
            ),
            "_rels/.rels": (
                f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                f'Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": (
                f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>{sheets}</sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{_PKG_REL}">'
                + "".join(
                    f'<Relationship Id="rId{i}" Type="{_DOC_REL}/worksheet" '
                    f'Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, n + 1)
                )
                + f'<Relationship Id="rId{n + 1}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
                "</Relationships>"
            ),
            # Style 0: plain; style 1: bold (the header row).
            "xl/styles.xml": (
                f'<styleSheet xmlns="{_NS}"><fonts count="2"><font><sz val="11"/>'
                '<name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/>'
                '</font></fonts><fills count="2"><fill><patternFill patternType="none"/>'
                '</fill><fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
                '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
                'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" '
                'fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" '
                'fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                "</cellStyles></styleSheet>"
            ),
        }
        for name, xml in files.items():
            self._zip.writestr(
                name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml
            )
        self._zip.close()
        return self._buffer.getvalue() if self._buffer is not None else b""


def xlsx_chunks(
    *,
    title: str,
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    rtl: bool = False,
) -> Iterator[bytes]:
    """A one-sheet workbook as a stream of bytes, produced as the rows are read."""
    spool = _Spool()
    book = XlsxWriter(rtl=rtl, out=spool, memo_size=_STREAM_MEMO_SIZE)
    for _block in book.sheet_blocks(title, header, rows):
        if data := spool.drain():
            yield data
    book.close()
    yield spool.drain()
