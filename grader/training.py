"""Training the learner's own network on real digits, and the verdict on it.

The worker trains (grader.trainer) with the learner's functions; this side sends the pixels and
the first parameters, receives the trained parameters, and scores them with the grader's own
forward pass (grader.network): the accuracy reported is one the parameters earn, whatever the
worker claims. What the worker sees is disguised afresh for every run (`Disguise`: the pixels
and the labels in a secret order), so weights trained elsewhere and pasted into a submission
earn nothing, while honest training is the same computation as without it. Progress along the
way goes to a callback (the report draws it).
"""

from __future__ import annotations

import math
import re
import reprlib
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import convnet, modules, network
from grader.catalog import TrainingSettings, Verdict
from grader.results import ExerciseResult, Status, TrainingResult
from grader.trainer import batches, planned_steps, rate
from grader.wire import Opaque


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
    def load(cls, train_path: Path, test_path: Path, dev_size: int = 1000) -> Data:
        """The files' digits, loaded once per process while neither file changes (watch
        regrades, batch's forked graders inherit them: grader.warm)."""
        paths = (train_path, test_path, dev_size)
        try:
            version = tuple(_version(p) for p in (train_path, test_path))
        except OSError:
            return cls._read(*paths)  # which says what is wrong with the file
        if _LOADED.get(paths, (None,))[0] != version:
            _LOADED[paths] = version, cls._read(*paths)
        return _LOADED[paths][1]

    @classmethod
    def _read(cls, train_path: Path, test_path: Path, dev_size: int) -> Data:
        from grader import data

        pixels, labels = data.load_pixels(train_path)
        if labels is None:
            raise data.DataError(f"{train_path} has no label column, so it cannot be used to train")
        try:
            X_train, Y_train, X_dev, Y_dev = data.split_train_dev(pixels.T, labels, dev_size)
        except data.DataError as err:
            raise data.DataError(f"{train_path} is too small to train on: {str(err)[0].lower()}"
                                 f"{str(err)[1:]}") from None
        X_test, Y_test = data.load_pixels(test_path)
        arrays = (X_train, Y_train, X_dev, Y_dev, X_test.T, Y_test)
        for array in arrays:  # shared by every grading that loads them (see load)
            if array is not None:
                array.flags.writeable = False
        return cls(*arrays, Path(test_path))


_LOADED: dict[tuple, tuple[tuple, Data]] = {}  # (train, test, dev_size): (versions, Data)


def _version(path: Path) -> tuple[int, ...]:
    st = Path(path).stat()
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


@dataclass(frozen=True)
class Disguise:
    """The secret order of the pixels and of the labels for one training run.

    The worker trains on pixels[i] as pixel i and on digit d as class labels[d], starting from
    parameters rearranged to match (W1's columns, the last layer's rows), so training is the
    same computation as on the real digits; the grader scores what comes back on the same
    disguised pixels and turns the classes back into digits.
    """

    pixels: np.ndarray | None  # pixel i sent is pixel pixels[i] of the image; None: in order
    labels: np.ndarray  # digit d is sent as class labels[d]

    @classmethod
    def draw(cls, verdict: Verdict) -> Disguise:
        # Never from the grader's seed: the worker can read it (in /proc/*/cmdline, for one).
        rng = np.random.default_rng(secrets.randbits(128))
        # A ConvNet (chapter 5) needs neighbouring pixels to stay neighbours: its pixels stay
        # in order and only the labels are disguised (see `trace_of_start` for the rest).
        pixels = None if verdict.filters else rng.permutation(verdict.layers[0])
        return cls(pixels=pixels, labels=rng.permutation(verdict.layers[-1]))

    def pixels_of(self, X: np.ndarray) -> np.ndarray:
        """The pixel permutation: X's rows (one per pixel) in the secret order."""
        return X if self.pixels is None else X[self.pixels]

    def classes_of(self, digits: np.ndarray) -> np.ndarray:
        return self.labels[digits]

    def digits_of(self, classes: np.ndarray) -> np.ndarray:
        return np.argsort(self.labels)[classes]

    def params_of(self, params: list[np.ndarray]) -> list[np.ndarray]:
        """W1, b1, ..., WL, bL for the disguised problem: W1 sees the permuted pixels, and
        output row labels[d] of the last layer is digit d's (W1 may be WL: one layer)."""
        out = list(params)
        if self.pixels is not None:
            out[0] = out[0][:, self.pixels]
        digit_of_row = np.argsort(self.labels)
        out[-2], out[-1] = out[-2][digit_of_row], out[-1][digit_of_row]
        return out

    def real_params(self, params: network.Params) -> network.Params:
        """Trained parameters back in the real order: W1's columns are the image's pixels,
        the last layer's rows the digits."""
        out = dict(params)
        first, last = "W1", f"W{network.depth(params)}"
        if self.pixels is not None:
            out[first] = out[first][:, np.argsort(self.pixels)]
        out[last], out[f"b{last[1:]}"] = out[last][self.labels], out[f"b{last[1:]}"][self.labels]
        return out


