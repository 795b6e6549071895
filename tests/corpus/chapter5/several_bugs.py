# assignment 2 - ConvNet layers, naive versions
# TODO: vectorise later, first make the gradient check pass
import numpy as np


def im2col(X, kh, kw, stride=1, pad=0):
    N, C, H, W = X.shape
    H_out = 1 + (H + 2 * pad - kh) // stride
    W_out = 1 + (W + 2 * pad - kw) // stride
    x_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), 'constant')
    cols = np.zeros((C * kh * kw, N * H_out * W_out))
    col = 0
    for n in range(N):
        for hh in range(H_out):
            for ww in range(W_out):
                row = 0
                for i in range(kh):
                    for j in range(kw):
                        for c in range(C):
                            cols[row, col] = x_pad[n, c, hh * stride + i, ww * stride + j]
                            row += 1
                col += 1
    return cols


def conv_forward(X, W, b, stride=1, pad=0):
    N, C, H, Wd = X.shape
    F, _, HH, WW = W.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (Wd + 2 * pad - WW) // stride
    x_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), 'constant')
    out = np.zeros((N, F, H_out, W_out))
    for f in range(F):
        kernel = np.rot90(W[f], 2, axes=(1, 2))    # convolution = rotate the filter by 180
        for n in range(N):
            for hh in range(H_out):
                for ww in range(W_out):
                    hs, ws = hh * stride, ww * stride
                    out[n, f, hh, ww] = np.sum(x_pad[n, :, hs:hs + HH, ws:ws + WW] * kernel) + b[f]
    return out


def conv_backward(dout, X, W, stride=1, pad=0):
    N, C, H, Wd = X.shape
    F, _, HH, WW = W.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), 'constant')
    dx_pad = np.zeros(x_pad.shape)
    dw = np.zeros(W.shape)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            db[f] += np.sum(dout[n, f])
            for hh in range(H_out):
                for ww in range(W_out):
                    hs, ws = hh * stride, ww * stride
                    dw[f] += x_pad[n, :, hs:hs + HH, ws:ws + WW] * dout[n, f, hh, ww]
                    dx_pad[n, :, hs:hs + HH, ws:ws + WW] += W[f] * dout[n, f, hh, ww]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + Wd]
    return dx, dw, db


def maxpool_forward(X, size=2, stride=2):
    N, C, H, W = X.shape
    H_out = 1 + (H - size) // stride
    W_out = 1 + (W - size) // stride
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for hh in range(H_out):
                for ww in range(W_out):
                    hs, ws = hh * stride, ww * stride
                    out[n, c, hh, ww] = np.max(X[n, c, hs:hs + size, ws:ws + size])
    return out


def maxpool_backward(dout, X, size=2, stride=2):
    N, C, H, W = X.shape
    _, _, H_out, W_out = dout.shape
    dx = np.zeros(X.shape)
    for n in range(N):
        for c in range(C):
            for hh in range(H_out):
                for ww in range(W_out):
                    hs, ws = hh * stride, ww * stride
                    window = X[n, c, hs:hs + size, ws:ws + size]
                    mask = (window == np.max(window))
                    dx[n, c, hs:hs + size, ws:ws + size] += mask * dout[n, c, hh, ww]
    return dx
