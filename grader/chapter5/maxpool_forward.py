"""maxpool_forward(X, size=2, stride=2) -> out (m, C, H', W'), without padding."""

import numpy as np
import pytest

from grader import convnet
from grader.chapter5 import POOLS, pool_args, pool_words, windows
from grader.checking import leaves_inputs_untouched, outputs_match
from grader.diagnosis import Mistake

reference = convnet.maxpool_forward


def _win(a: dict, **mistake) -> np.ndarray:
    return windows(a["X"], a["size"], a["size"], a["stride"], 0, **mistake)


MISTAKES = (
    Mistake("poolf_average", "each window is averaged: max-pooling keeps its largest value, "
            "np.max over the window", lambda a: _win(a).mean(axis=(4, 5))),
    Mistake("poolf_stride_ignored", "the windows start at every pixel, as if stride were 1: window "
            "(y, x) starts at row y * stride and column x * stride",
            lambda a: windows(a["X"], a["size"], a["size"], 1, 0).max(axis=(4, 5))),
    Mistake("poolf_size_off_by_one", "one row and one column of windows are missing: H' = (H - size) "
            "// stride + 1, the + 1 counting the first window",
            lambda a: _win(a, one_less=True).max(axis=(4, 5))),
    Mistake("poolf_min", "each window gives its smallest value: max-pooling keeps the largest",
            lambda a: _win(a).min(axis=(4, 5))),
)


def _matches(learner, a: dict) -> np.ndarray:
    return outputs_match(learner, a, what=f"maxpool_forward(...) for {pool_words(a)}")


@pytest.mark.parametrize("case", POOLS, ids=[c.id for c in POOLS])
def check_shapes(learner, rng, case):
    """matches the reference for several window sizes and strides"""
    _matches(learner, pool_args(rng, case))


def check_example(learner, rng):
    """a small example worked out by hand"""
    X = np.array([[[[1.0, 3, 0, 2], [2, 0, 5, 1], [4, 4, 1, 1], [0, 1, 1, 9]]]])
    outputs_match(learner, {"X": X, "size": 2, "stride": 2}, np.array([[[[3.0, 5], [4, 9]]]]),
                  what="maxpool_forward(X, 2, 2) for X = [[1, 3, 0, 2], [2, 0, 5, 1], [4, 4, 1, "
                       "1], [0, 1, 1, 9]]")

def check_float32(learner, rng):
    """works for float32 images"""
    _matches(learner, pool_args(rng, POOLS[0], np.float32))


def check_negative(learner, rng):
    """works when every value is negative"""
    a = pool_args(rng, POOLS[0])
    _matches(learner, {**a, "X": -np.abs(a["X"]) - 1})


def check_untouched(learner, rng):
    """leaves X unchanged"""
    leaves_inputs_untouched(learner, pool_args(rng, POOLS[2]))
