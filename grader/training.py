"""Training the learner's own network on real digits, and the verdict on it.

`train_in_worker` runs inside the worker with the learner's forward_prop, backward_prop and
update_params. The grader process (`run_training`) sends the pixels, receives the trained
parameters, and scores them with its own reference forward pass: the accuracy reported is one
the parameters earn, whatever the worker claims.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.results import ERROR, FAILED, PASSED, TARGET_ACCURACY, TrainingResult

# Mini-batch SGD from He initialisation: about 150 steps reach 0.85 dev on the shipped digits.
MINI_BATCH = {"method": "mini-batch", "alpha": 0.2, "batch_size": 64, "max_epochs": 5,
              "eval_every": 20, "stop_at": 0.85}
# The original notebook's method, for comparison.
FULL_BATCH = {"method": "full-batch", "alpha": 0.10, "iterations": 500, "eval_every": 10}
SEED = 0
SHAPES = {"W1": (10, 784), "b1": (10, 1), "W2": (10, 10), "b2": (10, 1)}


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


# --------------------------------------------------------------------------- in the worker

def _init(rng: np.random.Generator, method: str) -> list[np.ndarray]:
    if method == "full-batch":  # the notebook: uniform(-0.5, 0.5) for everything
        return [rng.random(s) - 0.5 for s in SHAPES.values()]
    return [rng.normal(0.0, np.sqrt(2.0 / s[1]), s) if name.startswith("W") else np.zeros(s)
            for name, s in SHAPES.items()]


def train_in_worker(functions: dict[str, Callable], *, X: np.ndarray, Y: np.ndarray,
                    X_dev: np.ndarray, Y_dev: np.ndarray, settings: dict,
                    progress: Callable[[dict], None] = lambda event: None) -> dict[str, Any]:
    """Train with the learner's functions; stop early at settings['stop_at'] dev accuracy."""
    forward, backward, update = (functions[n] for n in ("forward_prop", "backward_prop",
                                                        "update_params"))
    rng = np.random.default_rng(settings.get("seed", SEED))
    X, X_dev = X / 255.0, X_dev / 255.0
    params = _init(rng, settings["method"])
    full = settings["method"] == "full-batch"
    # Full batch: one step per pass over the data, so "epochs" are the notebook's iterations.
    m, batch = X.shape[1], (X.shape[1] if full else settings["batch_size"])
    epochs = settings["iterations"] if full else settings["max_epochs"]
    history: list[dict] = []
    step, losses, first_loss = 0, [], None
    for epoch in range(1, epochs + 1):
        order = np.arange(m) if full else rng.permutation(m)
        for start in range(0, m, batch):
            idx = order[start:start + batch]
            xb, yb = (X, Y) if full else (X[:, idx], Y[idx])
            Z1, A1, Z2, A2 = forward(*params, xb)
            with np.errstate(all="ignore"):
                loss = float(-np.log(np.asarray(A2)[yb, np.arange(yb.size)]).mean())
            grads = backward(Z1, A1, Z2, A2, params[0], params[2], xb, yb)
            params = list(update(*params, *grads, settings["alpha"]))
            step += 1
            losses.append(loss)
            first_loss = loss if first_loss is None else first_loss
            if not np.isfinite(loss) or not all(np.isfinite(p).all() for p in params):
                return _outcome(params, history, step, epoch, f"nan:{step}")
            if loss > 4 * first_loss + 1 and step >= 10:
                return _outcome(params, history, step, epoch, f"diverged:{step}")
            if step % settings["eval_every"] == 0:
                dev_acc = float((np.asarray(forward(*params, X_dev)[3]).argmax(axis=0) == Y_dev).mean())
                event = {"step": step, "epoch": epoch, "loss": float(np.mean(losses)),
                         "dev_accuracy": dev_acc}
                history.append(event)
                progress(event)
                losses = []
                if dev_acc >= settings.get("stop_at", 2.0):
                    return _outcome(params, history, step, epoch, "target")
    return _outcome(params, history, step, epoch, "end")


def _outcome(params, history, step, epoch, stopped) -> dict[str, Any]:
    return {"params": tuple(np.asarray(p) for p in params), "history": history, "steps": step,
            "epochs": epoch, "stopped": stopped}


# --------------------------------------------------------------------------- in the grader

