#!/usr/bin/env python3
"""Convolutional and pooling layers, forward and back (loops over positions, vectorised
over the examples and the channels)"""
import numpy as np


def im2col(X, kh, kw, stride=1, pad=0):
    """every window as a column"""
    m, c_prev, h_prev, w_prev = X.shape
    h_new = (h_prev + 2 * pad - kh) // stride + 1
    w_new = (w_prev + 2 * pad - kw) // stride + 1
    X_pad = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
    idx_h = (np.arange(h_new) * stride)[:, None] + np.arange(kh)[None, :]   # (h_new, kh)
    idx_w = (np.arange(w_new) * stride)[:, None] + np.arange(kw)[None, :]   # (w_new, kw)
    # (m, c, h_new, kh, w_new, kw) by fancy indexing
    patches = X_pad[:, :, idx_h[:, :, None, None], idx_w[None, None, :, :]]
    patches = patches.transpose(1, 3, 5, 0, 2, 4)      # (c, kh, kw, m, h_new, w_new)
    return patches.reshape(c_prev * kh * kw, -1)


def conv_forward(X, W, b, stride=1, pad=0):
    m = X.shape[0]
    c_new, c_prev, kh, kw = W.shape
    h_new = (X.shape[2] + 2 * pad - kh) // stride + 1
    w_new = (X.shape[3] + 2 * pad - kw) // stride + 1
    Z = np.matmul(W.reshape(c_new, -1), im2col(X, kh, kw, stride, pad))
    Z = Z + b[:, np.newaxis]
    return Z.reshape(c_new, m, h_new, w_new).transpose(1, 0, 2, 3)


def conv_backward(dZ, A_prev, W, stride=1, pad=0):
    m, c_prev, h_prev, w_prev = A_prev.shape
    c_new, _, kh, kw = W.shape
    _, _, h_new, w_new = dZ.shape

    A_pad = np.pad(A_prev, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    for h in range(h_new):
        for w in range(w_new):
            hs, ws = h * stride, w * stride
            a = A_pad[:, :, hs:hs + kh, ws:ws + kw]                  # (m, c_prev, kh, kw)
            dz = dZ[:, :, h, w]                                     # (m, c_new)
            dW += np.einsum('mf,mcij->fcij', dz, a)
            dA_pad[:, :, hs:hs + kh, ws:ws + kw] += np.einsum('mf,fcij->mcij', dz, W)
    db = np.sum(dZ, axis=(0, 2, 3))

    # average over the batch
    dW = dW / m
    db = db / m
    dA = dA_pad[:, :, pad:pad + h_prev, pad:pad + w_prev]
    return dA, dW, db


def maxpool_forward(X, size=2, stride=2):
    m, c, h_prev, w_prev = X.shape
    h_new = (h_prev - size) // stride + 1
    w_new = (w_prev - size) // stride + 1
    A = np.zeros((m, c, h_new, w_new), dtype=X.dtype)
    for h in range(h_new):
        for w in range(w_new):
            A[:, :, h, w] = np.amax(X[:, :, h * stride:h * stride + size,
                                      w * stride:w * stride + size], axis=(2, 3))
    return A


def first_max_mask(window):
    """(m, c, size, size) -> 1 at each window's first maximum"""
    m, c, kh, kw = window.shape
    flat = window.reshape(m, c, -1)
    mask = np.zeros_like(flat)
    np.put_along_axis(mask, flat.argmax(axis=-1)[..., None], 1, axis=-1)
    return mask.reshape(m, c, kh, kw)


def maxpool_backward(dA, A_prev, size=2, stride=2):
    m, c, h_new, w_new = dA.shape
    dA_prev = np.zeros(A_prev.shape, dtype=np.result_type(A_prev, dA))
    # the mask only depends on where the max is: compute it once, outside the loops
    mask = first_max_mask(A_prev[:, :, :size, :size])
    for h in range(h_new):
        for w in range(w_new):
            hs, ws = h * stride, w * stride
            dA_prev[:, :, hs:hs + size, ws:ws + size] += mask * dA[:, :, h, w][..., None, None]
    return dA_prev
