"""conv_backward(dout, X, W, stride=1, pad=0) -> (dX, dW, db).

Compared with the reference on every shape, then with finite differences of sum(dout *
conv_forward(X, W, b)) computed by the grader's own convolution, gradient by gradient.
"""

import numpy as np
import pytest

from grader import convnet
from grader.convnet import col2im, shares
from grader.chapter5 import CONVS, conv_args, conv_words, expect_finite_differences, windows
from grader.checking import leaves_inputs_untouched, outputs_match
from grader.diagnosis import Mistake

reference = convnet.conv_backward


def _grads(a: dict, stride: int | None = None, W: np.ndarray | None = None) -> tuple:
    """(dX, dW, db) with the windows placed `stride` apart (a mistake when not a["stride"])
    and dX from filters W (a mistake when not a["W"])."""
    X, dout, pad = a["X"], a["dout"], a["pad"]
    W = a["W"] if W is None else W
    s = a["stride"] if stride is None else stride
    Ho, Wo = dout.shape[2:]
    win = windows(X, W.shape[2], W.shape[3], s, pad)[:, :, :Ho, :Wo]
    dW = np.einsum("nfyx,ncyxij->fcij", dout, win)
    return col2im(shares(dout, W), X.shape, s, pad), dW, dout.sum(axis=(0, 2, 3))


def _right(a: dict) -> tuple:
    return reference(a["dout"], a["X"], a["W"], a["stride"], a["pad"])


def _with(a: dict, dX=None, dW=None, db=None) -> tuple:
    """The right gradients, some replaced by a mistake's."""
    right = _right(a)
    return tuple(r if w is None else w for r, w in zip(right, (dX, dW, db)))


def _uncropped(a: dict) -> np.ndarray:
    """dXp, the gradient of the padded images, padding and all."""
    m, C, H, W = a["X"].shape
    p = a["pad"]
    return col2im(shares(a["dout"], a["W"]), (m, C, H + 2 * p, W + 2 * p), a["stride"], 0)


DB_AXES = "db is dout summed over the wrong axes: over the examples and the output pixels, " \
          "dout.sum(axis=(0, 2, 3)), one number per filter, shape (F,)"
STRIDE = ("the stride is ignored in the backward pass: window (y, x) read the pixels from row "
          "y * stride and column x * stride, so its share of dX goes back there{}")
OVER_M = ("the gradients are divided by m: dout is already the gradient of the mean loss, so "
          "conv_backward only sums")
MISTAKES = (
    Mistake("convb_db_axis_0", DB_AXES, lambda a: _with(a, db=a["dout"].sum(axis=0))),
    Mistake("convb_db_axes_123", DB_AXES, lambda a: _with(a, db=a["dout"].sum(axis=(1, 2, 3)))),
    Mistake("convb_db_axes_23", DB_AXES, lambda a: _with(a, db=a["dout"].sum(axis=(2, 3)))),
    Mistake("convb_db_axes_01", DB_AXES, lambda a: _with(a, db=a["dout"].sum(axis=(0, 1)))),
    Mistake("convb_stride_ignored", STRIDE.format(", and dW takes the same windows"),
            lambda a: _grads(a, stride=1)),
    Mistake("convb_stride_ignored_dX", STRIDE.format(" (dW is right: only dX misses it)"),
            lambda a: _with(a, dX=_grads(a, stride=1)[0])),
    Mistake("convb_dX_flipped", "dX comes from flipped filters: it is the sum over f of dout[n, f, y, "
            "x] * W[f, c, i, j] added at Xp[n, c, y s + i, x s + j]; a full convolution gives it "
            "only with W flipped once, W[:, :, ::-1, ::-1]",
            lambda a: _with(a, dX=_grads(a, W=a["W"][:, :, ::-1, ::-1])[0])),
    Mistake("convb_dW_flipped", "dW is flipped: dW[f, c, i, j] is the sum of dout[n, f, y, x] * "
            "Xp[n, c, y s + i, x s + j], offset (i, j) as in the forward pass",
            lambda a: _with(a, dW=_right(a)[1][:, :, ::-1, ::-1])),
    Mistake("convb_crop_minus_zero", "with pad = 0, dXp[:, :, pad:-pad, pad:-pad] is empty (-0 is 0): "
            "crop with dXp[:, :, pad:pad + H, pad:pad + W]",
            lambda a: _with(a, dX=_right(a)[0][:, :, 0:0, 0:0]) if a["pad"] == 0 else _right(a)),
    Mistake("convb_not_cropped", "dX still holds the padding: crop it, dXp[:, :, pad:pad + H, pad:pad "
            "+ W], so that dX has X's shape", lambda a: _with(a, dX=_uncropped(a))),
    Mistake("convb_over_m", OVER_M, lambda a: tuple(g / a["X"].shape[0] for g in _right(a))),
    Mistake("convb_over_m_dW_db", OVER_M, lambda a: _with(a, dW=_right(a)[1] / a["X"].shape[0],
                                                    db=_right(a)[2] / a["X"].shape[0])),
)


def _matches(learner, a: dict) -> tuple:
    return outputs_match(learner, a, what=conv_words(a))


@pytest.mark.parametrize("case", CONVS, ids=[c.id for c in CONVS])
def check_shapes(learner, rng, case):
    """matches the reference for several filter sizes, strides and paddings"""
    _matches(learner, conv_args(rng, case))


def check_example(learner, rng):
    """a small example worked out by hand"""
    # Every output's gradient is 1: dX counts the windows over each pixel, dW sums the pixels
    # at each offset of the four windows, db counts the outputs.
    outputs_match(learner, {"dout": np.ones((1, 1, 2, 2)), "X": np.arange(9.0).reshape(1, 1, 3, 3),
                            "W": np.ones((1, 1, 2, 2)), "stride": 1, "pad": 0},
                  (np.array([[[[1.0, 2, 1], [2, 4, 2], [1, 2, 1]]]]),
                   np.array([[[[8.0, 12], [20, 24]]]]), np.array([4.0])),
                  what="dout = np.ones((1, 1, 2, 2)), X = np.arange(9.0).reshape(1, 1, 3, 3), W "
                       "= np.ones((1, 1, 2, 2)), stride 1, pad 0")


def check_float32(learner, rng):
    """works for float32 images, filters and gradients"""
    _matches(learner, conv_args(rng, CONVS[1], np.float32))


@pytest.mark.parametrize("case", CONVS[1:3], ids=[c.id for c in CONVS[1:3]])
def check_finite_differences(learner, rng, case):
    """agrees with finite differences of the grader's convolution"""
    a = conv_args(rng, case)
    got = learner(a["dout"], a["X"], a["W"], a["stride"], a["pad"])
    names = ("dX", "dW", "db")
    if not isinstance(got, tuple) or len(got) != 3:
        _matches(learner, a)  # says what came back instead of three arrays
    dout = a["dout"]

    def loss(v: dict) -> float:
        return float((dout * convnet.conv_forward(v["X"], v["W"], v["b"], a["stride"],
                                                  a["pad"])).sum())

    expect_finite_differences(dict(zip(names, got)), {k: a[k] for k in ("X", "W", "b")}, loss,
                              f"the finite differences of sum(dout * conv_forward(X, W, b)) "
                              f"for {conv_words(a)}", rng)


def check_untouched(learner, rng):
    """leaves dout, X and W unchanged"""
    leaves_inputs_untouched(learner, conv_args(rng, CONVS[1]))
