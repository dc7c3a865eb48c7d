"""Benchmark: cluster map and membership for 100,000 firms, 31 provinces x 88 divisions.

Times ``region_sector_stats`` (aggregation + LQ/flags/stars) + ``discover_clusters`` +
``cluster_members`` on a seeded synthetic register, best of 5 with ``perf_counter``, and
reports the peak RSS of the process. The budget (issue #5) is 1 s for the whole.

    .venv/bin/python bench/clusters_bench.py [--firms 100000] [--repeat 5] [--check]

``--check`` exits 1 when the best total exceeds the budget. Figures: bench/clusters.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clusters.membership import (
    cluster_members,
    discover_clusters,
    region_sector_stats,
)

BUDGET_SECONDS = 1.0
PROVINCES = 31
SEED = 20_240_601

# ISIC Rev.4 sections and their divisions: 21 sections, 88 divisions.
SECTION_DIVISIONS: dict[str, tuple[int, ...]] = {
    "A": (1, 2, 3),
    "B": (5, 6, 7, 8, 9),
    "C": tuple(range(10, 34)),
    "D": (35,),
    "E": (36, 37, 38, 39),
    "F": (41, 42, 43),
    "G": (45, 46, 47),
    "H": (49, 50, 51, 52, 53),
    "I": (55, 56),
    "J": (58, 59, 60, 61, 62, 63),
    "K": (64, 65, 66),
    "L": (68,),
    "M": (69, 70, 71, 72, 73, 74, 75),
    "N": (77, 78, 79, 80, 81, 82),
    "O": (84,),
    "P": (85,),
    "Q": (86, 87, 88),
    "R": (90, 91, 92, 93),
    "S": (94, 95, 96),
    "T": (97, 98),
    "U": (99,),
}
DIVISION_SECTION: dict[str, str] = {
    f"{division:02d}": section
    for section, divisions in SECTION_DIVISIONS.items()
    for division in divisions
}
DIVISIONS: list[str] = sorted(DIVISION_SECTION)


def synthetic_firms(*, n_firms: int, seed: int = SEED) -> pd.DataFrame:
    """A register where each division concentrates in a few provinces, as real ones do."""
    rng = np.random.default_rng(seed)
    provinces = np.array([f"{p:02d}" for p in range(1, PROVINCES + 1)])
    divisions = np.array(DIVISIONS)
    # Manufacturing (10-33) dominates an SME register of the Ministry of Industry.
    weight = np.where([DIVISION_SECTION[d] == "C" for d in divisions], 8.0, 1.0)
    division_idx = rng.choice(len(divisions), size=n_firms, p=weight / weight.sum())
    # Per division, a Dirichlet with small alpha puts most firms in a handful of provinces;
    # province size (Tehran large, Ilam small) multiplies it.
    size = rng.pareto(1.2, PROVINCES) + 1.0
    shares = rng.dirichlet(np.full(PROVINCES, 0.3), size=len(divisions)) + 0.002
    shares *= size
    shares /= shares.sum(axis=1, keepdims=True)
    cumulative = shares.cumsum(axis=1)
    draw = rng.random(n_firms)
    province_idx = (draw[:, None] > cumulative[division_idx]).sum(axis=1)
    province_idx = np.minimum(province_idx, PROVINCES - 1)
    isic_class = np.char.add(
        divisions[division_idx], np.char.zfill(rng.integers(1, 100, n_firms).astype(str), 2)
    )
    employees = np.minimum(np.round(rng.lognormal(2.0, 1.1, n_firms)), 250).astype(np.int64)
    # About a third of firms sit in one of ~4 industrial parks of their province.
    in_park = rng.random(n_firms) < 0.35
    park_number = rng.integers(1, 5, n_firms)
    park = np.where(
        in_park, np.char.add(np.char.add("K", provinces[province_idx]), park_number.astype(str)), ""
    )
    return pd.DataFrame(
        {
            "firm_id": np.arange(1, n_firms + 1),
            "province": pd.array(provinces[province_idx], dtype="str"),
            "park": pd.Series(park).replace("", None),
            "isic_class": pd.array(isic_class, dtype="str"),
            "employees": employees,
        }
    )


def declared_clusters(*, seed: int = SEED) -> pd.DataFrame:
    """200 hand-declared clusters: prefixes of every length, provinces and parks mixed."""
    rng = np.random.default_rng(seed + 1)
    rows: list[tuple[str, str | None, str | None, str | None]] = []
    for number in range(200):
        cluster_id = f"D{number:03d}"
        division = DIVISIONS[rng.integers(len(DIVISIONS))]
        for _ in range(rng.integers(1, 4)):
            length = int(rng.integers(2, 5))
            prefix = division + "".join(str(d) for d in rng.integers(0, 10, length - 2))
            rows.append((cluster_id, prefix, None, None))
        province = f"{rng.integers(1, PROVINCES + 1):02d}"
        kind = number % 4
        if kind in (1, 3):
            rows.append((cluster_id, None, province, None))
        if kind in (2, 3):
            rows.append((cluster_id, None, None, f"K{province}{rng.integers(1, 5)}"))
    return pd.DataFrame(rows, columns=["cluster_id", "isic_prefix", "province", "park"])


def pipeline(firms: pd.DataFrame, declared: pd.DataFrame) -> dict[str, Any]:
    timings: dict[str, Any] = {}
    cpu_start = time.process_time()
    start = time.perf_counter()
    stats = region_sector_stats(firms=firms)
    timings["stats_and_mapping"] = time.perf_counter() - start
    mark = time.perf_counter()
    proposed = discover_clusters(stats=stats)
    timings["discover"] = time.perf_counter() - mark
    mark = time.perf_counter()
    clusters = pd.concat(
        [proposed[["cluster_id", "isic_prefix", "province", "park"]], declared],
        ignore_index=True,
    )
    members = cluster_members(firms=firms, clusters=clusters)
    timings["membership"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    # CPU seconds of this process: a steadier figure when other jobs share the CPUs.
    timings["cpu"] = time.process_time() - cpu_start
    timings["cells"] = len(stats)
    timings["strong"] = int(stats["strong"].sum())
    timings["clusters"] = clusters["cluster_id"].nunique()
    timings["members"] = len(members)
    return timings


def best_of(repeat: int, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    runs = [run() for _ in range(repeat)]
    return min(runs, key=lambda timing: timing["total"])


def machine() -> str:
    model = "unknown"
    memory_gib = float("nan")
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = int(line.split()[1]) / 1024**2
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpus} CPUs ({model}), {memory_gib:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 if over the budget")
    args = parser.parse_args(argv)

    firms = synthetic_firms(n_firms=args.firms)
    declared = declared_clusters()
    provinces = firms["province"].nunique()
    divisions = firms["isic_class"].str.slice(0, 2).nunique()
    best = best_of(args.repeat, lambda: pipeline(firms, declared))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"machine: {machine()}")
    print(
        f"input: {len(firms):,} firms, {provinces} provinces x {divisions} divisions, "
        f"{declared['cluster_id'].nunique()} declared clusters"
    )
    print(
        f"result: {best['cells']} cells, {best['strong']} strong, "
        f"{best['clusters']} clusters, {best['members']:,} memberships"
    )
    print(
        f"best of {args.repeat}: total {best['total'] * 1000:.1f} ms "
        f"(stats+mapping {best['stats_and_mapping'] * 1000:.1f} ms, "
        f"discover {best['discover'] * 1000:.1f} ms, "
        f"membership {best['membership'] * 1000:.1f} ms); budget {BUDGET_SECONDS:.1f} s"
    )
    print(
        f"CPU time of that run: {best['cpu'] * 1000:.1f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"peak RSS: {peak_mib:.0f} MiB")
    if args.check and best["total"] > BUDGET_SECONDS:
        print("over budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
