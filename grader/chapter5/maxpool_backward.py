"""maxpool_backward(dout, X, size=2, stride=2) -> dX.

Each window's gradient goes to its first maximum in row-major order (np.argmax's): checked on
values without ties first, then on small whole numbers full of ties, so that a learner who
sends the gradient to every maximum is told exactly that. Finite differences of sum(dout *
maxpool_forward(X)) by the grader's own pooling, on values without ties, check the rest.
"""

import numpy as np
import pytest

from grader import convnet
from grader.chapter5 import POOLS, expect_finite_differences, pool_args, pool_words
from grader.checking import leaves_inputs_untouched, outputs_match
from grader.diagnosis import Mistake

reference = convnet.maxpool_backward


def _spread(a: dict, share) -> np.ndarray:
    """dX when window (y, x) of each image and channel sends share(window, its dout) there,
    shares of overlapping windows added."""
    X, dout, size, s = a["X"], a["dout"], a["size"], a["stride"]
    dX = np.zeros(X.shape, np.result_type(X, dout))
    for y in range(dout.shape[2]):
        for x in range(dout.shape[3]):
            window = X[:, :, y * s:y * s + size, x * s:x * s + size]
            dX[:, :, y * s:y * s + size, x * s:x * s + size] += share(
                window, dout[:, :, y, x, None, None])
    return dX


def _is_max(window: np.ndarray) -> np.ndarray:
    return window == window.max(axis=(2, 3), keepdims=True)


def _last(window: np.ndarray) -> np.ndarray:
    """A mask of each window's last maximum in row-major order."""
    flipped = window[:, :, ::-1, ::-1]
    return convnet.maxpool_backward(np.ones(window.shape[:2] + (1, 1)), flipped, *flipped.shape[2:]
                                    )[:, :, ::-1, ::-1]


def _overwritten(a: dict) -> np.ndarray:
    """Each window's gradient written with = : a later window overlapping it replaces the
    pixels they share, its zeros too."""
    X, dout, size, s = a["X"], a["dout"], a["size"], a["stride"]
    dX = np.zeros(X.shape, np.result_type(X, dout))
    for y in range(dout.shape[2]):
        for x in range(dout.shape[3]):
            dX[:, :, y * s:y * s + size, x * s:x * s + size] = convnet.maxpool_backward(
                dout[:, :, y:y + 1, x:x + 1], X[:, :, y * s:y * s + size, x * s:x * s + size],
                size, size)
    return dX


def _first_window_mask(a: dict) -> np.ndarray:
    X, size = a["X"], a["size"]
    first = convnet.maxpool_backward(np.ones(X.shape[:2] + (1, 1)), X[:, :, :size, :size],
                                     size, size)
    return _spread(a, lambda window, d: first * d)


MISTAKES = (
    Mistake("poolb_all_ties", "every maximum of a window gets the gradient when it holds its maximum "
            "twice: only the first in row-major order may (np.argmax's), or the gradient is "
            "counted twice", lambda a: _spread(a, lambda w, d: _is_max(w) * d)),
    Mistake("poolb_ties_shared", "the gradient is shared among a window's equal maxima: all of it "
            "goes to the first in row-major order (np.argmax's)",
            lambda a: _spread(a, lambda w, d: _is_max(w) * d / _is_max(w).sum(axis=(2, 3),
                                                                              keepdims=True))),
    Mistake("poolb_last_tie", "the gradient goes to the last of a window's equal maxima (a >= kept "
            "the later one): it goes to the first in row-major order, np.argmax's",
            lambda a: _spread(a, lambda w, d: _last(w) * d)),
    Mistake("poolb_mask_reused", "the mask of the first window is used for every window: each window "
            "needs its own, from its own maximum", _first_window_mask),
    Mistake("poolb_channel_max", "the mask compares X with the maximum of the whole image: each "
            "window's gradient goes to that window's own maximum",
            lambda a: _spread(a, lambda w, d: (w == a["X"].max(axis=(2, 3), keepdims=True)) * d)),
    Mistake("poolb_average", "dout is spread evenly over each window (average pooling's backward): "
            "max-pooling passed on one value, which alone gets the gradient",
            lambda a: _spread(a, lambda w, d: np.broadcast_to(d / w[0, 0].size, w.shape))),
    Mistake("poolb_overwritten", "the gradients of overlapping windows overwrite each other (= where "
            "+= is needed): where two windows overlap, the later one's share replaces the "
            "earlier one's, so a pixel that is the maximum of both loses a gradient", _overwritten),
)


def _matches(learner, a: dict) -> np.ndarray:
    return outputs_match(learner, a, what=f"maxpool_backward(...) for {pool_words(a)}")


@pytest.mark.parametrize("case", POOLS, ids=[c.id for c in POOLS])
def check_shapes(learner, rng, case):
    """matches the reference for several window sizes and strides"""
    _matches(learner, pool_args(rng, case))


def check_example(learner, rng):
    """a small example worked out by hand, with a tie"""
    X = np.array([[[[1.0, 3], [3, 0]]]])
    outputs_match(learner, {"dout": np.array([[[[5.0]]]]), "X": X, "size": 2, "stride": 2},
                  np.array([[[[0.0, 5], [0, 0]]]]),
                  what="maxpool_backward(dout = [[5]], X = [[1, 3], [3, 0]], 2, 2)")

@pytest.mark.parametrize("case", POOLS[:3], ids=[c.id for c in POOLS[:3]])
def check_ties(learner, rng, case):
    """sends each window's gradient to its first maximum when it has several"""
    _matches(learner, pool_args(rng, case, ties=True))


def check_float32(learner, rng):
    """works for float32 images and gradients"""
    _matches(learner, pool_args(rng, POOLS[0], np.float32))


def check_finite_differences(learner, rng):
    """agrees with finite differences of the grader's max-pooling"""
    a = pool_args(rng, POOLS[2])
    got = learner(a["dout"], a["X"], a["size"], a["stride"])

    def loss(v: dict) -> float:
        return float((a["dout"] * convnet.maxpool_forward(v["X"], a["size"], a["stride"])).sum())

    expect_finite_differences({"dX": got}, {"X": a["X"]}, loss, "the finite differences of "
                              f"sum(dout * maxpool_forward(X)) for {pool_words(a)}", rng)


def check_untouched(learner, rng):
    """leaves dout and X unchanged"""
    leaves_inputs_untouched(learner, pool_args(rng, POOLS[2]))
