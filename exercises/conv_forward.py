import numpy as np

from .im2col import im2col


def conv_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1,
                 pad: int = 0) -> np.ndarray:
    """A convolutional layer's forward pass: every filter at every window, plus its bias.

    X: images of shape (m, C, H, W); W: F filters of shape (F, C, kh, kw); b: one bias per
    filter, shape (F,). With Xp the images padded by pad zeros on every side,
        out[n, f, y, x] = b[f] + sum over c, i, j of
                          W[f, c, i, j] * Xp[n, c, y * stride + i, x * stride + j]
    (a cross-correlation: the filter is not flipped, as in every deep-learning library).
    Returns out of shape (m, F, H', W'), H' = (H + 2 pad - kh) // stride + 1 and W' the
    same with W and kw. Do not modify X, W or b.

    With im2col: W.reshape(F, -1) @ im2col(X, kh, kw, stride, pad) has shape (F, m * H' *
    W'); add b as a column, reshape to (F, m, H', W') and move the filter axis second.

    Example: X of shape (64, 1, 28, 28), W of shape (8, 1, 3, 3), stride 1, pad 1 give
    out of shape (64, 8, 28, 28).
    """
    raise NotImplementedError()