def initial_params(rng: np.random.Generator, layers: list[int], init: str) -> list[np.ndarray]:
    """W1, b1, W2, b2, ...: He (N(0, 2 / fan_in), biases 0) or the notebook's U(-0.5, 0.5)."""
    params = []
    for fan_in, units in zip(layers, layers[1:]):
        for shape in ((units, fan_in), (units, 1)):
            if init == "uniform":
                params.append(rng.random(shape) - 0.5)
            elif shape[1] == 1:
                params.append(np.zeros(shape))
            else:
                params.append(rng.normal(0.0, np.sqrt(2.0 / fan_in), shape))
    return params


def first_params(verdict: Verdict, settings: TrainingSettings) -> list[np.ndarray]:
    """The parameters training starts from, for the real pixels and digits; a ConvNet's
    filters at He scale too, their fan-in C kh kw."""
    rng = np.random.default_rng(settings.seed)
    if not verdict.filters:
        return initial_params(rng, list(verdict.layers), settings.init)
    return [rng.normal(0.0, np.sqrt(2.0 / math.prod(shape[1:])), shape) if name[0] == "W"
            else np.zeros(shape) for name, shape in param_shapes(verdict).items()]


def param_shapes(verdict: Verdict) -> dict[str, tuple[int, ...]]:
    """W1, b1, ... of the verdict's network and their shapes."""
    return convnet.shapes(verdict.filters, verdict.layers) if verdict.filters \
        else network.shapes(verdict.layers)


def predict(verdict: Verdict, params: network.Params, X: np.ndarray) -> np.ndarray:
    """The grader's own labels for pixels X (one example per column) in [0, 1], computed in
    the dtype the network trains in."""
    dtype = np.dtype(verdict.settings.dtype)
    return (convnet if verdict.filters else network).predict(
        {k: p.astype(dtype, copy=False) for k, p in params.items()}, X.astype(dtype, copy=False))


def gradients(verdict: Verdict, params: network.Params, X: np.ndarray,
              Y: np.ndarray) -> network.Params:
    """The grader's own gradients of the mean cross-entropy, keyed like the parameters."""
    if verdict.filters:
        return convnet.backward(params, convnet.forward(params, X), Y)
    grads = network.backward(params, network.forward(params, X), X, Y)
    return {k: grads[f"d{k}"] for k in params}


@dataclass
class _Trained:
    """A reply from the worker's training that makes sense."""

    params: network.Params
    history: list[dict[str, float]]
    epochs: int
    steps: int
    stopped: str  # "target", "end", "nan:<step>", "diverged:<step>" or "time:<step>"


