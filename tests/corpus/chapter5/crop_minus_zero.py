"""Convolution model - Step by Step, redone channels-first (m, C, H, W).

The backward passes follow the Coursera notebook (create_mask_from_window, the
vert_start / horiz_start loops); the forward pass goes through im2col to be fast.
"""
import numpy as np


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant', constant_values=0)


def im2col(X, kh, kw, stride=1, pad=0):
    m, n_C, n_H_prev, n_W_prev = X.shape
    n_H = int((n_H_prev + 2 * pad - kh) / stride) + 1
    n_W = int((n_W_prev + 2 * pad - kw) / stride) + 1
    X_pad = zero_pad(X, pad)
    # one (m, n_C, n_H, n_W) slice per position inside the filter
    slices = []
    for i in range(kh):
        for j in range(kw):
            slices.append(X_pad[:, :, i:i + stride * n_H:stride, j:j + stride * n_W:stride])
    cols = np.stack(slices, axis=2)                     # (m, n_C, kh*kw, n_H, n_W)
    cols = cols.transpose(1, 2, 0, 3, 4)                # (n_C, kh*kw, m, n_H, n_W)
    return cols.reshape(n_C * kh * kw, m * n_H * n_W)


def conv_forward(X, W, b, stride=1, pad=0):
    m, n_C_prev, n_H_prev, n_W_prev = X.shape
    n_C, _, f_h, f_w = W.shape
    n_H = int((n_H_prev + 2 * pad - f_h) / stride) + 1
    n_W = int((n_W_prev + 2 * pad - f_w) / stride) + 1
    Z = W.reshape(n_C, -1) @ im2col(X, f_h, f_w, stride, pad) + b[:, None]
    Z = Z.reshape(n_C, m, n_H, n_W).transpose(1, 0, 2, 3)
    return Z


def conv_backward(dZ, A_prev, W, stride=1, pad=0):
    m, n_C_prev, n_H_prev, n_W_prev = A_prev.shape
    n_C, _, f_h, f_w = W.shape
    _, _, n_H, n_W = dZ.shape

    dA_prev = np.zeros(A_prev.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(n_C)

    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)

    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]        # a view: += writes into dA_prev_pad
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f_h
                    horiz_start = w * stride
                    horiz_end = horiz_start + f_w
                    a_slice = a_prev_pad[:, vert_start:vert_end, horiz_start:horiz_end]
                    da_prev_pad[:, vert_start:vert_end, horiz_start:horiz_end] += W[c] * dZ[i, c, h, w]
                    dW[c] += a_slice * dZ[i, c, h, w]
                    db[c] += dZ[i, c, h, w]

    # remove the padding
    dA_prev = dA_prev_pad[:, :, pad:-pad, pad:-pad]
    return dA_prev, dW, db


def maxpool_forward(X, size=2, stride=2):
    m, n_C, n_H_prev, n_W_prev = X.shape
    n_H = int(1 + (n_H_prev - size) / stride)
    n_W = int(1 + (n_W_prev - size) / stride)
    A = np.zeros((m, n_C, n_H, n_W))
    for h in range(n_H):
        for w in range(n_W):
            vert_start, horiz_start = h * stride, w * stride
            a_slice = X[:, :, vert_start:vert_start + size, horiz_start:horiz_start + size]
            A[:, :, h, w] = np.max(a_slice, axis=(2, 3))
    return A


def create_mask_from_window(x):
    mask = (x == np.max(x))
    return mask


def maxpool_backward(dA, A_prev, size=2, stride=2):
    m, n_C, n_H_prev, n_W_prev = A_prev.shape
    _, _, n_H, n_W = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for c in range(n_C):
            for h in range(n_H):
                for w in range(n_W):
                    vert_start, horiz_start = h * stride, w * stride
                    vert_end, horiz_end = vert_start + size, horiz_start + size
                    a_prev_slice = a_prev[c, vert_start:vert_end, horiz_start:horiz_end]
                    mask = create_mask_from_window(a_prev_slice)
                    dA_prev[i, c, vert_start:vert_end, horiz_start:horiz_end] += mask * dA[i, c, h, w]
    return dA_prev
