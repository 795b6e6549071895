"""accuracy(predictions, Y) -> the fraction of equal labels, a float in [0, 1]."""

import numpy as np
import pytest

from grader.checking import leaves_inputs_untouched, number_matches
from grader.diagnosis import Mistake


def reference(predictions, Y):
    return float(np.count_nonzero(np.asarray(predictions) == np.asarray(Y)) / np.size(Y))


MISTAKES = (
    Mistake("count", "accuracy is the count of right predictions: divide it by the number of "
            "examples, Y.size", lambda a: float(np.sum(a["predictions"] == a["Y"]))),
    Mistake("percent", "accuracy is a percentage: return the fraction, between 0 and 1",
            lambda a: 100.0 * float(np.mean(a["predictions"] == a["Y"]))),
    Mistake("error_rate", "this is the error rate, the fraction wrong: accuracy is the "
            "fraction right", lambda a: float(np.mean(a["predictions"] != a["Y"]))),
)


def label_inputs(rng: np.random.Generator, m: int, right: float) -> dict:
    """Labels, and predictions of which about `right` are equal to them."""
    Y = rng.integers(0, 10, m)
    wrong = rng.random(m) > right
    return {"predictions": np.where(wrong, (Y + rng.integers(1, 10, m)) % 10, Y), "Y": Y}


@pytest.mark.parametrize("m, right", [(20, 0.7), (13, 0.4), (1, 1.0)],
                         ids=["m=20", "m=13", "m=1"])
def check_random(learner, rng, m, right):
    """returns the fraction of predictions equal to Y"""
    number_matches(learner, label_inputs(rng, m, right))


def check_untouched(learner, rng):
    """leaves predictions and Y unchanged"""
    leaves_inputs_untouched(learner, label_inputs(rng, 20, 0.7))
