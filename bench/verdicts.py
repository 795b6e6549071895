"""What two benches share: a chapter's verdict trained with the solutions through a worker, as
`python -m grader --chapter N` runs it, once per seed."""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

from grader.catalog import Verdict
from grader.limits import Limits
from grader.training import Data, run_training
from grader.worker import Worker

REPO = Path(__file__).resolve().parent.parent


def verdict_runs(data: Data, seeds: int, verdict: Verdict) -> None:
    """Train the verdict with seeds 0 .. seeds - 1; print each run and the worst dev accuracy."""
    devs, seconds = [], []
    with Worker(REPO / "solutions", Limits(training=verdict.budget)) as worker:
        for seed in range(seeds):
            result = run_training(worker, data, verdict,
                                  dataclasses.replace(verdict.settings, seed=seed))
            devs.append(result.dev_accuracy)
            seconds.append(result.seconds)
            print(f"verdict seed {seed}: {result.status}, dev {result.dev_accuracy:.4f}, test "
                  f"{result.test_accuracy:.4f}, {result.steps} steps, {result.seconds:.1f} s")
    stop = f"training stops at {verdict.settings.seconds:g} s" if verdict.settings.seconds \
        else f"budget {verdict.budget:g} s"
    print(f"verdict: worst dev {min(devs):.4f} (target {verdict.target:g}), mean "
          f"{statistics.mean(devs):.4f}, median {statistics.median(seconds):.1f} s ({stop})")
