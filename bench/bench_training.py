"""The grader's training verdict against the original notebook's method, in one process run.

Run by hand: python bench/bench_training.py [--runs 5]. Both use the solutions' functions and
one BLAS thread (as the worker does). Prints medians and ratios. Targets (issue 4):
verdict <= 0.05 x the notebook's time to 0.80 dev; `python -m grader --submission solutions`
end to end <= 0.25 x the notebook's 500 iterations and <= 1.0 s; dev accuracy >= 0.85 over 5 seeds.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy is imported, as in the worker

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import dataclasses  # noqa: E402

from grader import data as data_module, network  # noqa: E402
from grader.catalog import CHAPTERS  # noqa: E402
from grader.training import Data, run_training  # noqa: E402
from grader.worker import Worker  # noqa: E402
from solutions.backward_prop import backward_prop  # noqa: E402
from solutions.forward_prop import forward_prop  # noqa: E402
from solutions.update_params import update_params  # noqa: E402


def notebook(d: Data, iterations: int = 500, seed: int = 0) -> tuple[float | None, float, float]:
    """uniform(-0.5, 0.5) init, alpha 0.10, full batch. Returns (time to 0.80 dev, time of all
    iterations, final dev accuracy); dev evaluation is kept out of the timings."""
    rng = np.random.default_rng(seed)
    X, X_dev = d.X_train / 255.0, d.X_dev / 255.0
    params = [rng.random(s) - 0.5 for s in ((10, 784), (10, 1), (10, 10), (10, 1))]
    spent, to_target, acc = 0.0, None, 0.0
    for _ in range(iterations):
        t = time.perf_counter()
        Z1, A1, Z2, A2 = forward_prop(*params, X)
        grads = backward_prop(Z1, A1, Z2, A2, params[0], params[2], X, d.Y_train)
        params = list(update_params(*params, *grads, 0.10))
        spent += time.perf_counter() - t
        acc = float((network.predict(network.as_params(*params), X_dev) == d.Y_dev).mean())
        if to_target is None and acc >= 0.80:
            to_target = spent
    return to_target, spent, acc


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    runs = p.parse_args().runs
    d = Data.load(data_module.TRAIN_CSV, data_module.TEST_CSV)

    nb = [notebook(d) for _ in range(runs)]
    nb_target = statistics.median(r[0] for r in nb if r[0] is not None)
    nb_500 = statistics.median(r[1] for r in nb)

    rules = CHAPTERS[0].verdict
    verdicts, accuracies = [], []  # seconds and dev accuracy of chapter 1's verdict
    with Worker(REPO / "solutions") as worker:
        worker.loaded()
        for seed in range(runs):
            t = time.perf_counter()
            result = run_training(worker, d, rules, dataclasses.replace(rules.settings, seed=seed))
            verdicts.append(time.perf_counter() - t)
            accuracies.append(result.dev_accuracy)
    verdict = statistics.median(verdicts)
    e2e = statistics.median(wall([sys.executable, "-m", "grader", "--submission", "solutions",
                                  "--json"]) for _ in range(runs))

    print(f"medians of {runs} runs, one BLAS thread")
    print(f"  notebook method: time to 0.80 dev          {nb_target:7.3f} s")
    print(f"  notebook method: 500 iterations            {nb_500:7.3f} s  (final dev {nb[0][2]:.3f})")
    print(f"  grader training verdict (send, train, score) {verdict:5.3f} s  "
          f"= {verdict / nb_target:.3f} x notebook to 0.80 (target <= 0.05)")
    print(f"  python -m grader --submission solutions    {e2e:7.3f} s  "
          f"= {e2e / nb_500:.3f} x notebook 500 iterations (target <= 0.25, and <= 1.0 s)")
    print(f"  dev accuracy over seeds 0..{runs - 1}: min {min(accuracies):.3f}  "
          f"median {statistics.median(accuracies):.3f}  max {max(accuracies):.3f} (target >= 0.85)")


if __name__ == "__main__":
    main()