def _checked_reply(value: Any, verdict: Verdict, settings: TrainingSettings,
                   m: int, slack: int = 1) -> _Trained | str:
    """The worker's reply is untrusted: anything but what grader.trainer sends is a sentence
    saying what is wrong with it. `slack`: how many times the settings' steps a learner's
    own loop may make (a wrong loop makes more, and is still scored)."""
    if not isinstance(value, dict):
        return f"training sent back {reprlib.repr(value)} instead of its results"
    params = _checked_params(value.get("params"), param_shapes(verdict))
    if isinstance(params, str):
        return params
    limits = {"epochs": settings.epochs,
              "steps": slack * planned_steps(settings, m)}
    for name, limit in limits.items():
        n = value.get(name)
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 0 <= n <= limit:
            return (f"training sent back {name} = {reprlib.repr(n)}, not a whole number from 0 "
                    f"to {limit}")
    stopped = value.get("stopped")
    if not (isinstance(stopped, str)
            and re.fullmatch(r"target|end|(nan|diverged|time):\d{1,9}", stopped)):
        return (f"training sent back stopped = {reprlib.repr(stopped)}, not how it ended "
                "('target', 'end', 'nan:<step>', 'diverged:<step>' or 'time:<step>')")
    if not stopped.startswith("nan:") and not all(np.isfinite(p).all() for p in params.values()):
        return ("training sent back parameters holding NaN or infinite values without saying "
                "it stopped for them")
    raw = value.get("history")
    history = clean_history(raw)
    if not isinstance(raw, list) or len(history) != min(len(raw), HISTORY_LIMIT):
        return ("training sent back a history that is not a list of steps, each with its "
                "finite step, epoch, loss and dev accuracy")
    return _Trained(params, history, int(value["epochs"]), int(value["steps"]), stopped)


def _checked_params(params: Any, shapes: dict[str, tuple[int, ...]]) -> network.Params | str:
    """Only float arrays of the right shapes."""
    if not isinstance(params, tuple) or len(params) != len(shapes):
        return (f"training did not return {len(shapes)} parameters (check what update_params, "
                "or your gradient_descent, "
                "returns)")
    out = {}
    for (name, shape), p in zip(shapes.items(), params):
        if not isinstance(p, np.ndarray) or p.shape != shape or p.dtype.kind != "f":
            got = f"shape {p.shape}, dtype {p.dtype}" if isinstance(p, np.ndarray) else \
                str(p) if isinstance(p, Opaque) else type(p).__name__
            return f"after training, {name} should be a float array of shape {shape}, not {got}"
        out[name] = np.array(p, dtype=np.float64)  # a plain array, whatever its class
    return out


def _diagnose(stopped: str, history: list[dict], dev_accuracy: float, target: float,
              steps: int) -> str:
    """Why training fell short, from how it stopped and its curve; `steps`: the planned steps."""
    kind, _, step = stopped.partition(":")
    if kind == "nan":
        return (f"the loss or the parameters became NaN or infinite at step {step}: usually "
                "softmax overflowing (exp of large numbers: subtract each column's max) or "
                "gradients with the wrong sign or scale")
    if kind == "time":
        return (f"training used up its time and stopped after step {step} of {steps:,}, with "
                f"dev accuracy {dev_accuracy:.3f}: your functions are too slow for it; the "
                "checks' speed lessons say which ones and how to vectorise them")
    if kind == "diverged":
        return (f"the loss exploded by step {step} instead of falling: usually update_params "
                "adding the gradient instead of subtracting it, or gradients missing 1/m")
    losses = [h["loss"] for h in history]
    if len(losses) >= 2 and losses[-1] > 0.9 * losses[0]:
        return (f"the loss stayed flat ({losses[0]:.3f} -> {losses[-1]:.3f}) and dev accuracy is "
                f"{dev_accuracy:.3f}: the network is not learning; check that update_params "
                "returns the updated parameters and that the gradients are not zero")
    return (f"dev accuracy {dev_accuracy:.3f} is below the target {target:g}: the "
            "network learns, but too little; check the gradients' scale (1/m) and signs")


