import numpy as np

from .maxpool_forward import maxpool_forward


def maxpool_backward(dout, X, size=2, stride=2):
    """Each window's gradient to its first maximum, in row-major order."""
    _, _, Ho, Wo = dout.shape
    out = maxpool_forward(X, size, stride)
    dX = np.zeros(X.shape, dtype=np.result_type(X, dout))
    taken = np.zeros(out.shape, dtype=bool)
    for i in range(size):
        for j in range(size):
            window = X[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride]
            first = (window == out) & ~taken
            taken |= first
            dX[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += first * dout
    return dX
