# Chapter 5 - convolution and max pooling, the "naive" way first (loops everywhere).
# I know it's slow, I just wanted every index to be explicit before vectorising.
import numpy as np


def im2col(X, kh, kw, stride=1, pad=0):
    N, C, H, W = X.shape
    H_out = (H + 2 * pad - kh) // stride + 1
    W_out = (W + 2 * pad - kw) // stride + 1
    x_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')

    cols = np.zeros((C * kh * kw, N * H_out * W_out), dtype=X.dtype)
    col = 0
    for n in range(N):
        for y in range(H_out):
            for x in range(W_out):
                patch = x_pad[n, :, y * stride:y * stride + kh, x * stride:x * stride + kw]
                cols[:, col] = patch.reshape(-1)   # (C, kh, kw) flattened -> c, i, j
                col += 1
    return cols


def conv_forward(X, W, b, stride=1, pad=0):
    N, C, H, Wd = X.shape
    F, _, HH, WW = W.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (Wd + 2 * pad - WW) // stride + 1
    x_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')

    out = np.zeros((N, F, H_out, W_out), dtype=X.dtype)
    for n in range(N):                 # n-th image
        for f in range(F):             # f-th filter
            for y in range(H_out):
                for x in range(W_out):
                    window = x_pad[n, :, y * stride:y * stride + HH, x * stride:x * stride + WW]
                    out[n, f, y, x] = np.sum(window * W[f]) + b[f]
    return out


def conv_backward(dout, X, W, stride=1, pad=0):
    N, C, H, Wd = X.shape
    F, _, HH, WW = W.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')

    dx_pad = np.zeros_like(x_pad)
    dW = np.zeros_like(W)
    db = np.zeros(F, dtype=W.dtype)

    for n in range(N):
        for f in range(F):
            for y in range(H_out):
                for x in range(W_out):
                    ys, xs = y * stride, x * stride
                    window = x_pad[n, :, ys:ys + HH, xs:xs + WW]
                    db[f] += dout[n, f, y, x]
                    dW[f] += window * dout[n, f, y, x]
                    dx_pad[n, :, ys:ys + HH, xs:xs + WW] += W[f] * dout[n, f, y, x]

    # unpad
    dX = dx_pad[:, :, pad:pad + H, pad:pad + Wd]
    return dX, dW, db


def maxpool_forward(X, size=2, stride=2):
    N, C, H, W = X.shape
    H_out = (H - size) // stride + 1
    W_out = (W - size) // stride + 1
    out = np.zeros((N, C, H_out, W_out), dtype=X.dtype)
    for n in range(N):
        for c in range(C):
            for y in range(H_out):
                for x in range(W_out):
                    window = X[n, c, y * stride:y * stride + size, x * stride:x * stride + size]
                    out[n, c, y, x] = np.max(window)
    return out


def maxpool_backward(dout, X, size=2, stride=2):
    N, C, H, W = X.shape
    _, _, H_out, W_out = dout.shape
    dX = np.zeros_like(X)
    for n in range(N):
        for c in range(C):
            for y in range(H_out):
                for x in range(W_out):
                    window = X[n, c, y * stride:y * stride + size, x * stride:x * stride + size]
                    # argmax gives the first max (row-major), unravel to (row, col) in the window
                    i, j = np.unravel_index(np.argmax(window), window.shape)
                    dX[n, c, y * stride + i, x * stride + j] += dout[n, c, y, x]
    return dX


if __name__ == "__main__":
    x = np.linspace(-0.1, 0.5, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    w = np.linspace(-0.2, 0.3, num=3 * 3 * 4 * 4).reshape(3, 3, 4, 4)
    print(conv_forward(x, w, np.array([-0.1, 0.05, 0.2]), stride=2, pad=1).shape)
