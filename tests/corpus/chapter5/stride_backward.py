# CNN layers, vectorised over the batch: only the output positions are looped over.
# (following a "CNN from scratch in numpy" blog post, rewritten for NCHW)
import numpy as np


def output_shape(H, W, kh, kw, stride, pad):
    return (H + 2 * pad - kh) // stride + 1, (W + 2 * pad - kw) // stride + 1


def im2col(X, kh, kw, stride=1, pad=0):
    N, C, H, W = X.shape
    oh, ow = output_shape(H, W, kh, kw, stride, pad)
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((C * kh * kw, N, oh, ow), dtype=X.dtype)
    for y in range(oh):
        for x in range(ow):
            patch = Xp[:, :, y * stride:y * stride + kh, x * stride:x * stride + kw]
            cols[:, :, y, x] = patch.reshape(N, -1).T
    return cols.reshape(C * kh * kw, N * oh * ow)


def conv_forward(X, W, b, stride=1, pad=0):
    N, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    oh, ow = output_shape(H, Wd, kh, kw, stride, pad)
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, oh, ow), dtype=np.result_type(X, W))
    for y in range(oh):
        for x in range(ow):
            patch = Xp[:, :, y * stride:y * stride + kh, x * stride:x * stride + kw]
            # (N, C, kh, kw) . (F, C, kh, kw) -> (N, F)
            out[:, :, y, x] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3]))
    out += b.reshape(1, F, 1, 1)
    return out


def conv_backward(dout, X, W, stride=1, pad=0):
    N, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    oh, ow = dout.shape[2:]
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dXp = np.zeros(Xp.shape, dtype=np.result_type(dout, W))
    dW = np.zeros(W.shape, dtype=np.result_type(dout, X))

    for y in range(oh):
        for x in range(ow):
            patch = Xp[:, :, y * stride:y * stride + kh, x * stride:x * stride + kw]
            g = dout[:, :, y, x]                                   # (N, F)
            dW += np.tensordot(g, patch, axes=([0], [0]))          # (F, C, kh, kw)
            dXp[:, :, y:y + kh, x:x + kw] += np.tensordot(g, W, axes=([1], [0]))
    db = dout.sum(axis=(0, 2, 3))
    dX = dXp[:, :, pad:pad + H, pad:pad + Wd]
    return dX, dW, db


def maxpool_forward(X, size=2, stride=2):
    N, C, H, W = X.shape
    oh, ow = output_shape(H, W, size, size, stride, 0)
    out = np.zeros((N, C, oh, ow), dtype=X.dtype)
    for y in range(oh):
        for x in range(ow):
            window = X[:, :, y * stride:y * stride + size, x * stride:x * stride + size]
            out[:, :, y, x] = window.mean(axis=(2, 3))
    return out


def maxpool_backward(dout, X, size=2, stride=2):
    N, C, H, W = X.shape
    oh, ow = dout.shape[2:]
    out = maxpool_forward(X, size, stride)
    dX = np.zeros(X.shape, dtype=np.result_type(X, dout))
    for y in range(oh):
        for x in range(ow):
            window = X[:, :, y * stride:y * stride + size, x * stride:x * stride + size]
            is_max = (window == out[:, :, y, x][:, :, None, None]).reshape(N, C, -1)
            # keep only the first True of each window (cumsum counts them in row-major order)
            first = is_max & (np.cumsum(is_max, axis=-1) == 1)
            first = first.reshape(N, C, size, size)
            dX[:, :, y * stride:y * stride + size, x * stride:x * stride + size] += \
                first * dout[:, :, y, x][:, :, None, None]
    return dX
