"""im2col(X, kh, kw, stride=1, pad=0) -> cols (C kh kw, m H' W').

Rows in the order (c, i, j), that of W.reshape(F, -1)'s columns; columns in the order
(n, y, x). CS231n's im2col_indices orders its columns (y, x, n): a conv_forward built on it
is right, the columns are not this exercise's, and the message says which order came.
"""

import numpy as np
import pytest

from grader import convnet
from grader.chapter5 import CONVS, ONE_SIDE, columns, conv_args, conv_words, windows
from grader.checking import leaves_inputs_untouched, outputs_match
from grader.diagnosis import Mistake

reference = convnet.im2col


def _cols(a: dict, order: str = "cij,nyx", **mistake) -> np.ndarray:
    return columns(windows(a["X"], a["kh"], a["kw"], a["stride"], a["pad"], **mistake), order)


MISTAKES = (
    Mistake("im2col_rows_ijc", "the rows are in the order (i, j, c), offset first and channel last: "
            "W.reshape(F, -1) orders a filter's weights (c, i, j), so the rows must follow it "
            "(move the channel axis before the offsets)", lambda a: _cols(a, "ijc,nyx")),
    Mistake("im2col_columns_yxn", "the columns are in the order (y, x, n), as CS231n's im2col_indices "
            "makes them: this exercise's columns go example by example, (n, y, x), so that "
            "column (n * H' + y) * W' + x is example n's window at (y, x)",
            lambda a: _cols(a, "cij,yxn")),
    Mistake("im2col_pad_before", ONE_SIDE, lambda a: _cols(a, sides="before")),
    Mistake("im2col_pad_after", ONE_SIDE, lambda a: _cols(a, sides="after")),
    Mistake("im2col_size_off_by_one", "one row and one column of windows are missing: H' = (H + 2 pad "
            "- kh) // stride + 1, the + 1 counting the first window",
            lambda a: _cols(a, one_less=True)),
    Mistake("im2col_stride_ignored", "the windows start at every pixel, as if stride were 1: window "
            "(y, x) starts at row y * stride and column x * stride",
            lambda a: _cols({**a, "stride": 1})),
)


def _matches(learner, a: dict) -> np.ndarray:
    return outputs_match(learner, a, what=f"im2col(...) for {conv_words(a)}, kh = {a['kh']}, "
                         f"kw = {a['kw']}")


@pytest.mark.parametrize("case", CONVS, ids=[c.id for c in CONVS])
def check_shapes(learner, rng, case):
    """matches the reference for several filter sizes, strides and paddings"""
    _matches(learner, conv_args(rng, case))


def check_example(learner, rng):
    """a small example worked out by hand"""
    X = np.arange(9.0).reshape(1, 1, 3, 3)
    # The four 2x2 windows of [[0, 1, 2], [3, 4, 5], [6, 7, 8]], one per column.
    outputs_match(learner, {"X": X, "kh": 2, "kw": 2, "stride": 1, "pad": 0},
                  np.array([[0.0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]),
                  what="im2col(X, 2, 2) for X = np.arange(9.0).reshape(1, 1, 3, 3)")

def check_float32(learner, rng):
    """works for float32 images"""
    _matches(learner, conv_args(rng, CONVS[1], np.float32))


def check_untouched(learner, rng):
    """leaves X unchanged"""
    leaves_inputs_untouched(learner, conv_args(rng, CONVS[1]))
