"""relu_deriv(Z) = 1.0 where Z > 0, else 0.0."""

import numpy as np
import pytest

from grader import network
from grader.checking import DTYPES, outputs_match, leaves_inputs_untouched, matches_reference
from grader.diagnosis import Mistake
from grader.edits import formula

# 1.0/0.0, True/False and 1/0 are all this derivative (the notebook's own is `Z > 0`).
reference = network.relu_deriv
PROGRAM = formula("relu_deriv", "return (Z > 0) * 1.0")

MISTAKES = (
    Mistake("at_zero", "relu_deriv gives 1.0 at Z = 0; the derivative is taken as 0.0 there: "
            "use Z > 0, not Z >= 0", lambda a: (a["Z"] >= 0).astype(float)),
    Mistake("is_relu", "relu_deriv returns max(0, Z) (that is relu itself); the derivative is "
            "1.0 where Z > 0 and 0.0 elsewhere", lambda a: network.relu(a["Z"])),
    Mistake("ones", "relu_deriv is 1.0 everywhere: it must be 0.0 where Z <= 0",
            lambda a: np.ones_like(a["Z"])),
    Mistake("inverted", "relu_deriv is inverted: 1.0 where Z < 0; it must be 1.0 where Z > 0",
            lambda a: (a["Z"] < 0).astype(float)),
)


def check_fixed(learner):
    """is 1.0 where Z > 0 and 0.0 elsewhere, including at Z = 0"""
    Z = np.array([[-2.0, 0.0, 1e-6], [3.0, -1e-6, 0.0]])
    expected = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    outputs_match(learner, {"Z": Z}, expected, what="relu_deriv(Z) for Z = [[-2, 0, 1e-06], "
                  "[3, -1e-06, 0]]", rtol=0, atol=0, floating=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("shape", [(10, 1), (10, 7), (3, 13)], ids=str)
def check_random(learner, rng, shape, dtype):
    """matches the reference on random inputs"""
    matches_reference(learner, {"Z": rng.normal(0, 2, shape).astype(dtype)}, floating=False)


def check_untouched(learner, rng):
    """leaves Z unchanged"""
    leaves_inputs_untouched(learner, {"Z": rng.normal(0, 2, (10, 7))})
