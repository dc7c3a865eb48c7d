"""Benchmark of the uncertainty and sensitivity analysis of a run (`rankings.analysis`).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/smerank_bench_unc
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python manage.py seed_demo --firms 100000 --years 2 --no-recompute
    .venv/bin/python bench/uncertainty_bench.py            # prepare, then (a) and (b)
    .venv/bin/python bench/uncertainty_bench.py --only engine --json

(a) engine: the pure part in one process: the engine input rebuilt from the year's
    figures exactly as the run built it, then `analysis_compute` (Monte Carlo with the
    methodology's uncertainty settings, default 200 replications, then the sensitivity
    analysis). Figures are loaded before the clock starts.
(b) service: `run_analysis_compute(run_id=...)` end to end: claim, checks, load from the
    database, compute, the nominal-rank check, the bulk band UPDATE, the status write.

Each measurement runs in a fresh child process pinned to one core with one BLAS thread
(one worker), so "max RSS" is that measurement's own peak. Before (b) the run's analysis
row is deleted and its bands cleared, so every repetition does the full work.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 1403


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smerank.settings")
    import django

    django.setup()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """This process's CPU time (user + system): with one thread on one core it is the wall
    time the work would take on an idle machine, whatever the other jobs on the VM do."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    return os.getloadavg()[0]


def prepare(year: int) -> dict:
    """The year's current run, computed now if missing (without its analysis)."""
    _django()
    from unittest import mock

    from rankings.selectors import current_run
    from rankings.services import data_changed, ranking_recompute

    run = current_run(year=year)
    seconds = None
    if run is None:
        t = time.perf_counter()
        with (
            mock.patch("rankings.services._enqueue_followups"),
            mock.patch("rankings.services._recompute_send", create=True),
        ):
            data_changed(years=[year])
            run = ranking_recompute(year=year)
        seconds = time.perf_counter() - t
    return {
        "run": run.pk,
        "firms": run.firm_count,
        "eligible": run.eligible_count,
        "recompute_s": seconds,
    }


def child_engine(year: int, every_firm: bool = True) -> dict:
    """`every_firm`: widen the SME band to every firm, so all of them are ranked units
    (100,000 of 100,000 rather than the two thirds the default band keeps)."""
    _django()
    from rankings.analysis_compute import analysis_compute, analysis_input, analysis_settings
    from rankings.frames import figures_load, firms_load
    from rankings.selectors import current_run

    run = current_run(year=year)
    spec = run.methodology.spec
    if every_firm:
        spec = {**spec, "eligibility": {"employees_min": 0, "employees_max": None}}
    figures, firms = figures_load(year=year), firms_load()
    rss_before = _maxrss_mb()
    cpu, load = _cpu_s(), _load()
    t = time.perf_counter()
    engine_input = analysis_input(figures=figures, firms=firms, year=year, spec=spec)
    t_input = time.perf_counter() - t
    settings = analysis_settings(spec=spec)
    result = analysis_compute(engine_input=engine_input, settings=settings)
    total = time.perf_counter() - t
    return {
        "firms_ranked": len(engine_input.firm_ids),
        "replications": settings.uncertainty.replications,
        "sensitivity_samples": settings.samples,
        "sensitivity_runs": result.params["sensitivity_runs"],
        "input_s": t_input,
        "uncertainty_s": result.timings["uncertainty"],
        "sensitivity_s": result.timings["sensitivity"],
        "total_s": total,
        "cpu_s": _cpu_s() - cpu,
        "load_avg_1min": load,
        "rss_before_mb": rss_before,
        "max_rss_mb": _maxrss_mb(),
        "most_important": max(result.sensitivity, key=lambda c: result.sensitivity[c]["total"] or 0)
        if result.sensitivity
        else None,
    }


def child_service(year: int) -> dict:
    _django()
    from rankings.analysis import run_analysis_compute
    from rankings.models import FirmScore, RunAnalysis
    from rankings.selectors import current_run

    run = current_run(year=year)
    RunAnalysis.objects.filter(run=run).delete()
    FirmScore.objects.filter(run=run).update(
        rank_low=None, rank_high=None, rank_median=None, top_probability=None
    )
    rss_before = _maxrss_mb()
    cpu, load = _cpu_s(), _load()
    t = time.perf_counter()
    analysis = run_analysis_compute(run_id=run.pk)
    total = time.perf_counter() - t
    if analysis.status != RunAnalysis.Status.SUCCEEDED:
        raise SystemExit(f"analysis {analysis.status}: {analysis.failure_reason}")
    banded = FirmScore.objects.filter(run=run, rank_low__isnull=False).count()
    return {
        "firms": run.firm_count,
        "firms_ranked": run.eligible_count,
        "banded": banded,
        "total_s": total,
        "cpu_s": _cpu_s() - cpu,
        "load_avg_1min": load,
        "stages_s": analysis.timings,
        "rss_before_mb": rss_before,
        "max_rss_mb": _maxrss_mb(),
    }


def _spawn(kind: str, year: int) -> dict:
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    code = (
        "import os, json, sys; os.sched_setaffinity(0, {0}); "
        f"sys.path.insert(0, {str(ROOT / 'bench')!r}); import uncertainty_bench as b; "
        f"print(json.dumps(b.child_{kind}({year})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import numpy as np

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "database": os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--only", choices=["engine", "service"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict = {"machine": machine(), "prepare": prepare(args.year)}
    for kind in ("engine", "service"):
        if args.only in (None, kind):
            report[kind] = [_spawn(kind, args.year) for _ in range(args.repeat)]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"machine: {report['machine']}")
    print(f"run: {report['prepare']}")
    for row in report.get("engine", []):
        print(
            f"(a) engine: {row['firms_ranked']:,} ranked firms x {row['replications']} "
            f"replications: uncertainty {row['uncertainty_s']:.1f} s, sensitivity "
            f"({row['sensitivity_runs']} runs) {row['sensitivity_s']:.1f} s, total "
            f"{row['total_s']:.1f} s (CPU {row['cpu_s']:.1f} s, load {row['load_avg_1min']:.1f}), "
            f"max RSS {row['max_rss_mb']:.0f} MB"
        )
    for row in report.get("service", []):
        stages = ", ".join(f"{k} {v:.1f}" for k, v in row["stages_s"].items())
        print(
            f"(b) service: {row['firms']:,} firms ({row['banded']:,} banded): "
            f"{row['total_s']:.1f} s [{stages}] (CPU of this process {row['cpu_s']:.1f} s, "
            f"load {row['load_avg_1min']:.1f}), max RSS {row['max_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
