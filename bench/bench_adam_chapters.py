"""The verdict of chapter 3 or 4 (Adam, batches of 128), and one epoch of its training in NumPy
against PyTorch on the CPU.

Run by hand: python bench/bench_adam_chapters.py [--chapter 3|4] [--seeds 5] [--runs 3].
PyTorch is a bench-only
extra (`pip install torch==2.13.0`), never a dependency of the package; without it that column
is left out. One thread everywhere (the worker runs NumPy with OPENBLAS_NUM_THREADS=1).

1. The verdict as `python -m grader --chapter N` runs it (the solutions through a worker,
   disguised digits), with training seed 0, 1, ...: dev and test accuracy and seconds.
2. One epoch of the chapter's network (784-128-10, or 784-128-64-10 with forward_deep and
   backward_deep), Adam, batches of 128, on the 45,000 training digits, from the same
   first parameters and in the same batches: the grader's harness with the solutions
   (grader.trainer, in this process, as the worker runs it), the solutions' functions in a
   bare loop on float64 and on float32 arrays, and PyTorch in float32. Medians of --runs; the ratio of each to PyTorch; and where the NumPy
   time goes (gathering the batch, forward, backward, Adam).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy is imported, as in the worker

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader import data as data_module, network, trainer  # noqa: E402
from grader.catalog import BY_NUMBER  # noqa: E402
from grader.training import Data, first_params  # noqa: E402
from verdicts import verdict_runs  # noqa: E402
from solutions.adam_step import adam_step  # noqa: E402
from solutions.backward_deep import backward_deep  # noqa: E402
from solutions.backward_prop import backward_prop  # noqa: E402
from solutions.forward_deep import forward_deep  # noqa: E402
from solutions.forward_prop import forward_prop  # noqa: E402

SOLUTIONS = {"forward_prop": forward_prop, "backward_prop": backward_prop,
             "forward_deep": forward_deep, "backward_deep": backward_deep,
             "adam_step": adam_step}
VERDICT = BY_NUMBER[3].verdict  # or chapter 4's: set by main
ONE_EPOCH = VERDICT.settings


def passes(params: dict, xb: np.ndarray, yb: np.ndarray) -> dict:
    """The gradients of one batch with the solutions' passes of the chapter."""
    if VERDICT.settings.passes == "deep":
        _, caches = forward_deep(params, xb)
        return backward_deep(params, caches, yb)
    Z1, A1, Z2, A2 = forward_prop(params["W1"], params["b1"], params["W2"], params["b2"], xb)
    return dict(zip(("W1", "b1", "W2", "b2"), backward_prop(
        Z1, A1, Z2, A2, params["W1"], params["W2"], xb, yb)))


def harness(data: Data) -> float:
    """The grader's loop with the solutions' functions, as the worker runs it."""
    started = time.perf_counter()
    trainer.train(SOLUTIONS, X=data.X_train, Y=data.Y_train, X_dev=data.X_dev[:, :10],
                  Y_dev=data.Y_dev[:10], params=first_params(VERDICT, ONE_EPOCH),
                  settings=dataclasses.asdict(ONE_EPOCH))
    return time.perf_counter() - started


def numpy_epoch(data: Data, dtype: type, phases: dict[str, float] | None = None) -> float:
    """The solutions' functions on arrays of `dtype`, timed by phase into `phases`."""
    X = np.asfortranarray(data.X_train / 255.0, dtype=dtype)  # as grader.trainer has it
    params = {k: p.astype(dtype) for k, p in
              network.as_params(*first_params(VERDICT, ONE_EPOCH)).items()}
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    clock = phases if phases is not None else {}
    started = time.perf_counter()
    for t, (_, columns) in enumerate(trainer.batches(X.shape[1], ONE_EPOCH), 1):
        t0 = time.perf_counter()
        xb, yb = X[:, columns], data.Y_train[columns]
        t1 = time.perf_counter()
        grads = passes(params, xb, yb)
        t2 = time.perf_counter()
        params, m, v = adam_step(params, grads, m, v, t, ONE_EPOCH.alpha)
        t3 = time.perf_counter()
        for name, seconds in zip(("batch", "forward and backward", "adam"),
                                 (t1 - t0, t2 - t1, t3 - t2)):
            clock[name] = clock.get(name, 0.0) + seconds
    return time.perf_counter() - started


def torch_epoch(data: Data) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    X = torch.from_numpy((data.X_train / 255.0).astype(np.float32).T.copy())  # (m, 784)
    Y = torch.from_numpy(data.Y_train.astype(np.int64))
    first = network.as_params(*first_params(VERDICT, ONE_EPOCH))
    linear = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(VERDICT.layers,
                                                                   VERDICT.layers[1:])]
    model = torch.nn.Sequential(*[layer for pair in zip(linear, [torch.nn.ReLU()] * len(linear))
                                  for layer in pair][:-1])
    with torch.no_grad():
        for k, layer in enumerate(linear, 1):
            layer.weight.copy_(torch.from_numpy(first[f"W{k}"].astype(np.float32)))
            layer.bias.copy_(torch.from_numpy(first[f"b{k}"].ravel().astype(np.float32)))
    optimiser = torch.optim.Adam(model.parameters(), lr=ONE_EPOCH.alpha)
    loss_fn = torch.nn.CrossEntropyLoss()
    orders = [torch.from_numpy(np.asarray(c)) for _, c in trainer.batches(X.shape[0], ONE_EPOCH)]
    started = time.perf_counter()
    for columns in orders:
        optimiser.zero_grad()
        loss_fn(model(X[columns]), Y[columns]).backward()
        optimiser.step()
    return time.perf_counter() - started


def main() -> None:
    global VERDICT, ONE_EPOCH
    p = argparse.ArgumentParser()
    p.add_argument("--chapter", type=int, choices=(3, 4), default=3)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    VERDICT = BY_NUMBER[args.chapter].verdict
    ONE_EPOCH = dataclasses.replace(VERDICT.settings, epochs=1, eval_every=10**9)
    data = Data.load(data_module.DATA_DIR / VERDICT.train_file,
                     data_module.DATA_DIR / VERDICT.test_file, VERDICT.dev_size)
    if args.seeds:
        verdict_runs(data, args.seeds, VERDICT)
    phases: dict[str, float] = {}
    times = {"harness (solutions)": [harness(data) for _ in range(args.runs)],
             "numpy float64": [numpy_epoch(data, np.float64, phases) for _ in range(args.runs)],
             "numpy float32": [numpy_epoch(data, np.float32) for _ in range(args.runs)]}
    torch_times = [torch_epoch(data) for _ in range(args.runs)]
    if torch_times[0] is not None:
        times["pytorch float32"] = torch_times
    base = statistics.median(times["pytorch float32"]) if "pytorch float32" in times else None
    print(f"one epoch of {'-'.join(map(str, VERDICT.layers))} Adam, batches of "
          f"{ONE_EPOCH.batch_size}, "
          f"{data.X_train.shape[1]:,} digits, median of {args.runs}:")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = f"  {median / base:.2f}x PyTorch" if base else ""
        print(f"  {name:20} {median:.3f} s{ratio}")
    total = sum(phases.values())
    print("numpy float64 (solutions), where the time goes: " + ", ".join(
        f"{name} {seconds / total:.0%}" for name, seconds in phases.items()))


if __name__ == "__main__":
    main()
