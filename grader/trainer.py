"""Training inside the worker: the grader's loop with the learner's own passes and optimiser
(`train`: forward_prop, backward_prop and update_params in chapter 1, adam_step in chapter 3,
forward_deep and backward_deep in chapter 4), or the learner's own gradient_descent (chapter 2,
`fit`).

Only the learner's functions and NumPy run here: the loss watched along the way is computed
from the learner's own outputs, and the grader scores the parameters that come back with its
own forward pass (grader.training). The grader sends the first parameters with the data, both
disguised (grader.training.Disguise); the batches are drawn here from the settings' seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from grader.catalog import PAD, POOL, TrainingSettings


def planned_steps(s: TrainingSettings, m: int) -> int:
    """The steps of a whole training run on m examples."""
    return s.epochs * (1 if s.batch_size is None else math.ceil(m / s.batch_size))


def rate(s: TrainingSettings, step: int, m: int) -> float:
    """The learning rate of step `step` (from 0): s.alpha, or with s.schedule "cosine" that
    rate decayed along half a cosine to 0 at the last step, which ends training with small,
    quiet steps."""
    if s.schedule != "cosine":
        return s.alpha
    return s.alpha * 0.5 * (1 + math.cos(math.pi * step / planned_steps(s, m)))


def _scaled(X: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """Pixels in [0, 1], each example's column contiguous in memory: a batch of columns is
    then gathered about ten times faster than from rows (2 to 4 s of a chapter's training)."""
    return np.divide(X, 255.0, order="F", dtype=dtype)


def _batch_pixels(X: np.ndarray, s: TrainingSettings
                  ) -> Callable[[np.ndarray | slice], np.ndarray]:
    """pixels(columns): those examples' pixels in [0, 1]. With mini-batches only each batch
    is scaled, from the bytes kept column by column: training that stops early never scales
    the whole set, and a fresh worker's first touch of 44 MB (chapter 1's set as float64)
    costs more than the training itself."""
    if s.batch_size is None:
        whole = _scaled(X, s.dtype)
        return lambda columns: whole
    kept = np.asfortranarray(X)
    return lambda columns: np.divide(kept[:, columns], 255.0, dtype=s.dtype)


def batches(m: int, s: TrainingSettings) -> Iterator[tuple[int, np.ndarray | slice]]:
    """(epoch, the examples' columns) for every step: batches of a fresh shuffle of the m
    examples each epoch, drawn from the seed, or all of them at once."""
    rng = np.random.default_rng(s.seed)
    for epoch in range(1, s.epochs + 1):
        if s.batch_size is None:
            yield epoch, slice(None)
        else:
            order = rng.permutation(m)
            for start in range(0, m, s.batch_size):
                yield epoch, order[start:start + s.batch_size]


def train(functions: dict[str, Callable], *, X: np.ndarray, Y: np.ndarray, X_dev: np.ndarray,
          Y_dev: np.ndarray, params: list[np.ndarray], settings: dict,
          progress: Callable[[dict], None] = lambda event: None) -> dict[str, Any]:
    """Train with the learner's functions from `params`; stop early at settings.stop_at dev
    accuracy, or after settings.seconds."""
    s = TrainingSettings(**settings)
    step_of, probabilities = _passes(functions, s)
    update = _optimiser(functions, s)
    pixels, X_dev, m = _batch_pixels(X, s), _scaled(X_dev, s.dtype), X.shape[1]
    params = [np.asarray(p, dtype=s.dtype) for p in params]
    history: list[dict] = []
    step, losses, first_loss, epoch = 0, [], None, 0
    started = time.perf_counter()
    for epoch, columns in batches(m, s):
        xb, yb = pixels(columns), Y[columns]
        A, grads = step_of(params, xb, yb)
        with np.errstate(all="ignore"):
            loss = float(-np.log(np.asarray(A)[yb, np.arange(yb.size)]).mean())
        params = list(update(params, grads, rate(s, step, m)))
        step += 1
        losses.append(loss)
        first_loss = loss if first_loss is None else first_loss
        if not np.isfinite(loss) or not all(np.isfinite(p).all() for p in params):
            return _outcome(params, history, step, epoch, f"nan:{step}")
        if loss > 4 * first_loss + 1 and step >= 10:
            return _outcome(params, history, step, epoch, f"diverged:{step}")
        if step % s.eval_every == 0:
            dev_acc = float((np.asarray(probabilities(params, X_dev)).argmax(axis=0)
                             == Y_dev).mean())
            event = {"step": step, "epoch": epoch, "loss": float(np.mean(losses)),
                     "dev_accuracy": dev_acc}
            history.append(event)
            progress(event)
            losses = []
            if s.stop_at is not None and dev_acc >= s.stop_at:
                return _outcome(params, history, step, epoch, "target")
        if s.seconds is not None and time.perf_counter() - started > s.seconds:
            return _outcome(params, history, step, epoch, f"time:{step}")
    return _outcome(params, history, step, epoch, "end")


def names(n: int) -> list[str]:
    """W1, b1, W2, b2, ... for n parameters."""
    return [f"{'Wb'[i % 2]}{i // 2 + 1}" for i in range(n)]


def keyed_like(grads: Any, params: dict) -> Any:
    """`grads` keyed like `params`: gradients keyed W1, b1, ... or dW1, db1, ... (as many
    courses write them), with whatever else beside them (dA1, ...: what the backward pass kept
    on the way); anything else is left as it is."""
    if isinstance(grads, dict):
        for key in ("{}", "d{}"):
            if all(key.format(k) in grads for k in params):
                return {k: grads[key.format(k)] for k in params}
    return grads


def _passes(functions: dict[str, Callable], s: TrainingSettings) -> tuple[Callable, Callable]:
    """step(params, X, Y) -> (the output probabilities, the gradients in the order of params)
    and probabilities(params, X), with the learner's forward_prop and backward_prop (one
    hidden layer, arrays in order) or their forward_deep and backward_deep (dicts, any depth)."""
    if s.passes == "conv":
        return _conv_passes(functions)
    if s.passes == "deep":
        forward, backward = functions["forward_deep"], functions["backward_deep"]

        def step(params: list, X: np.ndarray, Y: np.ndarray) -> tuple:
            named = dict(zip(names(len(params)), params))
            AL, caches = forward(named, X)
            grads = keyed_like(backward(named, caches, Y), named)
            if not isinstance(grads, dict) or not all(k in grads for k in named):
                raise ValueError(f"backward_deep returned {type(grads).__name__} "
                                 f"{sorted(grads) if isinstance(grads, dict) else ''} "
                                 f"instead of a dict with keys {', '.join(named)}")
            return AL, [grads[k] for k in named]

        return step, lambda params, X: forward(dict(zip(names(len(params)), params)), X)[0]
    forward, backward = functions["forward_prop"], functions["backward_prop"]

    def step(params: list, X: np.ndarray, Y: np.ndarray) -> tuple:
        Z1, A1, Z2, A2 = forward(*params, X)
        return A2, backward(Z1, A1, Z2, A2, params[0], params[2], X, Y)

    return step, lambda params, X: forward(*params, X)[3]


def _conv_passes(functions: dict[str, Callable]) -> tuple[Callable, Callable]:
    """The ConvNet of chapter 5 with the learner's conv_forward, conv_backward,
    maxpool_forward, maxpool_backward, relu, relu_deriv and softmax: conv blocks (3x3 filters,
    padding 1, ReLU, 2x2 max-pool), then the harness's glue, a fully connected layer to the
    classes on the flattened maps."""
    f = functions

    def forward(params: list, X: np.ndarray) -> tuple[np.ndarray, tuple]:
        side = math.isqrt(X.shape[0])
        A, blocks = np.ascontiguousarray(X.T).reshape(-1, 1, side, side), []
        for W, b in zip(params[:-2:2], params[1:-2:2]):
            Z = f["conv_forward"](A, W, b, 1, PAD)
            R = f["relu"](Z)
            blocks.append((A, Z, R))
            A = f["maxpool_forward"](R, POOL, POOL)
        flat = A.reshape(A.shape[0], -1).T
        return f["softmax"](params[-2] @ flat + params[-1]), (blocks, A.shape, flat)

    def step(params: list, X: np.ndarray, Y: np.ndarray) -> tuple:
        AL, (blocks, pooled, flat) = forward(params, X)
        dZ = np.array(AL, copy=True)
        dZ[Y, np.arange(Y.size)] -= 1
        dZ /= Y.size
        grads = [dZ @ flat.T, dZ.sum(axis=1, keepdims=True)]
        dA = (params[-2].T @ dZ).T.reshape(pooled)
        for k in range(len(blocks) - 1, -1, -1):
            A, Z, R = blocks[k]
            dZ = f["maxpool_backward"](dA, R, POOL, POOL) * f["relu_deriv"](Z)
            dA, dW, db = f["conv_backward"](dZ, A, params[2 * k], 1, PAD)
            grads[:0] = [dW, db]
        return AL, grads

    def probabilities(params: list, X: np.ndarray, chunk: int = 1000) -> np.ndarray:
        return np.concatenate([forward(params, X[:, i:i + chunk])[0]
                               for i in range(0, X.shape[1], chunk)], axis=1)

    return step, probabilities


def _optimiser(functions: dict[str, Callable], s: TrainingSettings) -> Callable:
    """update(params, grads, alpha) -> the new parameters (lists in the order W1, b1, ...),
    with the learner's update_params, or their momentum_step or adam_step on dicts (the
    optimiser's state kept here)."""
    if s.optimizer == "sgd":
        return lambda params, grads, alpha: functions["update_params"](*params, *grads, alpha)
    state: dict[str, Any] = {"t": 0}

    def update(arrays: list, gradients: list, alpha: float) -> list:
        keys = names(len(arrays))
        params, grads = dict(zip(keys, arrays)), dict(zip(keys, gradients))
        for name in ("m", "v", "velocity"):
            if name not in state:
                state[name] = {k: np.zeros_like(p) for k, p in params.items()}
        state["t"] += 1
        if s.optimizer == "momentum":
            params, state["velocity"] = functions["momentum_step"](
                params, grads, state["velocity"], alpha)
        else:
            params, state["m"], state["v"] = functions["adam_step"](
                params, grads, state["m"], state["v"], state["t"], alpha)
        return [params[k] for k in keys]

    return update


def _outcome(params, history, step, epoch, stopped) -> dict[str, Any]:
    return {"params": tuple(np.asarray(p) for p in params), "history": history, "steps": step,
            "epochs": epoch, "stopped": stopped}


def fit(functions: dict[str, Callable], *, X: np.ndarray, Y: np.ndarray, X_dev: np.ndarray,
        Y_dev: np.ndarray, settings: dict, watch: Callable[[Callable], Any],
        progress: Callable[[dict], None] = lambda event: None) -> dict[str, Any]:
    """Train with the learner's own gradient_descent. `watch(update)` binds a wrapper of the
    learner's update_params wherever it is bound while gradient_descent runs (a context
    manager): it counts the steps and looks at the dev accuracy every settings.eval_every."""
    s = TrainingSettings(**settings)
    X, X_dev = _scaled(X), _scaled(X_dev)
    forward, update = functions["forward_prop"], functions["update_params"]
    m = X.shape[1]
    per_epoch = 1 if s.batch_size is None else -(-m // s.batch_size)
    history: list[dict] = []
    steps = 0

    def watched(*args: Any, **kwargs: Any) -> Any:
        nonlocal steps
        params = update(*args, **kwargs)
        steps += 1
        if steps % s.eval_every == 0:
            with np.errstate(all="ignore"):
                A2 = np.asarray(forward(*params, X_dev)[3])
                loss = float(-np.log(np.clip(A2[Y_dev, np.arange(Y_dev.size)], 1e-12, 1)).mean())
            event = {"step": steps, "epoch": min(s.epochs, -(-steps // per_epoch)), "loss": loss,
                     "dev_accuracy": float((A2.argmax(axis=0) == Y_dev).mean())}
            history.append(event)
            progress(event)
        return params

    with watch(watched):
        params = functions["gradient_descent"](X, Y, s.alpha, s.epochs, s.batch_size,
                                               np.random.default_rng(s.seed))
    params = tuple(np.asarray(p) for p in params) if isinstance(params, (tuple, list)) \
        else params
    finite = isinstance(params, tuple) and all(p.dtype.kind in "biuf" and np.isfinite(p).all()
                                               for p in params)
    return {"params": params, "history": history, "steps": steps,
            "epochs": min(s.epochs, -(-steps // per_epoch)),
            "stopped": "end" if finite else f"nan:{steps}"}
