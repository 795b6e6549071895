# MNIST ConvNet in pure numpy - conv and pool layers
# cell 3: layers
import numpy as np


def im2col(X, kh, kw, stride=1, pad=0):
    N, C, H, W = X.shape
    out_h = (H + 2 * pad - kh) // stride + 1
    out_w = (W + 2 * pad - kw) // stride + 1
    xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    xp = xp.transpose(0, 2, 3, 1)            # channels last, easier to slice patches
    cols = []
    for n in range(N):
        for i in range(out_h):
            for j in range(out_w):
                patch = xp[n, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
                cols.append(patch.flatten())
    return np.array(cols).T                  # (kh*kw*C, N*out_h*out_w)


def conv_forward(X, W, b, stride=1, pad=0):
    N, C, H, Wid = X.shape
    F, _, kh, kw = W.shape
    out_h = (H + 2 * pad - kh) // stride + 1
    out_w = (Wid + 2 * pad - kw) // stride + 1
    cols = im2col(X, kh, kw, stride, pad)
    out = W.reshape(F, -1) @ cols + b.reshape(-1, 1)    # (F, N*out_h*out_w)
    return out.reshape(N, F, out_h, out_w)


def conv_backward(dout, X, W, stride=1, pad=0):
    N, C, H, Wid = X.shape
    F, _, kh, kw = W.shape
    out_h, out_w = dout.shape[2], dout.shape[3]

    db = dout.sum(axis=(0, 2, 3))
    dout_mat = dout.transpose(1, 0, 2, 3).reshape(F, -1)
    dW = (dout_mat @ im2col(X, kh, kw, stride, pad).T).reshape(W.shape)

    dcols = W.reshape(F, -1).T @ dout_mat        # rows (c, i, j) like W.reshape
    dxp = np.zeros((N, C, H + 2 * pad, Wid + 2 * pad), dtype=dcols.dtype)
    k = 0
    for n in range(N):
        for i in range(out_h):
            for j in range(out_w):
                dxp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw] += \
                    dcols[:, k].reshape(C, kh, kw)
                k += 1
    dX = dxp[:, :, pad:pad + H, pad:pad + Wid]
    return dX, dW, db


def maxpool_forward(X, size=2, stride=2):
    N, C, H, W = X.shape
    out_h = (H - size) // stride + 1
    out_w = (W - size) // stride + 1
    out = np.empty((N, C, out_h, out_w), dtype=X.dtype)
    for i in range(out_h):
        for j in range(out_w):
            win = X[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            out[:, :, i, j] = win.reshape(N, C, -1).max(axis=2)
    return out


def maxpool_backward(dout, X, size=2, stride=2):
    N, C, H, W = X.shape
    out_h, out_w = dout.shape[2], dout.shape[3]
    dX = np.zeros(X.shape, dtype=np.result_type(X, dout))
    nn, cc = np.indices((N, C))
    for i in range(out_h):
        for j in range(out_w):
            win = X[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            r, c = np.unravel_index(win.reshape(N, C, -1).argmax(axis=2), (size, size))
            dX[nn, cc, i * stride + r, j * stride + c] += dout[:, :, i, j]
    return dX
