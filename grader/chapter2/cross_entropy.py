"""cross_entropy(A2, Y) -> the mean cross-entropy, a float."""

import numpy as np
import pytest

from grader import network
from grader.checking import BATCH_SIZES, DTYPES, leaves_inputs_untouched, number_matches
from grader.compare import CheckFailed, as_number, num
from grader.diagnosis import Mistake

FLOOR = 1e-300  # the reference's clip: finite for a probability of 0, exact for any other


def reference(A2, Y):
    p = np.asarray(A2, dtype=np.float64)[np.asarray(Y), np.arange(np.size(Y))]
    return float(-np.log(np.maximum(p, FLOOR)).mean())


def _picked(a: dict) -> np.ndarray:
    return np.asarray(a["A2"], dtype=np.float64)[a["Y"], np.arange(a["Y"].size)]


MISTAKES = (
    Mistake("sum", "the loss is the sum over the examples, not their mean: divide by m",
            lambda a: float(-np.log(_picked(a)).sum())),
    Mistake("all_entries", "the mean runs over all 10 x m entries of the one-hot product "
            "(np.mean(T * log A2) divides by 10 m): sum over the classes, then average over "
            "the m columns",
            lambda a: float(-(network.one_hot(a["Y"], a["A2"].shape[0])
                              * np.log(a["A2"])).mean())),
    Mistake("no_minus", "the sign is missing: the loss is minus the mean log-probability",
            lambda a: float(np.log(_picked(a)).mean())),
    Mistake("log10", "np.log10 is used where the natural log np.log belongs",
            lambda a: float(-np.log10(_picked(a)).mean())),
    Mistake("rows_only", "A2[Y] picks whole rows (an (m, m) matrix of every example's "
            "probability of each label): index row and column together, A2[Y, np.arange(m)]",
            lambda a: float(-np.log(np.asarray(a["A2"], dtype=np.float64)[a["Y"]]).sum()
                            / a["Y"].size)),
    Mistake("unprotected", "log(0) is -inf: clip the probabilities first, "
            "np.clip(p, 1e-12, 1.0), so that a probability of 0 gives a large finite loss",
            lambda a: float(-np.log(_picked(a)).mean())),
    Mistake("binary", "this is binary cross-entropy summed over the 10 classes (the (1 - T) "
            "log(1 - A2) terms): the softmax loss keeps only -log A2[Y[j], j]",
            lambda a: float(-(network.one_hot(a["Y"], a["A2"].shape[0]) * np.log(a["A2"])
                              + (1 - network.one_hot(a["Y"], a["A2"].shape[0]))
                              * np.log(1 - a["A2"])).sum(axis=0).mean())),
)


def loss_inputs(rng: np.random.Generator, m: int, dtype: type = np.float64) -> dict:
    """Softmax outputs of scores like a half-trained network's, and labels."""
    A2 = network.softmax(rng.normal(0.0, 2.0, (10, m))).astype(dtype)
    return {"A2": A2, "Y": rng.integers(0, 10, m)}


@pytest.mark.parametrize("m", BATCH_SIZES, ids=lambda m: f"m={m}")
def check_random(learner, rng, m):
    """returns the mean of -log A2[Y[j], j]"""
    number_matches(learner, loss_inputs(rng, m), rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def check_dtypes(learner, rng, dtype):
    """works for float32 and float64 probabilities"""
    number_matches(learner, loss_inputs(rng, 7, dtype), rtol=1e-4 if dtype == np.float32
                   else 1e-5)


def check_zero_probability(learner, rng):
    """stays finite when the right class has probability 0"""
    args = loss_inputs(rng, 7)
    A2, Y = args["A2"].copy(), args["Y"]
    A2[Y[2], 2] = 0.0  # example 2 is sure it is not its own digit
    A2[:, 2] /= A2[:, 2].sum()
    what = ("cross_entropy(...) when A2[Y[2], 2] = 0 (the right class of example 2 has "
            "probability 0)")
    value = as_number(learner(A2, Y), what)
    if not np.isfinite(value):
        said = next(m.says for m in MISTAKES if m.key == "unprotected")
        raise CheckFailed(f"{what} is {value}\nLikely cause: {said}", [said])
    # That example alone should cost at least 10 (-log(1e-12) is 27.6).
    floor = (reference(np.delete(A2, 2, axis=1), np.delete(Y, 2)) * 6 + 10) / 7
    if value < floor:
        raise CheckFailed(f"{what} is {num(value)}: that example should cost a large loss, at "
                          f"least 10 (-log(1e-12) is 27.6), so the mean should be above "
                          f"{num(floor)}")


def check_untouched(learner, rng):
    """leaves A2 and Y unchanged"""
    leaves_inputs_untouched(learner, loss_inputs(rng, 7))