def _checked_params(value: Any) -> list[np.ndarray] | str:
    """The worker's reply is untrusted: take only float arrays of the right shapes."""
    params = value.get("params") if isinstance(value, dict) else None
    if not isinstance(params, tuple) or len(params) != 4:
        return "training did not return four parameters (check what update_params returns)"
    out = []
    for (name, shape), p in zip(SHAPES.items(), params):
        if not isinstance(p, np.ndarray) or p.shape != shape or p.dtype.kind not in "f":
            got = f"shape {p.shape}, dtype {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
            return f"after training, {name} should be a float array of shape {shape}, not {got}"
        out.append(p.astype(np.float64))
    return out


def _diagnose(stopped: str, history: list[dict], dev_accuracy: float) -> str:
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
    return (f"dev accuracy {dev_accuracy:.3f} is below the target {TARGET_ACCURACY:.2f}: the "
            "network learns, but too little; check the gradients' scale (1/m) and signs")


def run_training(worker, data: Data, settings: dict | None = None,
                 show_progress: bool = True) -> TrainingResult:
    from grader import reference

    settings = dict(settings or MINI_BATCH)
    started = time.perf_counter()
    with _progress_display(show_progress, settings) as on_progress:
        reply = worker.train({"X": data.X_train, "Y": data.Y_train, "X_dev": data.X_dev,
                              "Y_dev": data.Y_dev, "settings": settings},
                             timeout=120.0, on_progress=on_progress)
    seconds = time.perf_counter() - started
    if reply.status != "ok":
        return TrainingResult(ERROR, f"training stopped: {reply.message}", seconds=seconds)
    params = _checked_params(reply.value)
    if isinstance(params, str):
        return TrainingResult(ERROR, params, seconds=seconds)
    value = reply.value
    history = _clean_history(value.get("history"))
    with np.errstate(all="ignore"):
        dev_pred = reference.predict(*params, data.X_dev / 255.0)
        test_pred = reference.predict(*params, data.X_test / 255.0)
    dev_accuracy = float((dev_pred == data.Y_dev).mean())
    result = TrainingResult(
        PASSED if dev_accuracy >= TARGET_ACCURACY else FAILED, dev_accuracy=dev_accuracy,
        test_accuracy=None if data.Y_test is None else float((test_pred == data.Y_test).mean()),
        seconds=seconds, epochs=int(value.get("epochs", 0)), steps=int(value.get("steps", 0)),
        history=history, extra={"method": settings["method"]})
    if result.status == FAILED:
        result.message = _diagnose(str(value.get("stopped", "")), history, dev_accuracy)
        with np.errstate(all="ignore"):
            hidden = reference.forward_prop(*params, data.X_dev / 255.0)[1]
        dead = int((hidden <= 0).all(axis=1).sum())
        if dead >= 5:
            result.message += (f"; {dead} of 10 hidden units are dead (ReLU gives 0 for every dev "
                               "image), usually from a step too large or biases pushed far below 0")
    result.extra["confusion"] = confusion_matrix(data.Y_dev, dev_pred).tolist()
    result.predictions = {"dev": dev_pred, "test": test_pred}
    return result


def _clean_history(raw: Any) -> list[dict[str, float]]:
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


class _progress_display:
    """A rich progress bar that appears only once training has run for a second."""

    def __init__(self, enabled: bool, settings: dict) -> None:
        self.enabled, self.settings = enabled, settings
        self.started = time.perf_counter()
        self.bar = None

    def __enter__(self) -> Callable[[dict], None]:
        return self.update

    def update(self, event: Any) -> None:
        if not self.enabled or time.perf_counter() - self.started < 1.0:
            return
        event = (_clean_history([event]) or [{}])[0]
        if self.bar is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            from grader.report import console

            total = self.settings.get("iterations") or None
            self.bar = Progress(TextColumn("training ({task.fields[method]})"), BarColumn(),
                                TextColumn("step {task.completed:.0f}  loss {task.fields[loss]:.3f}"
                                           "  dev accuracy {task.fields[acc]:.3f}"),
                                TimeElapsedColumn(), console=console(stderr=True), transient=True)
            self.task = self.bar.add_task("train", total=total, method=self.settings["method"],
                                          loss=0.0, acc=0.0)
            self.bar.start()
        self.bar.update(self.task, completed=float(event.get("step", 0)),
                        loss=float(event.get("loss", 0.0)), acc=float(event.get("dev_accuracy", 0.0)))

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
