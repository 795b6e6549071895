"""forward_prop(W1, b1, W2, b2, X) -> (Z1, A1, Z2, A2)."""

import pytest

from grader.checks.common import BATCH_SIZES, DTYPES, leaves_inputs_untouched, matches_reference, network


@pytest.mark.parametrize("m", BATCH_SIZES, ids=lambda m: f"m={m}")
def check_random(learner, rng, m):
    """returns Z1, A1, Z2, A2 matching the reference"""
    matches_reference(learner, network(rng, m))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def check_dtypes(learner, rng, dtype):
    """works for float32 and float64 inputs"""
    matches_reference(learner, network(rng, 7, dtype))


def check_untouched(learner, rng):
    """leaves W1, b1, W2, b2 and X unchanged"""
    leaves_inputs_untouched(learner, network(rng, 7))
