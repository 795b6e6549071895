"""backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y) -> (dW1, db1, dW2, db2)."""

import numpy as np
import pytest

from grader.checks.common import (BATCH_SIZES, OUTPUTS, backward_inputs, leaves_inputs_untouched,
                                  matches_reference)
from grader.compare import expect_tuple
from grader.gradcheck import expect_gradients, kink_free_network


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
    grads = expect_tuple(learner(net["Z1"], net["A1"], net["Z2"], net["A2"], net["W1"],
                                 net["W2"], net["X"], net["Y"]), OUTPUTS["backward_prop"],
                         "backward_prop")
    expect_gradients(dict(zip(OUTPUTS["backward_prop"], grads)), net, rng)


def check_untouched(learner, rng):
    """leaves its eight inputs unchanged"""
    leaves_inputs_untouched(learner, backward_inputs(rng, 7))