def run_training(worker, data: Data, verdict: Verdict, settings: TrainingSettings | None = None,
                 on_progress: Callable[[Any], None] = lambda event: None,
                 exercises: list[ExerciseResult] = ()) -> TrainingResult:
    """Train the learner's network as `verdict` says (with `settings`, else the verdict's own)
    and judge it against the verdict's target; what the curve shows is related to the
    `exercises` that fail their checks."""
    settings = settings or verdict.settings
    missing = [n for n in verdict.uses if n not in worker.loaded()["functions"]]
    if missing:
        return TrainingResult(Status.SKIPPED, f"not trained: the network needs your "
                              f"{' and '.join(missing)}, which "
                              f"{'is' if len(missing) == 1 else 'are'} not there (not started "
                              "or not loaded)", target=verdict.target)
    disguise = Disguise.draw(verdict)
    X_dev = disguise.pixels_of(data.X_dev)
    request = {"X": disguise.pixels_of(data.X_train), "Y": disguise.classes_of(data.Y_train),
               "X_dev": X_dev, "Y_dev": disguise.classes_of(data.Y_dev),
               "settings": asdict(settings)}
    start = disguise.params_of(first_params(verdict, settings))
    if verdict.loop == "grader":  # the grader's loop starts from the grader's parameters
        request["params"] = start
    started = time.perf_counter()
    reply = worker.train(request, on_progress=on_progress,
                         op="train" if verdict.loop == "grader" else "fit")
    seconds = time.perf_counter() - started
    base = {"target": verdict.target, "seconds": seconds}
    failing = [e for e in exercises if e.status == Status.FAILED]  # not started: not a bug
    if reply.status == "not_started":
        unwritten = re.search(r", in (\w+)", reply.message)
        which = unwritten[1] if unwritten else "a function it calls"
        return TrainingResult(Status.SKIPPED, f"not trained: {which} still raises "
                              "NotImplementedError; training needs every function of the network, "
                              "those of earlier chapters too", **base)
    if reply.status != "ok":
        suspects = _suspects(reply.message, failing, exercises)
        return TrainingResult(Status.ERROR, f"training stopped: {reply.message}"
                              + (f"; {_failing(suspects)}, the likely reason" if suspects else ""),
                              **base)
    trained = _checked_reply(reply.value, verdict, settings, data.X_train.shape[1],
                             slack=1 if verdict.loop == "grader" else 10)
    if isinstance(trained, str):
        return TrainingResult(Status.ERROR, trained, **base)
    params, history = trained.params, trained.history
    with np.errstate(all="ignore"):
        dev_pred = disguise.digits_of(predict(verdict, params, X_dev / 255.0))
        test_pred = disguise.digits_of(predict(verdict, params,
                                               disguise.pixels_of(data.X_test) / 255.0))
    dev_accuracy = float((dev_pred == data.Y_dev).mean())
    result = TrainingResult(
        Status.PASSED if dev_accuracy >= verdict.target else Status.FAILED,
        dev_accuracy=dev_accuracy,
        test_accuracy=None if data.Y_test is None else float((test_pred == data.Y_test).mean()),
        epochs=trained.epochs, steps=trained.steps, history=history,
        extra={"method": settings.method, "loss": "train loss" if verdict.loop == "grader"
               else "dev loss"}, **base)
    untraced = trace_of_start(params, start) if verdict.filters else None  # see its doc
    if untraced and result.status == Status.PASSED:
        result.status, result.message = Status.FAILED, (
            f"dev accuracy {dev_accuracy:.3f}, but {untraced}: these parameters were not trained "
            "from the grader's start, so they earn no pass")
    elif failing:
        result.message = _related(result, failing, settings)
    elif result.status == Status.FAILED:
        # Every function passes its checks and the loss stayed finite: look at the data (and
        # the settings) before blaming the code.
        stopped = trained.stopped
        own = reference_accuracy(data, verdict, settings) \
            if stopped.partition(":")[0] not in ("nan", "diverged", "time") else verdict.target
        if own < verdict.target:
            result.message = (
                f"dev accuracy {dev_accuracy:.3f} is below the target {verdict.target:g}, "
                f"but the grader's own network, trained the same way on the same data, reaches "
                f"only {own:.3f}: the data is the problem, not your code ({_data_words(data)})")
        else:
            result.message = _diagnose(stopped, history, dev_accuracy, verdict.target,
                                       planned_steps(settings, data.X_train.shape[1]))
    if result.status == Status.FAILED:
        with np.errstate(all="ignore"):
            dead, units, what = _dead(verdict, params, X_dev / 255.0)
        if dead >= units // 2:
            result.message += (f"; {dead} of {units} {what} are dead (ReLU gives 0 for every "
                               "dev image), usually from a step too large or biases pushed far "
                               "below 0")
    if verdict.predicts:
        test_pred = _own_predictions(worker, result, disguise, params, data, test_pred)
    result.extra["confusion"] = confusion_matrix(data.Y_dev, dev_pred).tolist()
    result.predictions = {"dev": dev_pred, "test": test_pred}
    result.params = disguise.real_params(params)
    return result


