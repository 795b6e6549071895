import numpy as np


def im2col(X, kh, kw, stride=1, pad=0):
    """Every kh x kw window of the zero-padded X as a column: rows (c, i, j), columns (n, y, x)."""
    m, C, H, W = X.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho = (H + 2 * pad - kh) // stride + 1
    Wo = (W + 2 * pad - kw) // stride + 1
    cols = np.empty((C, kh, kw, m, Ho, Wo), dtype=X.dtype)
    for i in range(kh):
        for j in range(kw):
            window = Xp[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride]
            cols[:, i, j] = window.transpose(1, 0, 2, 3)
    return cols.reshape(C * kh * kw, m * Ho * Wo)
