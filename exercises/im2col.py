import numpy as np


def im2col(X: np.ndarray, kh: int, kw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The windows a convolution sees, one column each, so that it becomes one matmul.

    X: images of shape (m, C, H, W); kh, kw: the window's height and width; stride: the
    step between two windows; pad: zeros added on every side of each image (np.pad on
    axes 2 and 3, pad before and pad after). The output has
        H' = (H + 2 pad - kh) // stride + 1   rows of windows and
        W' = (W + 2 pad - kw) // stride + 1   columns of windows.
    Returns cols of shape (C * kh * kw, m * H' * W'): the column of example n's window at
    (y, x) is number (n * H' + y) * W' + x, and it holds that window's pixels
    Xp[n, c, y * stride + i, x * stride + j] in the order (c, i, j), row-major: the
    order of W.reshape(F, -1)'s columns for filters W of shape (F, C, kh, kw). Do not
    modify X.

    Example: X of shape (2, 3, 5, 5), kh = kw = 3, stride 1, pad 1 gives cols of shape
    (27, 50): 2 images times 5 x 5 windows, each 3 channels x 3 x 3 pixels.
    """
    raise NotImplementedError()