TRACE = 0.2  # the least cosine a trained weight keeps with its start (honest: 0.35 and more)


def trace_of_start(params: network.Params, start: list[np.ndarray]) -> str | None:
    """What shows that the trained weights did not start where the grader's did, if anything.

    A ConvNet's pixels cannot be disguised (neighbours must stay neighbours), so a network
    trained elsewhere could find the label disguise from the training labels and pass. Honest
    training moves every weight but keeps it near its start: over 2 epochs the cosine of each
    W with its first value stays 0.35 or more (0.9 for the first filters); an unrelated
    network's is about 0, give or take 0.03 for the 1,152 weights of W2."""
    for (name, p), first in zip(params.items(), start):
        if name[0] != "W":
            continue
        a, b = p.ravel(), np.asarray(first, dtype=np.float64).ravel()
        cosine = float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-300))
        if cosine < TRACE:
            return (f"the trained {name} has a cosine of {cosine:.2f} with the {name} training "
                    f"started from, where training from it keeps {TRACE} or more")
    return None


def _dead(verdict: Verdict, params: network.Params, X: np.ndarray) -> tuple[int, int, str]:
    """How many of the first layer's ReLUs give 0 for every example of X, of how many."""
    if verdict.filters:
        R = convnet.forward(params, X[:, :1000])[0][2]  # (m, F, H, W)
        return int((R <= 0).all(axis=(0, 2, 3)).sum()), R.shape[1], "filters of the first " \
            "conv layer"
    hidden = network.forward(params, X)[0][1]
    return int((hidden <= 0).all(axis=1).sum()), hidden.shape[0], "hidden units"


def _own_predictions(worker, result: TrainingResult, disguise: Disguise, params: network.Params,
                     data: Data, grader_pred: np.ndarray) -> np.ndarray:
    """The test digits labelled by the learner's own predict, from the grader's forward pass of
    the trained network; the grader's labels, with a note, when predict cannot give them."""
    with np.errstate(all="ignore"):
        A2 = network.forward(params, disguise.pixels_of(data.X_test) / 255.0)[-1][1]
    call = worker.call("predict", (A2,))
    got = call.value if call.status == "ok" else None
    if not (isinstance(got, np.ndarray) and got.shape == grader_pred.shape
            and got.dtype.kind in "iu" and ((got >= 0) & (got < 10)).all()):
        why = call.message or (f"it returned {str(got)[:80]}" if call.status == "ok"
                               else call.status.replace("_", " "))
        note = (f"your predict could not label the {grader_pred.size:,} test digits ({why}); "
                "the predictions are the grader's own")
        result.message = f"{result.message}; {note}" if result.message else note
        return grader_pred
    own = disguise.digits_of(got)
    differ = int((own != grader_pred).sum())
    if differ:
        note = (f"your predict labels {differ:,} of the {own.size:,} test digits otherwise than "
                "the most probable class; its labels are the ones written")
        result.message = f"{result.message}; {note}" if result.message else note
    return own


