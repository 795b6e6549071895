"""update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha) -> (W1, b1, W2, b2)."""

import numpy as np
import pytest

from grader.checks.common import backward_inputs, leaves_inputs_untouched, matches_reference
from grader import reference


def _step_inputs(rng, dtype=np.float64, alpha=0.1):
    net = backward_inputs(rng, 7, dtype)
    grads = reference.backward_prop(*(net[k] for k in ("Z1", "A1", "Z2", "A2", "W1", "W2", "X", "Y")))
    grads = [g.astype(dtype) for g in grads]
    return dict(net, dW1=grads[0], db1=grads[1], dW2=grads[2], db2=grads[3], alpha=alpha)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 2.0])
def check_random(learner, rng, alpha):
    """returns W1, b1, W2, b2 after one step W -= alpha * dW"""
    matches_reference(learner, _step_inputs(rng, alpha=alpha))


def check_float32(learner, rng):
    """works for float32 parameters and gradients"""
    matches_reference(learner, _step_inputs(rng, np.float32))


def check_gradients_untouched(learner, rng):
    """leaves dW1, db1, dW2, db2 unchanged (updating W1, b1, W2, b2 in place is fine)"""
    leaves_inputs_untouched(learner, _step_inputs(rng), may_change=("W1", "b1", "W2", "b2"))
