"""Decide the file type from its bytes (never from the name or Content-Type) and vet XLSX zips.

Everything here runs before any parser sees the content: the zip checks read only the central
directory (`ZipFile.infolist()`), so a zip bomb is refused without inflating a byte. The sizes
in the directory are binding: `zipfile` never returns more than an entry's declared size.
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from .errors import FileRejected
from .results import DEFAULT_LIMITS, Limits, MiB

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Local file header, empty archive, spanned archive: not just "PK", which a CSV could start with.
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Magic numbers of things people upload by mistake, named in the error message.
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x00\x00\xfe\xff", "UTF-32 text"),
    (b"\xff\xfe\x00\x00", "UTF-32 text"),
)
_MARKUP = (b"<html", b"<!doctype", b"<?xml", b"<table", b"<head", b"<body")
# Entries smaller than this cannot be a meaningful bomb; tiny parts often compress oddly well.
_RATIO_FLOOR = 1 * MiB
_SYMLINK = 0o120000


def detect_file_type(*, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Literal["csv", "xlsx"]:
    """ "csv" or "xlsx", judged by content; raises FileRejected for anything else."""
    if len(data) > limits.max_upload_bytes:
        raise FileRejected(
            "file_too_large",
            {"size_mb": _mb(len(data)), "max_mb": _mb(limits.max_upload_bytes)},
        )
    if not data.strip():
        raise FileRejected("empty_file")
    if data.startswith(OLE2):
        raise FileRejected("legacy_xls")
    for magic, name in _OTHER_MAGIC:
        if data.startswith(magic):
            raise FileRejected("unsupported_type", {"detected": name})
    if data.startswith(_ZIP_MAGIC):
        check_xlsx_zip(data=data, limits=limits)
        return "xlsx"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_MARKUP):
        # Excel's "Web page" and "XML Spreadsheet 2003" formats, often renamed to .xls.
        raise FileRejected("unsupported_type", {"detected": "HTML or XML document"})
    return "csv"


def check_xlsx_zip(*, data: bytes, limits: Limits) -> None:
    """Refuse unsafe or non-XLSX zips using only the central directory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # any failure to read a hostile directory means "damaged"
        raise FileRejected("invalid_workbook") from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_zip_entries:
            raise FileRejected(
                "zip_too_many_entries", {"count": len(entries), "max": limits.max_zip_entries}
            )
        total = 0
        for entry in entries:
            _check_entry_name(entry)
            total += entry.file_size
            if entry.file_size > _RATIO_FLOOR:
                ratio = entry.file_size // max(entry.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    raise FileRejected(
                        "compression_ratio", {"ratio": ratio, "max": limits.max_compression_ratio}
                    )
        if total > limits.max_uncompressed_bytes:
            raise FileRejected(
                "too_large_uncompressed",
                {"size_mb": _mb(total), "max_mb": _mb(limits.max_uncompressed_bytes)},
            )
        _check_package_kind(archive, {entry.filename for entry in entries})


def _check_entry_name(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    parts = name.replace("\\", "/").split("/")
    absolute = name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":")
    symlink = (entry.external_attr >> 16) & 0o170000 == _SYMLINK
    if absolute or ".." in parts or "\x00" in name or symlink:
        raise FileRejected("zip_unsafe_entry")


def _check_package_kind(archive: zipfile.ZipFile, names: set[str]) -> None:
    lowered = {name.lower() for name in names}
    if "mimetype" in lowered:
        mimetype = _read_small(archive, "mimetype", 200)
        detected = "OpenDocument file (.ods)" if b"opendocument" in mimetype else "ZIP archive"
        raise FileRejected("unsupported_type", {"detected": detected})
    if "[content_types].xml" not in lowered:
        raise FileRejected("unsupported_type", {"detected": "ZIP archive"})
    content_types = _read_small(archive, "[Content_Types].xml", 1 * MiB).lower()
    if any(name.endswith("vbaproject.bin") for name in lowered) or b"macroenabled" in content_types:
        raise FileRejected("macro_workbook")
    if "xl/workbook.bin" in lowered:
        raise FileRejected("unsupported_type", {"detected": "Excel binary workbook (.xlsb)"})
    if "xl/workbook.xml" not in lowered:
        detected = "Word document" if "word/document.xml" in lowered else "Office file"
        if "ppt/presentation.xml" in lowered:
            detected = "PowerPoint file"
        raise FileRejected("unsupported_type", {"detected": detected})


def _read_small(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """Read at most `cap` bytes of an entry, matching the name case-insensitively."""
    for info in archive.infolist():
        if info.filename.lower() == name.lower():
            try:
                with archive.open(info) as handle:
                    return handle.read(cap)
            except Exception as exc:  # zlib.error, BadZipFile, unsupported method...
                raise FileRejected("invalid_workbook") from exc
    return b""


def _mb(size: int) -> str:
    """Megabytes rounded *up* to one decimal, so 20 MB + 1 byte never reads as "20 MB"."""
    tenths = -(-size * 10 // MiB)
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"
