"""Training inside the worker, with the learner's own forward_prop, backward_prop and
update_params (chapter 1's network).

Only the learner's functions and NumPy run here: the loss watched along the way is computed
from the learner's own outputs, and the grader scores the parameters that come back with its
own forward pass (grader.training).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.catalog import TrainingSettings


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


def train(functions: dict[str, Callable], *, X: np.ndarray, Y: np.ndarray, X_dev: np.ndarray,
          Y_dev: np.ndarray, layers: list[int], settings: dict,
          progress: Callable[[dict], None] = lambda event: None) -> dict[str, Any]:
    """Train with the learner's functions; stop early at settings.stop_at dev accuracy."""
    forward, backward, update = (functions[n] for n in ("forward_prop", "backward_prop",
                                                        "update_params"))
    s = TrainingSettings(**settings)
    rng = np.random.default_rng(s.seed)
    X, X_dev = X / 255.0, X_dev / 255.0
    params = initial_params(rng, layers, s.init)
    m = X.shape[1]
    batch = s.batch_size or m
    history: list[dict] = []
    step, losses, first_loss, epoch = 0, [], None, 0
    for epoch in range(1, s.epochs + 1):
        order = rng.permutation(m) if s.batch_size else None
        for start in range(0, m, batch):
            xb, yb = (X, Y) if order is None else (X[:, order[start:start + batch]],
                                                   Y[order[start:start + batch]])
            Z1, A1, Z2, A2 = forward(*params, xb)
            with np.errstate(all="ignore"):
                loss = float(-np.log(np.asarray(A2)[yb, np.arange(yb.size)]).mean())
            grads = backward(Z1, A1, Z2, A2, params[0], params[2], xb, yb)
            params = list(update(*params, *grads, s.alpha))
            step += 1
            losses.append(loss)
            first_loss = loss if first_loss is None else first_loss
            if not np.isfinite(loss) or not all(np.isfinite(p).all() for p in params):
                return _outcome(params, history, step, epoch, f"nan:{step}")
            if loss > 4 * first_loss + 1 and step >= 10:
                return _outcome(params, history, step, epoch, f"diverged:{step}")
            if step % s.eval_every == 0:
                dev_acc = float((np.asarray(forward(*params, X_dev)[3]).argmax(axis=0) == Y_dev).mean())
                event = {"step": step, "epoch": epoch, "loss": float(np.mean(losses)),
                         "dev_accuracy": dev_acc}
                history.append(event)
                progress(event)
                losses = []
                if s.stop_at is not None and dev_acc >= s.stop_at:
                    return _outcome(params, history, step, epoch, "target")
    return _outcome(params, history, step, epoch, "end")


def _outcome(params, history, step, epoch, stopped) -> dict[str, Any]:
    return {"params": tuple(np.asarray(p) for p in params), "history": history, "steps": step,
            "epochs": epoch, "stopped": stopped}
