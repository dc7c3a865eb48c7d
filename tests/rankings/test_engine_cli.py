"""`python -m rankings.engine` and `manage.py compute_index`: outputs and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from rankings.engine.cli import main

from .engine_helpers import tiny_data, tiny_meta

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, data=None, meta=None, method=None):
    paths = {"data": tmp_path / "data.csv", "meta": tmp_path / "meta.csv"}
    (tiny_data() if data is None else data).to_csv(paths["data"], index=False)
    (tiny_meta() if meta is None else meta).to_csv(paths["meta"], index=False)
    args = ["--data", str(paths["data"]), "--meta", str(paths["meta"])]
    if method is not None:
        (tmp_path / "method.json").write_text(json.dumps(method))
        args += ["--method", str(tmp_path / "method.json")]
    return [*args, "--out", str(tmp_path / "out.csv")]


def fails_with(capsys, args) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err.rstrip("\n")


def test_the_cli_writes_ucode_every_aggregate_and_rank_at_full_precision(tmp_path):
    assert main(write(tmp_path)) == 0
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["uCode", "P1", "P2", "Idx", "Rank"]
    assert out["Idx"].tolist() == [25.0, 1075 / 18, 325 / 6, 75.0]
    assert out["Rank"].tolist() == [4, 2, 3, 1]


def test_the_module_runs_as_a_program_and_exits_2_with_one_error_line(tmp_path):
    args = write(tmp_path, method={"aggregate": {"method": "mode"}})
    proc = subprocess.run(
        [sys.executable, "-m", "rankings.engine", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: unknown aggregate method 'mode'; expected one of arithmetic, geometric, harmonic\n"
    )


def test_a_parent_that_is_not_an_icode_exits_2(tmp_path, capsys):
    meta = tiny_meta({("c", "Parent"): "P9"})
    assert fails_with(capsys, write(tmp_path, meta=meta)) == (
        "error: Parent 'P9' of 'c' is not an iCode"
    )


def test_a_cycle_exits_2(tmp_path, capsys):
    meta = tiny_meta({("P1", "Parent"): "P2", ("P2", "Parent"): "P1"})
    assert fails_with(capsys, write(tmp_path, meta=meta)) == (
        "error: cycle in Parent links: P1 -> P2 -> P1"
    )


def test_an_indicator_with_no_data_column_exits_2(tmp_path, capsys):
    data = tiny_data().drop(columns=["c"])
    assert fails_with(capsys, write(tmp_path, data=data)) == (
        "error: indicator 'c' has no data column"
    )


def test_non_numeric_data_exits_2(tmp_path, capsys):
    data = tiny_data().astype({"a": object})
    data.loc[1, "a"] = "abc"
    assert fails_with(capsys, write(tmp_path, data=data)) == (
        "error: column 'a' has a non-numeric value 'abc' (uCode 'U2')"
    )


def test_blank_and_na_cells_are_missing_not_errors(tmp_path):
    data = tiny_data().astype({"a": object})
    data.loc[1, "a"] = "NA"
    assert main(write(tmp_path, data=data)) == 0
    assert pd.read_csv(tmp_path / "out.csv")["P1"][1] == 800 / 9  # only b is left in P1


def test_a_missing_group_column_exits_2(tmp_path, capsys):
    data = tiny_data().drop(columns=["region"])
    assert fails_with(capsys, write(tmp_path, data=data)) == (
        "error: group column 'region' is missing from the data"
    )


def test_an_imputation_group_that_is_not_in_the_data_exits_2(tmp_path, capsys):
    method = {"impute": {"method": "group_mean", "group": "sector"}}
    assert fails_with(capsys, write(tmp_path, method=method)) == (
        "error: group column 'sector' is missing from the data"
    )


def test_a_missing_denominator_column_exits_2(tmp_path, capsys):
    data = tiny_data().drop(columns=["pop"])
    assert fails_with(capsys, write(tmp_path, data=data, method={"denominate": True})) == (
        "error: denominator column 'pop' is missing from the data"
    )


def test_a_geometric_mean_over_non_positive_values_exits_2(tmp_path, capsys):
    method = {"aggregate": {"method": "geometric"}}
    assert fails_with(capsys, write(tmp_path, method=method)) == (
        "error: geometric mean needs values > 0, but 'a' (in 'P1') is 0 for unit 'U1'; "
        "use a normalisation with a positive range, e.g. minmax 1-100"
    )


def test_geometric_mean_with_a_positive_range_succeeds(tmp_path):
    method = {"normalise": {"method": "minmax", "range": [1, 100]}, "aggregate": "geometric"}
    assert main(write(tmp_path, method=method)) == 0
    p2 = pd.read_csv(tmp_path / "out.csv")["P2"].tolist()
    assert p2 == pytest.approx([1.0, 50.5, 25.75, 100.0], rel=1e-14)  # exp(log x) = x


def test_an_unknown_method_name_exits_2(tmp_path, capsys):
    method = {"normalise": {"method": "minmaxx"}}
    assert fails_with(capsys, write(tmp_path, method=method)) == (
        "error: unknown normalise method 'minmaxx'; expected one of minmax, zscore, prank, "
        "rank, dist2max, goalposts, none"
    )


def test_invalid_json_exits_2(tmp_path, capsys):
    args = write(tmp_path, method={})
    (tmp_path / "method.json").write_text("{not json")
    assert fails_with(capsys, args).startswith("error: cannot read method file ")


def test_a_missing_data_file_exits_2(tmp_path, capsys):
    args = write(tmp_path)
    (tmp_path / "data.csv").unlink()
    assert fails_with(capsys, args) == f"error: data file not found: {tmp_path / 'data.csv'}"


def test_the_management_command_writes_the_same_output(tmp_path):
    args = write(tmp_path)
    call_command("compute_index", *args)
    assert pd.read_csv(tmp_path / "out.csv")["Rank"].tolist() == [4, 2, 3, 1]


def test_the_management_command_raises_command_error_with_the_same_line(tmp_path):
    meta = tiny_meta({("c", "Parent"): "P9"})
    with pytest.raises(CommandError) as err:
        call_command("compute_index", *write(tmp_path, meta=meta))
    assert str(err.value) == "Parent 'P9' of 'c' is not an iCode"
    assert err.value.returncode == 2


def test_the_engine_imports_no_django():
    code = (
        "import sys, rankings.engine, rankings.engine.cli, rankings.engine.sensitivity; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert proc.stdout == "[]\n"
