"""Chapter 2's verdict: the solutions' own gradient_descent trained by the grader, over seeds.

Run by hand: python bench/bench_chapter2.py [--seeds 5]. Each run is the verdict as
`python -m grader --chapter 2` runs it (a worker, the disguise, 45,000 training digits, 5,000
dev), with training seed 0, 1, ...; prints each run's dev and test accuracy and seconds, then
the median seconds, the worst dev accuracy, and the wall time of the whole command against
grading chapter 1 (`python -m grader --submission solutions`) in the same run: the ratio.
Targets (issue 15): dev accuracy >= 0.90 on every seed, well within the 300 s budget.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader import data as data_module  # noqa: E402
from grader.catalog import BY_NUMBER  # noqa: E402
from grader.limits import Limits  # noqa: E402
from grader.training import Data, run_training  # noqa: E402
from grader.worker import Worker  # noqa: E402


def wall(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", *args], cwd=REPO, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, default=5)
    args = p.parse_args()
    chapter = BY_NUMBER[2]
    verdict = chapter.verdict
    started = time.perf_counter()
    data = Data.load(data_module.DATA_DIR / verdict.train_file,
                     data_module.DATA_DIR / verdict.test_file, verdict.dev_size)
    print(f"data loaded in {time.perf_counter() - started:.2f} s: "
          f"{data.X_train.shape[1]:,} train, {data.X_dev.shape[1]:,} dev, "
          f"{data.X_test.shape[1]:,} test")
    seconds, devs = [], []
    with Worker(REPO / "solutions", Limits(training=verdict.budget)) as worker:
        for seed in range(args.seeds):
            settings = dataclasses.replace(verdict.settings, seed=seed)
            result = run_training(worker, data, verdict, settings)
            seconds.append(result.seconds)
            devs.append(result.dev_accuracy)
            print(f"seed {seed}: {result.status}, dev {result.dev_accuracy:.4f}, test "
                  f"{result.test_accuracy:.4f}, {result.steps} steps, {result.seconds:.2f} s")
    print(f"median {statistics.median(seconds):.2f} s; worst dev accuracy {min(devs):.4f} "
          f"(target {verdict.target:.2f}); mean {statistics.mean(devs):.4f}")
    one = [wall(["--submission", "solutions"]) for _ in range(3)]
    two = [wall(["--chapter", "2", "--submission", "solutions"]) for _ in range(3)]
    print(f"whole command, median of 3: chapter 1 {statistics.median(one):.2f} s, chapter 2 "
          f"{statistics.median(two):.2f} s, ratio {statistics.median(two) / statistics.median(one):.2f}")


if __name__ == "__main__":
    main()
