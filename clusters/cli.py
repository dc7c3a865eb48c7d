"""Command line for the cluster mapping, shared by ``python -m clusters`` and
``manage.py compute_clusters`` (which only wraps :func:`run`). No Django here.

Exit codes of :func:`main`: 0 done, 1 invalid input or unreadable/unwritable file (one
line on stderr, starting ``error:``), 2 wrong usage (argparse).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from clusters.mapping import ClusterInputError, map_clusters

OUTPUT_COLUMNS: tuple[str, ...] = (
    "region",
    "sector",
    "group",
    "employment",
    "lq",
    "qualifying",
    "significant",
    "strong",
    "strong10",
    "stars",
)


def read_csv(*, path: Path) -> pd.DataFrame:
    """All cells as text, so codes keep leading zeros and bad counts can be reported."""
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
        )
    except FileNotFoundError:
        raise ClusterInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ClusterInputError(f"{path}: is a directory, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise ClusterInputError(f"{path}: the file is empty (no header line)") from None
    except UnicodeDecodeError:
        raise ClusterInputError(f"{path}: not UTF-8 text") from None
    except pd.errors.ParserError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "parse error"
        raise ClusterInputError(f"{path}: not a valid CSV file: {first_line}") from None
    except OSError as exc:
        raise ClusterInputError(f"{path}: cannot read: {exc.strerror}") from None
    frame.columns = [str(name).strip() for name in frame.columns]
    return frame


def run(*, data: Path, out: Path, national: Path | None = None) -> pd.DataFrame:
    """Map the clusters of ``data`` and write ``out``; returns the full result frame.

    Raises :class:`ClusterInputError` with a one-line message on any input problem.
    """
    if not out.parent.is_dir():
        # Checked first: no point mapping a large file that cannot be saved.
        raise ClusterInputError(f"{out}: cannot write: directory {out.parent} does not exist")
    regions = read_csv(path=data)
    national_frame = None if national is None else read_csv(path=national)
    result = map_clusters(
        regions=regions,
        national=national_frame,
        regions_source=str(data),
        national_source=str(national),
        csv_lines=True,
    )
    try:
        # repr-precision floats: the LQ is compared with published values downstream.
        result.loc[:, list(OUTPUT_COLUMNS)].to_csv(out, index=False, lineterminator="\n")
    except OSError as exc:
        raise ClusterInputError(f"{out}: cannot write: {exc.strerror or exc}") from None
    return result


def summary(*, result: pd.DataFrame, out: Path) -> str:
    """One line for the user after a successful run."""
    return (
        f"wrote {len(result)} rows to {out}: {int(result['strong'].sum())} strong, "
        f"{int(result['strong10'].sum())} strong10, "
        f"{int(result['significant'].sum())} significant, "
        f"{int(result['qualifying'].sum())} qualifying"
    )


def build_parser(*, prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Location quotients, strong-cluster flags and stars per region x sector.",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options, shared with the management command."""
    parser.add_argument(
        "--data",
        required=True,
        type=Path,
        metavar="REGIONS.csv",
        help="columns region,sector,group,employment,establishments",
    )
    parser.add_argument(
        "--national",
        type=Path,
        metavar="NATIONAL.csv",
        help="columns sector,group,employment (default: sum over the regions)",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="OUT.csv",
        help="written with columns " + ", ".join(OUTPUT_COLUMNS),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser(prog="python -m clusters").parse_args(argv)
    try:
        result = run(data=args.data, out=args.out, national=args.national)
    except ClusterInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summary(result=result, out=args.out))
    return 0
