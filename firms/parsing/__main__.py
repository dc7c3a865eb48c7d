"""Check a firm-data file before uploading it: `python -m firms.parsing FILE`.

Prints one line per bad cell (`row N, column C, value V: message`) and exits 1, or prints a
summary and exits 0. Needs no database and no Django settings.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from . import FileRejected, annotated_xlsx, parse_file
from .messages import persian_digits

DEFAULT_ISIC = Path(__file__).resolve().parent.parent / "fixtures" / "isic_rev4.csv"


def load_isic(path: Path) -> frozenset[str]:
    """ISIC class codes from a CSV: the `class` rows of isic_rev4.csv, or a plain `code` list."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "level" in rows[0]:
        return frozenset(row["code"] for row in rows if row["level"] == "class")
    return frozenset(row["code"] for row in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m firms.parsing", description=__doc__)
    parser.add_argument("file", type=Path, help="CSV or XLSX file to check")
    parser.add_argument("--isic-file", type=Path, default=DEFAULT_ISIC,
                        help="CSV of valid ISIC Rev.4 class codes (default: the bundled list)")  # fmt: skip
    parser.add_argument("--lang", choices=("en", "fa"), default="en")
    parser.add_argument("--annotate", type=Path, metavar="OUT.xlsx",
                        help="also write the rows with bad cells highlighted")  # fmt: skip
    args = parser.parse_args(argv)

    data = args.file.read_bytes()
    try:
        result = parse_file(data=data, valid_isic=load_isic(args.isic_file))
    except FileRejected as exc:
        message = exc.message_fa if args.lang == "fa" else exc.message_en
        print(f"file rejected ({exc.code}): {message}")
        return 1
    for warning in result.warnings:
        text = warning.message_fa if args.lang == "fa" else warning.message_en
        print(f"warning: {text}", file=sys.stderr)
    if args.annotate:
        args.annotate.write_bytes(annotated_xlsx(data=data, result=result, lang=args.lang))
    if not result.ok:
        for line in result.error_lines(args.lang):
            print(line)
        hidden = result.error_count - len(result.errors)
        if hidden:
            print(f"... and {hidden} more errors")
        return 1
    summary = f"{result.accepted_rows} rows OK ({result.file_type}"
    summary += f", {result.encoding})" if result.encoding else f", sheet {result.sheet})"
    print(persian_digits(summary) if args.lang == "fa" else summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
