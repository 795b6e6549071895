"""backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y) -> (dW1, db1, dW2, db2)."""

import numpy as np
import pytest

from grader import network
from grader.checking import BATCH_SIZES, backward_inputs, leaves_inputs_untouched, matches_reference
from grader.compare import expect_tuple
from grader.diagnosis import Mistake
from grader.edits import formula
from grader.gradcheck import expect_gradients, kink_free_network

GRADIENTS = ("dW1", "db1", "dW2", "db2")


def reference(Z1, A1, Z2, A2, W1, W2, X, Y):
    grads = network.backward({"W1": W1, "W2": W2}, [(Z1, A1), (Z2, A2)], X, Y)
    return tuple(grads[name] for name in GRADIENTS)


PROGRAM = formula("backward_prop", """
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y, A2.shape[0])
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = W2.T @ dZ2 * relu_deriv(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2
    """, scale="m")


def _wrong(a: dict, *, sign=1.0, deriv=True, w2t=True, db_sum_all=False) -> tuple:
    m = a["X"].shape[1]
    dZ2 = sign * (a["A2"] - network.one_hot(a["Y"], a["A2"].shape[0]))
    W2 = a["W2"].T if w2t else a["W2"]
    dZ1 = W2 @ dZ2 * (network.relu_deriv(a["Z1"]) if deriv else 1.0)
    db2 = np.array(dZ2.sum() / m) if db_sum_all else dZ2.sum(axis=1, keepdims=True) / m
    return dZ1 @ a["X"].T / m, dZ1.sum(axis=1, keepdims=True) / m, dZ2 @ a["A1"].T / m, db2


MISTAKES = (
    Mistake("sign", "dZ2 has the wrong sign: it must be A2 - one_hot(Y)",
            lambda a: _wrong(a, sign=-1.0)),
    Mistake("no_relu_deriv", "dZ1 misses the factor relu_deriv(Z1): dZ1 = W2^T dZ2 * "
            "relu_deriv(Z1)", lambda a: _wrong(a, deriv=False)),
    Mistake("w2_not_transposed", "dZ1 uses W2 where it needs W2.T: dZ1 = W2.T @ dZ2 * "
            "relu_deriv(Z1)", lambda a: _wrong(a, w2t=False)),
    Mistake("db2_scalar", "db2 is a scalar: sum dZ2 over axis=1 with keepdims=True, giving shape "
            "(10, 1)", lambda a: _wrong(a, db_sum_all=True)),
)


@pytest.mark.parametrize("m", BATCH_SIZES, ids=lambda m: f"m={m}")
def check_random(learner, rng, m):
    """returns dW1, db1, dW2, db2 matching the reference"""
    matches_reference(learner, backward_inputs(rng, m))


def check_float32(learner, rng):
    """works for float32 inputs"""
    matches_reference(learner, backward_inputs(rng, 7, np.float32))


def check_finite_differences(learner, rng):
    """agrees with a finite-difference gradient of the mean cross-entropy"""
    net = kink_free_network(rng, m=7)
    grads = expect_tuple(learner(*(net[k] for k in learner.exercise.arg_names)), GRADIENTS,
                         "backward_prop")
    params = {k: net[k] for k in ("W1", "b1", "W2", "b2")}
    expect_gradients(dict(zip(GRADIENTS, grads)), params, net["X"], net["Y"], rng)


def check_untouched(learner, rng):
    """leaves its eight inputs unchanged"""
    leaves_inputs_untouched(learner, backward_inputs(rng, 7))