def reference_accuracy(data: Data, verdict: Verdict, settings: TrainingSettings) -> float:
    """The dev accuracy the grader's own network reaches when trained as the learner's was:
    what this data allows."""
    params = reference_params(data, verdict, settings)
    with np.errstate(all="ignore"):
        return float((predict(verdict, params, data.X_dev / 255.0) == data.Y_dev).mean())


def reference_params(data: Data, verdict: Verdict, settings: TrainingSettings) -> network.Params:
    """The grader's own network trained on the real digits as the learner's is (from the same
    first parameters, in the same batches), for every epoch: no early stop."""
    dtype = np.dtype(settings.dtype)
    params = {k: p.astype(dtype) for k, p in zip(param_shapes(verdict),
                                                   first_params(verdict, settings))}
    X = np.divide(data.X_train, 255.0, dtype=dtype)
    zeros = {k: np.zeros_like(p) for k, p in params.items()}
    state = {"velocity": zeros, "m": zeros, "v": zeros}
    with np.errstate(all="ignore"):
        for t, (_, columns) in enumerate(batches(X.shape[1], settings), 1):
            xb, yb = X[:, columns], data.Y_train[columns]
            grads = gradients(verdict, params, xb, yb)
            alpha = rate(settings, t - 1, X.shape[1])
            if settings.optimizer == "adam":  # the exercises' own references, defaults but alpha
                params, state["m"], state["v"] = modules.reference("adam_step")(
                    params, grads, state["m"], state["v"], t, alpha)
            elif settings.optimizer == "momentum":
                params, state["velocity"] = modules.reference("momentum_step")(
                    params, grads, state["velocity"], alpha)
            else:
                params = {k: p - alpha * grads[k] for k, p in params.items()}
    return params


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


def _suspects(message: str, failing: list[ExerciseResult],
              exercises: list[ExerciseResult]) -> list[ExerciseResult]:
    """The failing exercises to blame for training's error: those its message names; none when
    it names only functions that pass their checks; every one when it names no function."""
    named = [e for e in exercises if re.search(rf"\b{e.name}\b", message)]
    return [e for e in failing if e in named] if named else failing


def _failing(failing: list[ExerciseResult]) -> str:
    """'backward_prop fails its checks (db2 is a scalar ...)'."""
    names = " and ".join([", ".join(e.name for e in failing[:-1]), failing[-1].name]
                         if len(failing) > 1 else [failing[0].name])
    verb = "fails its checks" if len(failing) == 1 else "fail their checks"
    causes = "; ".join(e.diagnosis for e in failing if e.diagnosis)
    return f"{names} {verb}" + (f" ({causes})" if causes else "")


HISTORY_LIMIT = 10_000  # events of the history kept


def clean_history(raw: Any) -> list[dict[str, float]]:
    """History comes from the worker: keep only well-formed entries of finite numbers."""
    keys = ("step", "epoch", "loss", "dev_accuracy")
    clean = []
    for event in raw[:HISTORY_LIMIT] if isinstance(raw, list) else []:
        if isinstance(event, dict) and all(_finite_number(event.get(k)) for k in keys):
            clean.append({k: float(event[k]) for k in keys})
    return clean


def _finite_number(value: Any) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, bool) and abs(value) <= sys.float_info.max)


def confusion_matrix(truth: np.ndarray, pred: np.ndarray, k: int = 10) -> np.ndarray:
    """Rows: true digit; columns: the network's guess."""
    return np.bincount(truth * k + pred, minlength=k * k).reshape(k, k)
