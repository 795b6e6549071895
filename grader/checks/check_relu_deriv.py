"""relu_deriv(Z) = 1.0 where Z > 0, else 0.0."""

import numpy as np
import pytest

from grader.checks.common import DTYPES, leaves_inputs_untouched, matches_reference
from grader.compare import expect_array


def check_fixed(learner):
    """is 1.0 where Z > 0 and 0.0 elsewhere, including at Z = 0"""
    Z = np.array([[-2.0, 0.0, 1e-6], [3.0, -1e-6, 0.0]])
    expected = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    expect_array(learner(Z), expected,
                 "relu_deriv(Z) for Z = [[-2, 0, 1e-06], [3, -1e-06, 0]]", rtol=0, atol=0)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("shape", [(10, 1), (10, 7), (3, 13)], ids=str)
def check_random(learner, rng, shape, dtype):
    """matches the reference on random inputs"""
    matches_reference(learner, {"Z": rng.normal(0, 2, shape).astype(dtype)})


def check_untouched(learner, rng):
    """leaves Z unchanged"""
    leaves_inputs_untouched(learner, {"Z": rng.normal(0, 2, (10, 7))})
