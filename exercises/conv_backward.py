import numpy as np

from .im2col import im2col


def conv_backward(dout: np.ndarray, X: np.ndarray, W: np.ndarray, stride: int = 1,
                  pad: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A convolutional layer's backward pass: the gradients of the loss by X, W and b.

    dout: the gradient of the loss by conv_forward's output, shape (m, F, H', W'); X and
    W: that call's images (m, C, H, W) and filters (F, C, kh, kw); stride and pad: its
    own. Each output value used W[f, c, i, j] and Xp[n, c, y * stride + i, x * stride + j]
    once, so
        db[f]         = sum of dout[:, f, :, :]                     (over n, y and x)
        dW[f, c, i, j] = sum over n, y, x of dout[n, f, y, x] * Xp[n, c, y s + i, x s + j]
        dXp[n, c, y s + i, x s + j] += sum over f of dout[n, f, y, x] * W[f, c, i, j]
    for every window (y, x), s the stride; dX is dXp without its padding. Returns the
    tuple (dX, dW, db) of the shapes of X, W and b. Do not modify dout, X or W.

    With im2col: d = dout moved to (F, m H' W'); dW = (d @ cols.T).reshape(W.shape); the
    columns' gradient W.reshape(F, -1).T @ d is added back, window offset by window
    offset, into a zero dXp (col2im).
    """
    raise NotImplementedError()
