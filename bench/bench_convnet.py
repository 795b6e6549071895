"""Chapter 5's verdict, and its ConvNet's training in the grader's harness against PyTorch.

Run by hand: python bench/bench_convnet.py [--seeds 3] [--runs 3] [--batches 200].
PyTorch is a bench-only extra (`pip install torch==2.13.0`), never a dependency of the
package; without it those rows are left out. One thread everywhere (the worker runs NumPy with
OPENBLAS_NUM_THREADS=1).

1. The verdict as `python -m grader --chapter 5` runs it (the solutions through a worker), with
   training seed 0, 1, ...: dev and test accuracy and seconds.
2. The same ConvNet (two blocks of 8 and 16 filters of 3x3, padding 1, ReLU, 2x2 max-pool,
   then 784 -> 10), Adam, batches of 64 in float32, from the same first parameters in the
   same batches: the grader's harness with the solutions (grader.trainer, in this process, as
   the worker runs it) and PyTorch. Forward alone and forward + backward per batch (medians
   over --batches batches), and a whole epoch of 45,000 digits (median of --runs); each as a
   ratio to PyTorch; then where the harness's time goes, function by function.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy is imported, as in the worker

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader import data as data_module, trainer  # noqa: E402
from grader.catalog import BY_NUMBER  # noqa: E402
from grader.training import Data, first_params, param_shapes  # noqa: E402
from verdicts import verdict_runs  # noqa: E402
import solutions.conv_backward  # noqa: E402
import solutions.conv_forward  # noqa: E402
from solutions import adam_step, maxpool_backward, maxpool_forward, relu, relu_deriv, softmax  # noqa: E402

VERDICT = BY_NUMBER[5].verdict
ONE_EPOCH = dataclasses.replace(VERDICT.settings, epochs=1, eval_every=10**9, seconds=None,
                                schedule="constant")
TIMES: dict[str, float] = {}  # seconds spent in each function, while `timed` counts
IM2COL = solutions.conv_forward.im2col  # what both conv passes call


def timed(name: str, fn: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        out = fn(*args, **kwargs)
        TIMES[name] = TIMES.get(name, 0.0) + time.perf_counter() - started
        return out
    return wrapper


def functions(count: bool = False) -> dict[str, Callable]:
    """The solutions' functions, as the worker hands them to the harness; with `count`, each
    one (and the im2col inside the conv passes) adds its time to TIMES."""
    solutions.conv_forward.im2col = solutions.conv_backward.im2col = \
        timed("im2col (the copies)", IM2COL) if count else IM2COL
    fns = {"conv_forward": solutions.conv_forward.conv_forward,
           "conv_backward": solutions.conv_backward.conv_backward,
           "maxpool_forward": maxpool_forward.maxpool_forward,
           "maxpool_backward": maxpool_backward.maxpool_backward, "relu": relu.relu,
           "relu_deriv": relu_deriv.relu_deriv, "softmax": softmax.softmax,
           "adam_step": adam_step.adam_step}
    return {k: timed(k, f) for k, f in fns.items()} if count else fns


def harness_epoch(data: Data, fns: dict[str, Callable]) -> float:
    started = time.perf_counter()
    trainer.train(fns, X=data.X_train, Y=data.Y_train, X_dev=data.X_dev[:, :10],
                  Y_dev=data.Y_dev[:10], params=first_params(VERDICT, ONE_EPOCH),
                  settings=dataclasses.asdict(ONE_EPOCH))
    return time.perf_counter() - started


def harness_batches(data: Data, count: int) -> tuple[float, float]:
    """Median seconds of the harness's forward pass, and of forward + backward, on a batch."""
    step, probabilities = trainer._passes(functions(), ONE_EPOCH)
    params = [p.astype(np.float32) for p in first_params(VERDICT, ONE_EPOCH)]
    X = trainer._scaled(data.X_train, "float32")
    forward, both = [], []
    for _, columns in list(trainer.batches(X.shape[1], ONE_EPOCH))[:count]:
        xb, yb = X[:, columns], data.Y_train[columns]
        t0 = time.perf_counter()
        probabilities(params, xb)
        t1 = time.perf_counter()
        step(params, xb, yb)
        forward.append(t1 - t0)
        both.append(time.perf_counter() - t1)
    return statistics.median(forward), statistics.median(both)


