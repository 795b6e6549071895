"""Training the learner's own network on real digits, and the verdict on it.

The worker trains (grader.trainer) with the learner's functions; this side sends the pixels,
receives the trained parameters, and scores them with the grader's own forward pass
(grader.network): the accuracy reported is one the parameters earn, whatever the worker claims.
Progress along the way goes to a callback (the report draws it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import network
from grader.catalog import TrainingSettings, Verdict
from grader.results import ExerciseResult, Status, TrainingResult
from grader.trainer import initial_params


@dataclass
class Data:
    """Pixels as uint8 (784, m), one example per column; labels int64 (m,)."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_dev: np.ndarray
    Y_dev: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray | None
    test_path: Path

    @classmethod
    def load(cls, train_path: Path, test_path: Path) -> Data:
        from grader import data

        pixels, labels = data.load_pixels(train_path)
        if labels is None:
            raise data.DataError(f"{train_path} has no label column, so it cannot be used to train")
        try:
            X_train, Y_train, X_dev, Y_dev = data.split_train_dev(pixels.T, labels)
        except data.DataError as err:
            raise data.DataError(f"{train_path} is too small to train on: {str(err)[0].lower()}"
                                 f"{str(err)[1:]}") from None
        X_test, Y_test = data.load_pixels(test_path)
        return cls(X_train, Y_train, X_dev, Y_dev, X_test.T, Y_test, Path(test_path))


def _checked_params(value: Any, layers: tuple[int, ...]) -> network.Params | str:
    """The worker's reply is untrusted: take only float arrays of the right shapes."""
    shapes = network.shapes(layers)
    params = value.get("params") if isinstance(value, dict) else None
    if not isinstance(params, tuple) or len(params) != len(shapes):
        return (f"training did not return {len(shapes)} parameters (check what update_params "
                "returns)")
    out = {}
    for (name, shape), p in zip(shapes.items(), params):
        if not isinstance(p, np.ndarray) or p.shape != shape or p.dtype.kind not in "f":
            got = f"shape {p.shape}, dtype {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
            return f"after training, {name} should be a float array of shape {shape}, not {got}"
        out[name] = p.astype(np.float64)
    return out


def _diagnose(stopped: str, history: list[dict], dev_accuracy: float, target: float) -> str:
    kind, _, step = stopped.partition(":")
    if kind == "nan":
        return (f"the loss or the parameters became NaN or infinite at step {step}: usually "
                "softmax overflowing (exp of large numbers: subtract each column's max) or "
                "gradients with the wrong sign or scale")
    if kind == "diverged":
        return (f"the loss exploded by step {step} instead of falling: usually update_params "
                "adding the gradient instead of subtracting it, or gradients missing 1/m")
    losses = [h["loss"] for h in history]
    if len(losses) >= 2 and losses[-1] > 0.9 * losses[0]:
        return (f"the loss stayed flat ({losses[0]:.3f} -> {losses[-1]:.3f}) and dev accuracy is "
                f"{dev_accuracy:.3f}: the network is not learning; check that update_params "
                "returns the updated parameters and that the gradients are not zero")
    return (f"dev accuracy {dev_accuracy:.3f} is below the target {target:.2f}: the "
            "network learns, but too little; check the gradients' scale (1/m) and signs")


def run_training(worker, data: Data, verdict: Verdict, settings: TrainingSettings | None = None,
                 on_progress: Callable[[Any], None] = lambda event: None,
                 exercises: list[ExerciseResult] = ()) -> TrainingResult:
    """Train the learner's network as `verdict` says (with `settings`, else the verdict's own)
    and judge it against the verdict's target; what the curve shows is related to the
    `exercises` that fail their checks."""
    settings = settings or verdict.settings
    started = time.perf_counter()
    reply = worker.train({"X": data.X_train, "Y": data.Y_train, "X_dev": data.X_dev,
                          "Y_dev": data.Y_dev, "layers": list(verdict.layers),
                          "settings": asdict(settings)}, on_progress=on_progress)
    seconds = time.perf_counter() - started
    base = {"target": verdict.target, "seconds": seconds}
    failing = [e for e in exercises if e.status != Status.PASSED]
    if reply.status != "ok":
        return TrainingResult(Status.ERROR, f"training stopped: {reply.message}"
                              + (f"; {_failing(failing)}, the likely reason" if failing else ""),
                              **base)
    params = _checked_params(reply.value, verdict.layers)
    if isinstance(params, str):
        return TrainingResult(Status.ERROR, params, **base)
    value = reply.value
    history = clean_history(value.get("history"))
    with np.errstate(all="ignore"):
        dev_pred = network.predict(params, data.X_dev / 255.0)
        test_pred = network.predict(params, data.X_test / 255.0)
    dev_accuracy = float((dev_pred == data.Y_dev).mean())
    result = TrainingResult(
        Status.PASSED if dev_accuracy >= verdict.target else Status.FAILED,
        dev_accuracy=dev_accuracy,
        test_accuracy=None if data.Y_test is None else float((test_pred == data.Y_test).mean()),
        epochs=int(value.get("epochs", 0)), steps=int(value.get("steps", 0)),
        history=history, extra={"method": settings.method}, **base)
    if failing:
        result.message = _related(result, failing, settings)
    elif result.status == Status.FAILED:
        # Every function passes its checks and the loss stayed finite: look at the data (and
        # the settings) before blaming the code.
        stopped = str(value.get("stopped", ""))
        own = reference_accuracy(data, verdict, settings) \
            if stopped.partition(":")[0] not in ("nan", "diverged") else verdict.target
        if own < verdict.target:
            result.message = (
                f"dev accuracy {dev_accuracy:.3f} is below the target {verdict.target:.2f}, "
                f"but the grader's own network, trained the same way on the same data, reaches "
                f"only {own:.3f}: the data is the problem, not your code ({_data_words(data)})")
        else:
            result.message = _diagnose(stopped, history, dev_accuracy, verdict.target)
    if result.status == Status.FAILED:
        with np.errstate(all="ignore"):
            hidden = network.forward(params, data.X_dev / 255.0)[0][1]
        dead = int((hidden <= 0).all(axis=1).sum())
        if dead >= hidden.shape[0] // 2:
            result.message += (f"; {dead} of {hidden.shape[0]} hidden units are dead (ReLU gives "
                               "0 for every dev image), usually from a step too large or biases "
                               "pushed far below 0")
    result.extra["confusion"] = confusion_matrix(data.Y_dev, dev_pred).tolist()
    result.predictions = {"dev": dev_pred, "test": test_pred}
    return result


