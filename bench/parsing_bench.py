"""Time `parse_file` on a 100,000-row CSV and a 10,000-row XLSX of realistic Persian rows.

    .venv/bin/python bench/parsing_bench.py [--rows 100000] [--xlsx-rows 10000] [--repeat 3]

Reports, per file, the best wall and CPU time of `--repeat` runs of `parse_file` and the peak
RSS of the process doing it; see bench/parsing.md for recorded figures. Pure parsing: no
database (the whole upload path incl. PostgreSQL is measured by the service's own bench).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from firms.national_id import legal_id_generate  # noqa: E402
from firms.parsing import COLUMNS  # noqa: E402
from firms.parsing.__main__ import DEFAULT_ISIC, load_isic  # noqa: E402

WORDS = ("صنایع", "فولاد", "پارس", "کیمیا", "نوین", "البرز", "سپاهان", "تولیدی", "گستر",
         "فرآورده", "غذایی", "کاشی", "شیمی", "پلاستیک", "ماشین‌سازی", "نساجی")  # fmt: skip
CERTS = ("ISO9001", "ISO14001", "HACCP", "CE", "INSO", "GMP")


def make_rows(count: int, seed: int = 7) -> list[list[str]]:
    """`count` valid rows: firms repeated over up to 5 years, Persian names, mixed digits."""
    rng = random.Random(seed)
    isic = sorted(load_isic(DEFAULT_ISIC))
    rows: list[list[str]] = []
    years = list(range(1398, 1403))
    while len(rows) < count:
        national_id = legal_id_generate(rng)
        name = "شرکت " + " ".join(rng.sample(WORDS, 2))
        code = rng.choice(isic)
        founded = str(rng.randrange(1350, 1398))
        for year in years[: rng.randrange(1, 6)]:
            sales = rng.randrange(1_000, 5_000_000)
            exports = rng.randrange(0, sales // 2)
            row = [
                national_id, name, "", code, str(year), str(rng.randrange(5, 400)),
                f"{sales:,}" if rng.random() < 0.3 else str(sales), str(exports),
                str(rng.randrange(0, 12)), str(rng.randrange(0, sales // 20 + 1)),
                str(rng.randrange(-sales // 10, sales // 5)), str(rng.randrange(sales, sales * 3)),
                str(rng.randrange(0, sales)), ";".join(rng.sample(CERTS, rng.randrange(0, 3))),
                str(rng.randrange(0, 6)), str(rng.randrange(0, 6)), rng.choice(("بله", "خیر")),
                founded,
            ]  # fmt: skip
            if rng.random() < 0.2:  # some managers type Persian digits
                row[5] = row[5].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
            rows.append(row)
    return rows[:count]


def render_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header_fa for c in COLUMNS])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(rows: list[list[str]]) -> bytes:
    # A normal (not write-only) workbook writes <dimension> like Excel does; without it
    # openpyxl scans every sheet once more while opening the file.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "داده‌ها"
    sheet.append([c.header_fa for c in COLUMNS])
    numeric = {i for i, c in enumerate(COLUMNS) if c.kind == "integer"}
    for row in rows:  # numbers as numbers, like a sheet typed in Excel
        sheet.append([int(v.replace(",", "")) if i in numeric and v.isascii() and v else v
                      for i, v in enumerate(row)])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(path: Path, repeat: int) -> dict[str, float]:
    """Parse `path` `repeat` times in a fresh interpreter; best wall/CPU time and peak RSS.

    A child process per file isolates the peak RSS from generating the files and from the
    other file's run; the RSS after imports is reported so the parse's own share is visible.
    """
    code = f"""
import json, re, sys, time
sys.path.insert(0, {str(ROOT)!r})
from firms.parsing import parse_file
from firms.parsing.__main__ import DEFAULT_ISIC, load_isic
isic = load_isic(DEFAULT_ISIC)
data = open({str(path)!r}, "rb").read()
def peak_mb():  # VmHWM is per address space (ru_maxrss would include the parent's, pre-exec)
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024
base = peak_mb()
wall, cpu, peak = [], [], 0.0
for _ in range({repeat}):
    w, c = time.perf_counter(), time.process_time()
    result = parse_file(data=data, valid_isic=isic)
    wall.append(time.perf_counter() - w)
    cpu.append(time.process_time() - c)
    assert result.ok, result.error_lines()[:3]
    peak = peak or peak_mb()  # after the first parse: one result alive, as in the service
    rows = result.accepted_rows
    del result
print(json.dumps(dict(rows=rows, wall=min(wall), cpu=min(cpu), base_mb=base, peak_mb=peak)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                if line.startswith("model name")), platform.processor())  # fmt: skip
    print(f"python {platform.python_version()}, {platform.machine()}, {cpu},"
          f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "CSV ": (Path(folder) / "firms.csv", render_csv(make_rows(args.rows))),
            "XLSX": (Path(folder) / "firms.xlsx", render_xlsx(make_rows(args.xlsx_rows, seed=8))),
        }
        for label, (path, data) in files.items():
            path.write_bytes(data)
            m = measure(path, args.repeat)
            print(
                f"{label} {m['rows']:>7} rows, {len(data) / 2**20:5.1f} MB: wall {m['wall']:6.2f} s,"
                f" CPU {m['cpu']:6.2f} s, RSS {m['base_mb']:.0f} -> {m['peak_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
