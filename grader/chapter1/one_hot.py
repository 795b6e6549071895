"""one_hot(Y, num_classes=10): column j is e_{Y[j]}."""

import numpy as np
import pytest

from grader import network
from grader.checking import outputs_match, leaves_inputs_untouched
from grader.compare import NotAsked
from grader.diagnosis import Mistake, Symptom

reference = network.one_hot


def _rows(Y: np.ndarray, rows: int, shift: int = 0) -> np.ndarray:
    T = np.zeros((rows, Y.size))
    T[(Y - shift) % rows, np.arange(Y.size)] = 1.0
    return T


MISTAKES = (
    Symptom("integers", lambda a, got: "one_hot returns integers; the result must hold floats: "
            "np.zeros(...) is float"
            if isinstance(got, np.ndarray) and got.dtype.kind in "iub" else None),
    Mistake("max_rows", "one_hot has Y.max()+1 rows instead of num_classes",
            lambda a: _rows(a["Y"], int(a["Y"].max()) + 1)),
    Mistake("transposed", "one_hot is transposed: each column must be one example, shape "
            "(num_classes, m), not (m, num_classes)",
            lambda a: network.one_hot(a["Y"], a.get("num_classes", 10)).T),
    Mistake("one_based", "one_hot puts the 1 in row Y[j] - 1; the row is the label itself "
            "(digit 0 is row 0)", lambda a: _rows(a["Y"], a.get("num_classes", 10), shift=1)),
    Mistake("ten_rows", "one_hot ignores num_classes and always makes 10 rows",
            lambda a: _rows(a["Y"], 10)),
)


def _expected(Y, num_classes):
    T = np.zeros((num_classes, len(Y)))
    for j, y in enumerate(Y):
        T[y, j] = 1.0
    return T


def check_fixed(learner):
    """turns Y = [2, 0, 9] into a (10, 3) matrix with a single 1.0 per column"""
    Y = np.array([2, 0, 9])
    outputs_match(learner, {"Y": Y}, _expected(Y, 10), what="one_hot(Y) for Y = [2, 0, 9]", rtol=0,
                  atol=0)


@pytest.mark.parametrize("labels", [[3, 3, 1], [0], [7, 7, 7, 7, 7, 7, 7]], ids=str)
def check_missing_classes(learner, labels):
    """has 10 rows even when some digits do not occur in Y"""
    Y = np.array(labels)
    outputs_match(learner, {"Y": Y}, _expected(Y, 10), what=f"one_hot(Y) for Y = {labels}", rtol=0,
                  atol=0)


@pytest.mark.parametrize("num_classes", [4, 12])
def check_num_classes(learner, rng, num_classes):
    """uses num_classes for the number of rows"""
    if not learner.takes("num_classes"):
        raise NotAsked("not asked: your one_hot takes no num_classes (as the original "
                       "notebook's one_hot(Y)), so it is held to 10 classes only")
    Y = rng.integers(0, num_classes - 1, 9)  # never the last class
    outputs_match(learner, {"Y": Y, "num_classes": num_classes}, _expected(Y, num_classes),
                  what=f"one_hot(Y, num_classes={num_classes}) for Y = {Y.tolist()}", rtol=0,
                  atol=0)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8], ids=lambda d: d.__name__)
def check_random(learner, rng, dtype):
    """matches the reference for random labels of any integer dtype"""
    Y = rng.integers(0, 10, 13).astype(dtype)
    outputs_match(learner, {"Y": Y}, _expected(Y, 10),
                  what=f"one_hot(Y) for Y = {Y.tolist()} ({Y.dtype})", rtol=0, atol=0)


def check_untouched(learner, rng):
    """leaves Y unchanged"""
    leaves_inputs_untouched(learner, {"Y": rng.integers(0, 10, 7)})