def reference_accuracy(data: Data, verdict: Verdict, settings: TrainingSettings) -> float:
    """The dev accuracy the grader's own network reaches when trained as the learner's was:
    what this data allows."""
    rng = np.random.default_rng(settings.seed)
    params = network.as_params(*initial_params(rng, list(verdict.layers), settings.init))
    X, m = data.X_train / 255.0, data.X_train.shape[1]
    batch = settings.batch_size or m
    with np.errstate(all="ignore"):
        for _ in range(settings.epochs):
            order = rng.permutation(m) if settings.batch_size else np.arange(m)
            for start in range(0, m, batch):
                idx = order[start:start + batch]
                xb, yb = X[:, idx], data.Y_train[idx]
                grads = network.backward(params, network.forward(params, xb), xb, yb)
                params = {k: p - settings.alpha * grads[f"d{k}"] for k, p in params.items()}
        return float((network.predict(params, data.X_dev / 255.0) == data.Y_dev).mean())


def _data_words(data: Data) -> str:
    """What might be wrong with the training data, in numbers."""
    m = data.X_train.shape[1]
    counts = np.bincount(data.Y_train, minlength=10)
    return (f"{m:,} training examples, labels {', '.join(f'{d}: {n}' for d, n in enumerate(counts))}"
            "; too few examples, or labels that do not belong to their images, keep any network "
            "from learning")


def _related(result: TrainingResult, failing: list[ExerciseResult],
             settings: TrainingSettings) -> str:
    """What the training says of the exercises that fail their checks."""
    causes = "; ".join(e.diagnosis for e in failing if e.diagnosis)
    if result.status == Status.PASSED:
        return (f"your network reaches {result.dev_accuracy:.3f} although {_failing(failing)}: "
                "here that does not stop the network from learning, but it is a bug all the same")
    said = (f"the network built from your functions reaches only {result.dev_accuracy:.3f}; "
            f"{_failing(failing)}, the likely reason")
    globals_m = re.search(r"divided by (\d+) instead of m", causes)
    batch = settings.batch_size
    if globals_m and batch and int(globals_m[1]) > batch:
        factor = int(globals_m[1]) / batch
        said += (f". With a global m every gradient is divided by {globals_m[1]} instead of the "
                 f"batch's {batch}, so each step is {factor:.0f} times too small and the loss "
                 "stays almost flat")
    return said


def _failing(failing: list[ExerciseResult]) -> str:
    """'backward_prop fails its checks (db2 is a scalar ...)'."""
    names = " and ".join([", ".join(e.name for e in failing[:-1]), failing[-1].name]
                         if len(failing) > 1 else [failing[0].name])
    verb = "fails its checks" if len(failing) == 1 else "fail their checks"
    causes = "; ".join(e.diagnosis for e in failing if e.diagnosis)
    return f"{names} {verb}" + (f" ({causes})" if causes else "")


def clean_history(raw: Any) -> list[dict[str, float]]:
    """History comes from the worker: keep only well-formed numeric entries."""
    keys = ("step", "epoch", "loss", "dev_accuracy")
    clean = []
    for event in raw if isinstance(raw, list) else []:
        try:
            clean.append({k: float(event[k]) for k in keys})
        except (KeyError, TypeError, ValueError):
            continue
    return clean[:10_000]


def confusion_matrix(truth: np.ndarray, pred: np.ndarray, k: int = 10) -> np.ndarray:
    """Rows: true digit; columns: the network's guess."""
    return np.bincount(truth * k + pred, minlength=k * k).reshape(k, k)
