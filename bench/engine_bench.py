"""Benchmark of the index engine (and its uncertainty analysis) on synthetic data.

    .venv/bin/python bench/engine_bench.py            # all sizes, markdown table
    .venv/bin/python bench/engine_bench.py --units 100000 --json

Each size runs in a fresh process pinned to one core with one BLAS thread, so max RSS is
that run's own peak. Time is the best of 3 calls of `build_index` (data generation excluded).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000, 1_000_000)
N_INDICATORS = 20
N_PILLARS = 5
METHOD = {
    "impute": {"method": "median"},
    "treat": {"method": "winsorise_then_log", "winmax": 5},
    "normalise": {"method": "minmax", "range": [0, 100]},
    "aggregate": {"method": "arithmetic"},
}


def synthetic(units: int, seed: int = 20240601):
    """Skewed firm-like indicators (lognormal, some heavy-tailed), 3% missing, 31 provinces."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cols = {"uCode": np.char.add("F", np.arange(units).astype(str)).astype(object)}
    cols["province"] = rng.integers(0, 31, units).astype(str).astype(object)
    for j in range(N_INDICATORS):
        sigma = 0.4 + 0.1 * (j % 10)  # from nearly symmetric to very skewed
        x = rng.lognormal(mean=3.0, sigma=sigma, size=units)
        x[rng.random(units) < 0.03] = np.nan
        cols[f"i{j:02d}"] = x
    data = pd.DataFrame(cols)
    rows = []
    for j in range(N_INDICATORS):
        direction = -1 if j % 7 == 3 else 1
        rows.append([f"i{j:02d}", 1, f"P{j % N_PILLARS}", direction, 1.0, "Indicator"])
    for p in range(N_PILLARS):
        rows.append([f"P{p}", 2, "Index", 1, 1.0, "Aggregate"])
    rows.append(["Index", 3, None, 1, 1.0, "Aggregate"])
    rows.append(["province", None, None, None, None, "Group"])
    meta = pd.DataFrame(rows, columns=["iCode", "Level", "Parent", "Direction", "Weight", "Type"])
    return data, meta


def run_one(units: int, replications: int) -> dict:
    """Time build_index (and optionally the uncertainty analysis) in this process."""
    sys.path.insert(0, str(ROOT))
    from rankings.engine import Method, build_index

    data, meta = synthetic(units)
    method = Method.from_dict(METHOD)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = build_index(data=data, meta=meta, method=method)
        times.append(time.perf_counter() - t0)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    build_index(data=data, meta=meta, method=method)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out = {
        "units": units,
        "best_s": min(times),
        "times_s": times,
        "maxrss_mb": rss_after / 1024,
        "maxrss_before_mb": rss_before / 1024,
        "traced_peak_mb": traced_peak / 2**20,
        "actions": result.treatment["action"].value_counts().to_dict(),
    }
    if replications:
        from rankings.engine.uncertainty import UncertaintySpec, run_uncertainty

        spec = UncertaintySpec(replications=replications, seed=1)
        t0 = time.perf_counter()
        unc = run_uncertainty(data=data, meta=meta, method=method, spec=spec)
        out["uncertainty_s"] = time.perf_counter() - t0
        out["uncertainty_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["uncertainty_units"] = len(unc.summary)
    return out


def child(units: int, replications: int) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--units", str(units), "--json"]
    cmd += ["--replications", str(replications)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    return f"nproc {os.cpu_count()}, CPU {cpu}, RAM {mem_kb / 2**20:.1f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int)
    parser.add_argument("--replications", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.units:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
        print(json.dumps(run_one(args.units, args.replications)))
        return
    print(f"Machine: {machine()}\n")
    print(
        "| units | indicators | best of 3 (s) | all 3 runs (s) | max RSS (MB) "
        "| RSS before build (MB) | traced peak of one build (MB) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for units in SIZES:
        r = child(units, 0)
        runs = ", ".join(f"{t:.3f}" for t in r["times_s"])
        print(
            f"| {units:,} | {N_INDICATORS} | {r['best_s']:.3f} | {runs} | {r['maxrss_mb']:.0f} "
            f"| {r['maxrss_before_mb']:.0f} | {r['traced_peak_mb']:.0f} |"
        )
    r = child(100_000, 200)
    print(
        f"\nUncertainty, 100,000 units x 200 replications: {r['uncertainty_s']:.1f} s, "
        f"max RSS {r['uncertainty_maxrss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
