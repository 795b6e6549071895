"""predict(A2) -> the most probable class of each column, int (m,)."""

import numpy as np
import pytest

from grader.chapter2.cross_entropy import loss_inputs
from grader.checking import BATCH_SIZES, leaves_inputs_untouched, outputs_match
from grader.compare import CheckFailed
from grader.diagnosis import Mistake


def reference(A2):
    return np.asarray(A2).argmax(axis=0)


MISTAKES = (
    Mistake("axis1", "the argmax runs over axis 1, along each row: each column's own "
            "largest row is np.argmax(A2, axis=0)", lambda a: np.asarray(a["A2"]).argmax(axis=1)),
    Mistake("flat", "np.argmax without an axis gives one index into the flattened matrix: "
            "use axis=0", lambda a: np.asarray(np.asarray(a["A2"]).argmax())),
    Mistake("max", "this is each column's largest probability (np.max), not its row "
            "(np.argmax)", lambda a: np.asarray(a["A2"]).max(axis=0)),
)


# m = 10 too: a square A2, where argmax over the wrong axis keeps the right shape.
@pytest.mark.parametrize("m", (*BATCH_SIZES, 10), ids=lambda m: f"m={m}")
def check_random(learner, rng, m):
    """returns the row of each column's largest value"""
    got = outputs_match(learner, loss_inputs(rng, m), floating=False)
    if np.asarray(got).dtype.kind not in "iu":
        raise CheckFailed(f"predict(...) returns the right classes as {np.asarray(got).dtype}: "
                          "they should be integers, as np.argmax gives them")


def check_untouched(learner, rng):
    """leaves A2 unchanged"""
    leaves_inputs_untouched(learner, loss_inputs(rng, 7))
