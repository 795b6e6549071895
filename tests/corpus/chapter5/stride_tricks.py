"""Conv / pool layers with np.lib.stride_tricks.as_strided (no copies for the windows).

Idea from the CS231n "fast layers" notebook: choose strides so that the padded images
look like an array of windows, then everything is one tensordot.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def get_windows(x_padded, kh, kw, stride):
    """(N, C, out_h, out_w, kh, kw) read-only view of every window of x_padded."""
    N, C, H, W = x_padded.shape
    out_h = (H - kh) // stride + 1
    out_w = (W - kw) // stride + 1
    sN, sC, sH, sW = x_padded.strides
    return as_strided(x_padded,
                      shape=(N, C, out_h, out_w, kh, kw),
                      strides=(sN, sC, sH * stride, sW * stride, sH, sW),
                      writeable=False)


def pad_images(X, pad):
    if pad == 0:
        return np.ascontiguousarray(X)
    return np.pad(X, [(0, 0), (0, 0), (pad, pad), (pad, pad)], mode="constant")


def im2col(X, kh, kw, stride=1, pad=0):
    C = X.shape[1]
    win = get_windows(pad_images(X, pad), kh, kw, stride)
    # rows (c, i, j), columns (n, y, x)
    cols = win.transpose(1, 4, 5, 0, 2, 3)
    return np.ascontiguousarray(cols).reshape(C * kh * kw, -1)


def conv_forward(X, W, b, stride=1, pad=0):
    F, C, kh, kw = W.shape
    win = get_windows(pad_images(X, pad), kh, kw, stride)
    N, _, out_h, out_w = win.shape[:4]
    # contract over (C, kh, kw) -> (N, out_h, out_w, F)
    out = np.tensordot(win, W, axes=((1, 4, 5), (1, 2, 3)))
    out = out + b
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


def conv_backward(dout, X, W, stride=1, pad=0):
    F, C, kh, kw = W.shape
    N, _, H, Wd = X.shape
    x_padded = pad_images(X, pad)
    win = get_windows(x_padded, kh, kw, stride)
    out_h, out_w = dout.shape[2], dout.shape[3]

    db = np.sum(dout, axis=(0, 2, 3))
    # dW[f, c, i, j] = sum_{n,y,x} dout[n, f, y, x] * win[n, c, y, x, i, j]
    dW = np.tensordot(dout, win, axes=((0, 2, 3), (0, 2, 3)))

    # gradient of every window: (N, out_h, out_w, C, kh, kw) as a matmul over F
    d = dout.transpose(0, 2, 3, 1).reshape(-1, F)
    dwin = (d @ W.reshape(F, -1)).reshape(N, out_h, out_w, C, kh, kw)

    dx_padded = np.zeros(x_padded.shape, dtype=dwin.dtype)
    for y in range(out_h):
        for x in range(out_w):
            ys, xs = y * stride, x * stride
            dx_padded[:, :, ys:ys + kh, xs:xs + kw] += dwin[:, y, x]
    dX = dx_padded[:, :, pad:pad + H, pad:pad + Wd]
    return dX, dW, db


def maxpool_forward(X, size=2, stride=2):
    win = get_windows(np.ascontiguousarray(X), size, size, stride)
    return win.max(axis=(4, 5))


def maxpool_backward(dout, X, size=2, stride=2):
    win = get_windows(np.ascontiguousarray(X), size, size, stride)
    N, C, out_h, out_w = win.shape[:4]
    flat = win.reshape(N, C, out_h, out_w, size * size)
    idx = np.argmax(flat, axis=-1)            # first maximum of each window
    one_hot = np.arange(size * size) == idx[..., None]
    grads = (one_hot * dout[..., None]).reshape(N, C, out_h, out_w, size, size)

    dX = np.zeros(X.shape, dtype=np.result_type(X, dout))
    for y in range(out_h):
        for x in range(out_w):
            ys, xs = y * stride, x * stride
            dX[:, :, ys:ys + size, xs:xs + size] += grads[:, :, y, x]
    return dX
