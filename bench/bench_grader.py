"""How long `python -m grader --submission solutions --no-train` takes, and where the time goes.

Run by hand: python bench/bench_grader.py [--runs 5]. Prints medians; the baselines (a bare
interpreter, an interpreter importing NumPy) are measured in the same run for ratios.
Target (issue 3): end to end <= 0.7 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def median_of(runs: int, fn) -> float:
    return statistics.median(fn() for _ in range(runs))


def in_process(runs: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from grader.catalog import CHAPTERS
    from grader.engine import run_checks
    from grader.worker import Worker

    def start() -> float:
        with Worker(REPO / "solutions") as worker:
            t = time.perf_counter()
            worker.loaded()
            return time.perf_counter() - t

    def checks() -> float:
        with Worker(REPO / "solutions") as worker:
            worker.loaded()
            t = time.perf_counter()
            run_checks(worker, list(CHAPTERS[0].exercises), seed=0)
            return time.perf_counter() - t

    return {"worker start (spawn + NumPy + load)": median_of(runs, start),
            "checks (chapter 1, worker warm)": median_of(runs, checks)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    runs = p.parse_args().runs
    py = sys.executable
    rows = {
        "python -c pass (baseline)": median_of(runs, lambda: wall([py, "-c", "pass"])),
        "python -c 'import numpy' (baseline)": median_of(runs, lambda: wall([py, "-c", "import numpy"])),
        "imports: grader.cli + engine + report": median_of(runs, lambda: wall(
            [py, "-c", "import grader.cli, grader.engine, grader.report"])),
    }
    rows.update(in_process(runs))
    e2e = median_of(runs, lambda: wall([py, "-m", "grader", "--submission", "solutions",
                                        "--no-train", "--json"]))
    rows["end to end: --submission solutions --no-train"] = e2e
    base = rows["python -c pass (baseline)"]
    print(f"medians of {runs} runs")
    for name, seconds in rows.items():
        print(f"  {name:<48} {seconds:7.3f} s  {seconds / base:6.1f} x bare python")
    print(f"target: end to end <= 0.700 s -> {'met' if e2e <= 0.7 else 'MISSED'}")


if __name__ == "__main__":
    main()
