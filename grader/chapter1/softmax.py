"""softmax(Z): column-wise softmax, finite for any finite Z."""

import numpy as np
import pytest

from grader import network
from grader.checking import DTYPES, outputs_match, leaves_inputs_untouched, matches_reference
from grader.compare import CheckFailed, expect_array, num
from grader.diagnosis import Mistake
from grader.edits import formula

reference = network.softmax
PROGRAM = formula("softmax", """
    E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return E / np.sum(E, axis=0, keepdims=True)
    """)


def _softmax(Z: np.ndarray, axis: int | None) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


MISTAKES = (
    Mistake("rows", "softmax normalises each row (axis=1); each column is one example, so "
            "normalise over axis=0", lambda a: _softmax(a["Z"], 1)),
    Mistake("global_sum", "softmax divides by the sum of all elements; normalise each column on "
            "its own: E.sum(axis=0, keepdims=True)", lambda a: _softmax(a["Z"], None)),
    Mistake("no_max_shift", "softmax overflows: exp of a large number is inf. Subtract each "
            "column's max first: exp(Z - Z.max(axis=0, keepdims=True))",
            lambda a: np.exp(a["Z"]) / np.exp(a["Z"]).sum(axis=0, keepdims=True)),
    Mistake("global_max", "softmax subtracts the largest element of the whole matrix, so columns "
            "far below it underflow to 0/0; subtract each column's own max "
            "(axis=0, keepdims=True)", lambda a: np.exp(a["Z"] - a["Z"].max())
            / np.exp(a["Z"] - a["Z"].max()).sum(axis=0, keepdims=True)),
    Mistake("no_division", "softmax returns the exponentials without dividing by their column "
            "sums", lambda a: np.exp(a["Z"] - a["Z"].max(axis=0, keepdims=True))),
    Mistake("no_exp", "softmax divides Z by its column sums without exponentiating first",
            lambda a: a["Z"] / a["Z"].sum(axis=0, keepdims=True)),
)


def check_fixed(learner):
    """matches the softmax of a small fixed Z (3 classes, 2 examples)"""
    Z = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, np.log(2.0)]])
    e = np.exp([1.0, 2.0, 3.0])
    expected = np.column_stack([e / e.sum(), [0.25, 0.25, 0.5]])
    outputs_match(learner, {"Z": Z}, expected, what="softmax(Z) for Z = [[1, 0], [2, 0], "
                  "[3, log 2]]", rtol=1e-6, atol=1e-9)


def check_columns_sum_to_one(learner, rng):
    """gives each column (one example) probabilities that sum to 1"""
    A = expect_array(learner(rng.normal(0, 3, (10, 7))), np.full((10, 7), 0.1), "softmax(Z)",
                     rtol=np.inf, atol=np.inf)
    sums = A.sum(axis=0)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > 1e-6:
        rows = A.sum(axis=1)
        axis = " (the rows sum to 1 instead: normalise over axis=0)" if np.allclose(rows, 1) else ""
        raise CheckFailed(f"for Z of shape (10, 7), column {worst} of softmax(Z) sums to "
                          f"{num(sums[worst])}, not 1{axis}")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("shape", [(10, 1), (10, 7), (4, 13)], ids=str)
def check_random(learner, rng, shape, dtype):
    """matches the reference on random inputs"""
    matches_reference(learner, {"Z": rng.normal(0, 3, shape).astype(dtype)})


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4], ids=lambda s: f"|Z| up to {s:g}")
def check_large_inputs(learner, rng, scale):
    """stays finite and exact for large |Z| (no overflow in exp)"""
    Z = rng.uniform(-scale, scale, (10, 7))
    Z[3, 2] = scale  # a column whose largest entry is the extreme value
    matches_reference(learner, {"Z": Z})


def check_untouched(learner, rng):
    """leaves Z unchanged"""
    leaves_inputs_untouched(learner, {"Z": rng.normal(0, 3, (10, 7))})
