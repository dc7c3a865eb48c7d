"""The cluster-mapping command line: output file, one-line errors and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clusters.cli import main
from clusters.management.commands.compute_clusters import Command

REPO = Path(__file__).resolve().parents[2]

GOOD_REGIONS = """region,sector,group,employment,establishments
01,x,g,30,3
01,y,g,70,7
02,x,g,10,1
02,y,g,90,9
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_good_file_is_mapped_to_the_documented_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    out = tmp_path / "out.csv"

    code, stdout, stderr = run_main(capsys, "--data", str(data), "--out", str(out))

    assert code == 0
    assert stderr == ""
    assert stdout == (f"wrote 4 rows to {out}: 2 strong, 2 strong10, 2 significant, 2 qualifying\n")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert (
        lines[0] == "region,sector,group,employment,lq,qualifying,significant,strong,strong10,stars"
    )
    # Region codes stay text: the leading zero survives.
    assert lines[1].startswith("01,x,g,30,1.4999999999999998,")
    written = pd.read_csv(out, dtype={"region": str})
    assert written["region"].tolist() == ["01", "01", "02", "02"]
    assert written["lq"].tolist() == pytest.approx([1.5, 0.875, 0.5, 1.125], rel=1e-12)


def test_the_national_file_is_used_when_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    nat = write(tmp_path, "national.csv", "sector,group,employment\nx,g,50\ny,g,150\nz,g,50\n")
    out = tmp_path / "out.csv"

    code, _, _ = run_main(capsys, "--data", str(data), "--national", str(nat), "--out", str(out))

    assert code == 0
    written = pd.read_csv(out, dtype={"region": str})
    # 0.3 / (50/250) = 1.5 and 0.7 / (150/250) = 7/6.
    assert written["lq"].tolist()[:2] == pytest.approx([1.5, 7 / 6], rel=1e-12)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("region,sector,group,employment", "establishments"),
        ("region,sector,employees,establishments", "group, employment"),
    ],
)
def test_missing_columns_are_named_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, missing: str
) -> None:
    data = write(tmp_path, "regions.csv", header + "\n")

    code, stdout, stderr = run_main(capsys, "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stdout == ""
    assert stderr == (
        f"error: {data}: missing column(s) {missing}; "
        "expected region, sector, group, employment, establishments\n"
    )
    assert not (tmp_path / "o").exists()


def test_a_national_file_without_its_columns_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    nat = write(tmp_path, "national.csv", "sector,employment\nx,50\n")

    code, _, stderr = run_main(
        capsys, "--data", str(data), "--national", str(nat), "--out", str(tmp_path / "o")
    )

    assert code == 1
    assert stderr == (
        f"error: {nat}: missing column(s) group; expected sector, group, employment\n"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("01,x,g,-4,3\n", "line 2: employment is negative: -4"),
        ("01,x,g,4,many\n", "line 2: establishments is not a number: 'many'"),
        ("01,x,g,1e999,3\n", "line 2: employment is not a number: '1e999'"),
        ("01,x,g,,3\n", "line 2: employment is empty"),
        ("01,x,g,4,3\n02,x,g,1.234,-1\n", "line 3: establishments is negative: -1"),
        ("01,x,g,4,3\n,x,g,4,3\n", "line 3: region is empty"),
    ],
)
def test_bad_counts_are_reported_with_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    data = write(tmp_path, "regions.csv", "region,sector,group,employment,establishments\n" + body)

    code, _, stderr = run_main(capsys, "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stderr == f"error: {data} {message}\n"


def test_the_first_bad_value_is_reported_with_a_count_of_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(
        tmp_path,
        "regions.csv",
        "region,sector,group,employment,establishments\n01,x,g,4,3\n01,y,g,x,-2\n02,x,g,-1,3\n",
    )

    code, _, stderr = run_main(capsys, "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stderr == (
        f"error: {data} line 3: employment is not a number: 'x' (2 more invalid values)\n"
    )


def test_persian_digits_in_counts_are_read_as_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(
        tmp_path,
        "regions.csv",
        "region,sector,group,employment,establishments\n01,x,g,۳۰,۳\n01,y,g,70,7\n",
    )
    out = tmp_path / "out.csv"

    code, _, _ = run_main(capsys, "--data", str(data), "--out", str(out))

    assert code == 0
    assert pd.read_csv(out)["employment"].tolist() == [30, 70]


def test_a_repeated_region_sector_pair_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS + "01,x,g,5,1\n")

    code, _, stderr = run_main(capsys, "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stderr == f"error: {data} line 6: duplicate region/sector 01/x (first on line 2)\n"


def test_a_sector_missing_from_the_national_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    nat = write(tmp_path, "national.csv", "sector,group,employment\nx,g,50\n")

    code, _, stderr = run_main(
        capsys, "--data", str(data), "--national", str(nat), "--out", str(tmp_path / "o")
    )

    assert code == 1
    assert stderr == f"error: {nat}: no national employment for sector y (used on {data} line 3)\n"


def test_a_national_group_that_disagrees_with_the_regions_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    nat = write(tmp_path, "national.csv", "sector,group,employment\nx,g,50\ny,h,150\n")

    code, _, stderr = run_main(
        capsys, "--data", str(data), "--national", str(nat), "--out", str(tmp_path / "o")
    )

    assert code == 1
    assert stderr == f"error: {nat} line 3: sector y is in group h but in group g in {data}\n"


def test_zero_national_employment_for_an_employing_sector_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    nat = write(tmp_path, "national.csv", "sector,group,employment\nx,g,0\ny,g,150\n")

    code, _, stderr = run_main(
        capsys, "--data", str(data), "--national", str(nat), "--out", str(tmp_path / "o")
    )

    assert code == 1
    assert stderr == (
        f"error: {nat} line 2: national employment of sector x is 0 but the regions report 40\n"
    )


def test_a_missing_input_file_is_one_line_and_exit_code_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"

    code, _, stderr = run_main(capsys, "--data", str(missing), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stderr == f"error: {missing}: no such file\n"


def test_an_empty_input_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path, "regions.csv", "")

    code, _, stderr = run_main(capsys, "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stderr == f"error: {data}: the file is empty (no header line)\n"


def test_an_unwritable_output_is_one_line_and_exit_code_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    out = tmp_path / "no-such-dir" / "out.csv"

    code, _, stderr = run_main(capsys, "--data", str(data), "--out", str(out))

    assert code == 1
    assert stderr == f"error: {out}: cannot write: directory {out.parent} does not exist\n"


def test_missing_required_options_are_a_usage_error_with_exit_code_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", str(tmp_path / "x.csv")])

    assert exit_info.value.code == 2
    assert "the following arguments are required: --out" in capsys.readouterr().err


def test_python_dash_m_clusters_runs_without_django_and_sets_the_exit_code(
    tmp_path: Path,
) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    bad = write(tmp_path, "bad.csv", "region,sector\n")
    out = tmp_path / "out.csv"
    # -X importtime is overkill; asserting Django is absent from sys.modules is enough.
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['clusters', '--data', sys.argv[1], '--out', sys.argv[2]]\n"
        "try:\n"
        "    runpy.run_module('clusters', run_name='__main__')\n"
        "finally:\n"
        "    print('django' in sys.modules, file=sys.stderr)\n"
    )

    good = subprocess.run(
        [sys.executable, "-c", probe, str(data), str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = subprocess.run(
        [sys.executable, "-m", "clusters", "--data", str(bad), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )

    assert good.returncode == 0
    assert good.stderr == "False\n"
    assert good.stdout.startswith(f"wrote 4 rows to {out}")
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr == (
        f"error: {bad}: missing column(s) group, employment, establishments; "
        "expected region, sector, group, employment, establishments\n"
    )


def test_the_management_command_writes_the_same_file(tmp_path: Path) -> None:
    data = write(tmp_path, "regions.csv", GOOD_REGIONS)
    by_command = tmp_path / "command.csv"
    by_cli = tmp_path / "cli.csv"
    stdout = __import__("io").StringIO()

    call_command(Command(), "--data", str(data), "--out", str(by_command), stdout=stdout)
    main(["--data", str(data), "--out", str(by_cli)])

    assert by_command.read_bytes() == by_cli.read_bytes()
    assert stdout.getvalue() == (
        f"wrote 4 rows to {by_command}: 2 strong, 2 strong10, 2 significant, 2 qualifying\n"
    )


def test_the_management_command_raises_command_error_with_the_one_line_message(
    tmp_path: Path,
) -> None:
    data = write(
        tmp_path, "regions.csv", "region,sector,group,employment,establishments\n1,x,g,-1,1\n"
    )

    with pytest.raises(CommandError) as error:
        call_command(Command(), "--data", str(data), "--out", str(tmp_path / "o"))

    assert str(error.value) == f"{data} line 2: employment is negative: -1"
    assert error.value.returncode == 1


def test_codes_and_counts_are_stripped_of_surrounding_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(
        tmp_path,
        "regions.csv",
        "region,sector,group,employment,establishments\n01 , x,g ,30 ,3\n01,y,g,70,7\n",
    )
    out = tmp_path / "out.csv"

    code, _, _ = run_main(capsys, "--data", str(data), "--out", str(out))

    assert code == 0
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("01,x,g,30,")


def test_a_single_other_problem_is_counted_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(
        tmp_path,
        "regions.csv",
        "region,sector,group,employment,establishments\n01,x,g,-1,3\n01,y,g,2,-3\n",
    )

    code, _, stderr = run_main(capsys, "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stderr == f"error: {data} line 2: employment is negative: -1 (1 more invalid value)\n"


def test_a_repeated_pair_is_reported_against_its_own_first_occurrence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write(
        tmp_path,
        "regions.csv",
        "region,sector,group,employment,establishments\n"
        "A,x,g,1,1\nB,y,g,1,1\nB,y,g,2,1\nA,x,g,2,1\n",
    )

    code, _, stderr = run_main(capsys, "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 1
    assert stderr == f"error: {data} line 4: duplicate region/sector B/y (first on line 3)\n"
