import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# Everything keeps the input dtype, so float32 networks stay float32 (half the memory,
# and the matmuls are about twice as fast on my laptop).


def _pad(X, pad):
    if not pad:
        return X
    return np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def _windows(X, kh, kw, stride, pad):
    """(N, C, H_out, W_out, kh, kw) view"""
    v = sliding_window_view(_pad(X, pad), (kh, kw), axis=(2, 3))
    return v[:, :, ::stride, ::stride]


def im2col(X, kh, kw, stride=1, pad=0):
    v = _windows(X, kh, kw, stride, pad)
    C = X.shape[1]
    return v.transpose(1, 4, 5, 0, 2, 3).reshape(C * kh * kw, -1)


def conv_forward(X, W, b, stride=1, pad=0):
    N = X.shape[0]
    F, C, kh, kw = W.shape
    H_out = (X.shape[2] + 2 * pad - kh) // stride + 1
    W_out = (X.shape[3] + 2 * pad - kw) // stride + 1
    cols = im2col(X, kh, kw, stride, pad)
    out = W.reshape(F, -1) @ cols + b.reshape(F, 1).astype(W.dtype, copy=False)
    return out.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)


def conv_backward(dout, X, W, stride=1, pad=0):
    N, C, H, Wx = X.shape
    F, _, kh, kw = W.shape
    H_out, W_out = dout.shape[2], dout.shape[3]

    db = dout.sum(axis=(0, 2, 3))
    dout_2d = dout.transpose(1, 0, 2, 3).reshape(F, -1)          # (F, N*H_out*W_out)
    dW = (dout_2d @ im2col(X, kh, kw, stride, pad).T).reshape(W.shape)

    dcols = W.reshape(F, -1).T @ dout_2d                          # (C*kh*kw, N*H_out*W_out)
    dcols = dcols.reshape(C, kh, kw, N, H_out, W_out)
    dXp = np.zeros((N, C, H + 2 * pad, Wx + 2 * pad), dtype=dcols.dtype)
    for i in range(kh):
        for j in range(kw):
            dXp[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride] += \
                dcols[:, i, j].transpose(1, 0, 2, 3)
    return dXp[:, :, pad:pad + H, pad:pad + Wx], dW, db


def maxpool_forward(X, size=2, stride=2):
    N, C, H, W = X.shape
    H_out = (H - size) // stride + 1
    W_out = (W - size) // stride + 1
    if size == stride:
        # non-overlapping: crop what no window covers and reshape into blocks
        Xc = X[:, :, :H_out * size, :W_out * size]
        return Xc.reshape(N, C, H_out, size, W_out, size).max(axis=(3, 5))
    return _windows(X, size, size, stride, 0).max(axis=(4, 5))


def maxpool_backward(dout, X, size=2, stride=2):
    N, C, H, W = X.shape
    H_out, W_out = dout.shape[2], dout.shape[3]
    dX = np.zeros_like(X, dtype=np.result_type(X, dout))
    if size == stride:
        Xc = X[:, :, :H_out * size, :W_out * size]
        blocks = Xc.reshape(N, C, H_out, size, W_out, size).transpose(0, 1, 2, 4, 3, 5)
        blocks = blocks.reshape(N, C, H_out, W_out, size * size)
        first = blocks.argmax(axis=-1)                            # first max, row-major
        mask = np.arange(size * size) == first[..., None]
        g = (mask * dout[..., None]).astype(dX.dtype)
        g = g.reshape(N, C, H_out, W_out, size, size).transpose(0, 1, 2, 4, 3, 5)
        dX[:, :, :H_out * size, :W_out * size] = g.reshape(N, C, H_out * size, W_out * size)
        return dX
    # general case (overlapping windows): one window position at a time
    v = _windows(X, size, size, stride, 0)
    for y in range(H_out):
        for x in range(W_out):
            w = v[:, :, y, x].reshape(N, C, -1)
            k = w.argmax(axis=-1)
            r, c = k // size + y * stride, k % size + x * stride
            n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
            dX[n_idx, c_idx, r, c] += dout[:, :, y, x]
    return dX
