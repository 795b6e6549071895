import numpy as np

from .im2col import im2col


def conv_backward(dout, X, W, stride=1, pad=0):
    """dX, dW, db of conv_forward: dW from the windows, dX by adding each column back."""
    m, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    _, _, Ho, Wo = dout.shape
    db = dout.sum(axis=(0, 2, 3))
    d = dout.transpose(1, 0, 2, 3).reshape(F, -1)
    dW = (d @ im2col(X, kh, kw, stride, pad).T).reshape(W.shape)
    dcols = (W.reshape(F, -1).T @ d).reshape(C, kh, kw, m, Ho, Wo)
    dXp = np.zeros((m, C, H + 2 * pad, Wd + 2 * pad), dtype=dcols.dtype)
    for i in range(kh):
        for j in range(kw):
            dXp[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += \
                dcols[:, i, j].transpose(1, 0, 2, 3)
    return dXp[:, :, pad:pad + H, pad:pad + Wd], dW, db
