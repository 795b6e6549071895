"""relu(Z) = max(0, Z), element by element."""

import numpy as np
import pytest

from grader import network
from grader.checking import DTYPES, outputs_match, leaves_inputs_untouched, matches_reference
from grader.diagnosis import Mistake
from grader.edits import formula

reference = network.relu
PROGRAM = formula("relu", "return relu(Z)")  # its edits: another activation, or none

MISTAKES = (
    Mistake("minimum", "relu keeps the negative part (np.minimum); ReLU keeps the positive "
            "part: np.maximum(Z, 0)", lambda a: np.minimum(a["Z"], 0)),
    Mistake("absolute", "relu returns |Z|: negative numbers must become 0, not positive",
            lambda a: np.abs(a["Z"])),
    Mistake("mask", "relu returns the 0/1 mask Z > 0 (that is relu_deriv); relu returns Z "
            "itself where Z > 0", lambda a: (a["Z"] > 0).astype(float)),
    Mistake("identity", "relu returns Z unchanged: every negative entry must become 0",
            lambda a: a["Z"]),
)


def check_fixed(learner):
    """matches max(0, Z) on a small fixed Z with negatives, zeros and positives"""
    Z = np.array([[-2.0, -0.5, 0.0, 4.0], [0.5, 3.0, -1e-3, -7.0]])
    expected = np.array([[0.0, 0.0, 0.0, 4.0], [0.5, 3.0, 0.0, 0.0]])
    outputs_match(learner, {"Z": Z}, expected,
                  what="relu(Z) for Z = [[-2, -0.5, 0, 4], [0.5, 3, -0.001, -7]]", rtol=0, atol=0)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("shape", [(10, 1), (10, 7), (3, 13)], ids=str)
def check_random(learner, rng, shape, dtype):
    """matches the reference on random inputs"""
    matches_reference(learner, {"Z": rng.normal(0, 2, shape).astype(dtype)})


def check_untouched(learner, rng):
    """leaves Z unchanged"""
    leaves_inputs_untouched(learner, {"Z": rng.normal(0, 2, (10, 7))})
