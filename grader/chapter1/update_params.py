"""update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha) -> (W1, b1, W2, b2)."""

import numpy as np
import pytest

from grader import network
from grader.checking import backward_inputs, leaves_inputs_untouched, matches_reference, params_of
from grader.diagnosis import Mistake
from grader.edits import formula

PARAMS = ("W1", "b1", "W2", "b2")


def reference(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return tuple(p - alpha * g for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)))


PROGRAM = formula("update_params",
                  "return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2")


def _wrong(a: dict, *, sign=-1.0, alpha=True, biases=True) -> tuple:
    step = a["alpha"] if alpha else 1.0
    new = [a[n] + sign * step * a[f"d{n}"] for n in PARAMS]
    if not biases:
        new[1], new[3] = a["b1"], a["b2"]
    return tuple(new)


MISTAKES = (
    Mistake("adds", "the update adds the gradient instead of subtracting it: W = W - alpha * dW",
            lambda a: _wrong(a, sign=1.0)),
    Mistake("no_alpha", "the step ignores alpha: W = W - alpha * dW",
            lambda a: _wrong(a, alpha=False)),
    Mistake("no_biases", "b1 and b2 are not updated: b = b - alpha * db too",
            lambda a: _wrong(a, biases=False)),
    Mistake("unchanged", "update_params returns the parameters unchanged",
            lambda a: tuple(a[n] for n in PARAMS)),
)


def _step_inputs(rng, dtype=np.float64, alpha=0.1):
    net = backward_inputs(rng, 7, dtype)
    grads = network.backward(params_of(net), [(net["Z1"], net["A1"]), (net["Z2"], net["A2"])],
                             net["X"], net["Y"])
    return dict(net, **{k: g.astype(dtype) for k, g in grads.items()}, alpha=alpha)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 2.0])
def check_random(learner, rng, alpha):
    """returns W1, b1, W2, b2 after one step W -= alpha * dW"""
    matches_reference(learner, _step_inputs(rng, alpha=alpha))


def check_float32(learner, rng):
    """works for float32 parameters and gradients"""
    matches_reference(learner, _step_inputs(rng, np.float32))


def check_gradients_untouched(learner, rng):
    """leaves dW1, db1, dW2, db2 unchanged (updating W1, b1, W2, b2 in place is fine)"""
    leaves_inputs_untouched(learner, _step_inputs(rng), may_change=PARAMS)
