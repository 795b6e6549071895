import numpy as np


def maxpool_forward(X: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    """Max-pooling: each channel shrunk to the largest value of every window.

    X: shape (m, C, H, W); size: the window's height and width; stride: the step between
    two windows (no padding). With H' = (H - size) // stride + 1 and W' the same with W,
        out[n, c, y, x] = max over i, j < size of X[n, c, y * stride + i, x * stride + j]
    Returns out of shape (m, C, H', W'). Do not modify X.

    Example: X of shape (64, 8, 28, 28), size 2, stride 2 gives out of shape (64, 8, 14,
    14); [[1, 3], [2, 0]] pools to 3.
    """
    raise NotImplementedError()
