"""`compute_index` from the command line: CSV in, CSV out, one-line errors."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import EngineError
from .method import Method
from .pipeline import IndexResult, build_index


def read_data(path: str | Path) -> pd.DataFrame:
    """Read an indicator table as text, so the engine decides what is missing or non-numeric."""
    try:
        # All text: a country code such as "NA" (Namibia) must not become a missing value.
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except FileNotFoundError:
        raise EngineError(f"data file not found: {path}") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise EngineError(f"cannot read data file {path}: {exc}") from None


def read_meta(path: str | Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype={"iCode": str, "Parent": str, "Type": str})
    except FileNotFoundError:
        raise EngineError(f"metadata file not found: {path}") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise EngineError(f"cannot read metadata file {path}: {exc}") from None


def read_method(path: str | Path | None) -> Method:
    if path is None:
        return Method()
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EngineError(f"method file not found: {path}") from None
    except (OSError, ValueError) as exc:
        raise EngineError(f"cannot read method file {path}: {exc}") from None
    return Method.from_dict(spec)


def compute_index(
    *, data: str | Path, meta: str | Path, method: str | Path | None, out: str | Path
) -> IndexResult:
    """Build the index from files and write OUT.csv; raise EngineError on any problem."""
    parsed = read_method(method)
    result = build_index(data=read_data(data), meta=read_meta(meta), method=parsed)
    try:
        # Default float formatting is the shortest repr that round-trips: full precision.
        result.output().to_csv(out, index=False)
    except OSError as exc:
        raise EngineError(f"cannot write {out}: {exc}") from None
    return result


def build_parser(prog: str = "python -m rankings.engine") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Compute a composite index.")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="indicator table (CSV)")
    parser.add_argument("--meta", required=True, help="COINr-style metadata (CSV)")
    parser.add_argument("--method", default=None, help="METHOD.json (optional)")
    parser.add_argument("--out", required=True, help="where to write the results (CSV)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        compute_index(data=args.data, meta=args.meta, method=args.method, out=args.out)
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