def torch_model(torch):
    first = dict(zip(param_shapes(VERDICT), first_params(VERDICT, ONE_EPOCH)))
    convs = [torch.nn.Conv2d(c, f, 3, padding=1) for c, f in ((1, 8), (8, 16))]
    fc = torch.nn.Linear(16 * 7 * 7, 10)
    with torch.no_grad():
        for k, layer in enumerate([*convs, fc], 1):
            layer.weight.copy_(torch.from_numpy(first[f"W{k}"].astype(np.float32)))
            layer.bias.copy_(torch.from_numpy(first[f"b{k}"].ravel().astype(np.float32)))
    block = [[c, torch.nn.ReLU(), torch.nn.MaxPool2d(2)] for c in convs]
    return torch.nn.Sequential(*block[0], *block[1], torch.nn.Flatten(), fc)


def torch_runs(data: Data, count: int, runs: int) -> dict[str, float] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    X = torch.from_numpy((data.X_train / 255.0).astype(np.float32).T.copy()).reshape(-1, 1, 28, 28)
    Y = torch.from_numpy(data.Y_train.astype(np.int64))
    orders = [torch.from_numpy(np.asarray(c)) for _, c in trainer.batches(X.shape[0], ONE_EPOCH)]
    loss_fn = torch.nn.CrossEntropyLoss()
    model = torch_model(torch)
    optimiser = torch.optim.Adam(model.parameters(), lr=ONE_EPOCH.alpha)
    forward, both = [], []
    for columns in orders[:count]:
        t0 = time.perf_counter()
        with torch.no_grad():
            model(X[columns])
        t1 = time.perf_counter()
        optimiser.zero_grad()
        loss_fn(model(X[columns]), Y[columns]).backward()
        forward.append(t1 - t0)
        both.append(time.perf_counter() - t1)
    epochs = []
    for _ in range(runs):
        model = torch_model(torch)
        optimiser = torch.optim.Adam(model.parameters(), lr=ONE_EPOCH.alpha)
        started = time.perf_counter()
        for columns in orders:
            optimiser.zero_grad()
            loss_fn(model(X[columns]), Y[columns]).backward()
            optimiser.step()
        epochs.append(time.perf_counter() - started)
    return {"forward": statistics.median(forward), "forward + backward": statistics.median(both),
            "epoch": statistics.median(epochs)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--batches", type=int, default=200)
    args = p.parse_args()
    data = Data.load(data_module.DATA_DIR / VERDICT.train_file,
                     data_module.DATA_DIR / VERDICT.test_file, VERDICT.dev_size)
    if args.seeds:
        verdict_runs(data, args.seeds, VERDICT)
    forward, both = harness_batches(data, args.batches)
    ours = {"forward": forward, "forward + backward": both,
            "epoch": statistics.median(harness_epoch(data, functions())
                                       for _ in range(args.runs))}
    theirs = torch_runs(data, args.batches, args.runs)
    print(f"the ConvNet 8-16 filters, Adam, batches of {ONE_EPOCH.batch_size}, float32, "
          f"{data.X_train.shape[1]:,} digits an epoch; batch figures are medians of "
          f"{args.batches}, the epoch's of {args.runs}:")
    for what, seconds in ours.items():
        unit = (1e3, "ms") if what != "epoch" else (1, "s")
        line = f"  {what:20} harness {seconds * unit[0]:8.2f} {unit[1]}"
        if theirs:
            line += (f"   pytorch {theirs[what] * unit[0]:8.2f} {unit[1]}   "
                     f"{seconds / theirs[what]:.2f}x PyTorch")
        print(line)
    TIMES.clear()
    total = harness_epoch(data, functions(count=True))
    inside = {k: v for k, v in TIMES.items() if k != "im2col (the copies)"}
    glue = total - sum(inside.values())
    im2col = TIMES.get("im2col (the copies)", 0.0)
    parts = {**inside, "conv_forward": inside["conv_forward"] - im2col / 2,
             "conv_backward": inside["conv_backward"] - im2col / 2,
             "im2col (the copies)": im2col, "harness glue (flatten, FC, batches)": glue}
    print(f"where the harness's epoch ({total:.1f} s) goes: " + ", ".join(
        f"{name} {seconds / total:.0%}" for name, seconds in
        sorted(parts.items(), key=lambda kv: -kv[1])))
    print("  (conv_forward and conv_backward without their im2col: the GEMMs, reshapes and "
          "col2im; im2col split evenly between them, as each calls it once a step)")


if __name__ == "__main__":
    main()
