"""The grader's own ConvNet math (chapter 5): convolution, max-pooling and the verdict's network.

Images are (m, C, H, W), filters W (F, C, kh, kw), biases b (F,). Written otherwise than the
textbook solutions in `solutions/` (which build im2col's columns window offset by window
offset): windows here are sliding_window_view's strided views contracted with tensordot, each
window's share of the input's gradient is one matrix product added back by col2im, and
max-pooling's backward picks each window's first maximum with argmax. The exercises'
references, the known mistakes and the scoring of chapter 5's training build on it; it runs
only in the grader process.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader import network
from grader.catalog import KERNEL, PAD, POOL

Params = dict[str, np.ndarray]


def out_size(n: int, k: int, stride: int, pad: int) -> int:
    return (n + 2 * pad - k) // stride + 1


def _padded(X: np.ndarray, pad: int) -> np.ndarray:
    return np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else X


def windows(X: np.ndarray, kh: int, kw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """(m, C, H', W', kh, kw): every window of the padded X, a view."""
    return sliding_window_view(_padded(X, pad), (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def im2col(X: np.ndarray, kh: int, kw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """(C kh kw, m H' W'): rows (c, i, j) like W.reshape(F, -1)'s columns, columns (n, y, x)."""
    C = X.shape[1]
    return windows(X, kh, kw, stride, pad).transpose(1, 4, 5, 0, 2, 3).reshape(C * kh * kw, -1)


def conv_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1,
                 pad: int = 0) -> np.ndarray:
    """(m, F, H', W'): out[n, f, y, x] = sum over c, i, j of W[f, c, i, j] Xp[n, c, y s + i,
    x s + j], plus b[f]."""
    win = windows(X, W.shape[2], W.shape[3], stride, pad)
    out = np.tensordot(win, W, axes=([1, 4, 5], [1, 2, 3]))  # (m, H', W', F)
    return out.transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1)


def conv_backward(dout: np.ndarray, X: np.ndarray, W: np.ndarray, stride: int = 1,
                  pad: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dX, dW, db) of conv_forward for the gradient `dout` of its output."""
    kh, kw = W.shape[2:]
    dW = np.tensordot(dout, windows(X, kh, kw, stride, pad), axes=([0, 2, 3], [0, 2, 3]))
    return col2im(shares(dout, W), X.shape, stride, pad), dW, dout.sum(axis=(0, 2, 3))


def shares(dout: np.ndarray, W: np.ndarray) -> np.ndarray:
    """(m, C, H', W', kh, kw): each window's share of dX, the sum over f of dout[n, f, y, x]
    W[f], one matrix product."""
    m, F, Ho, Wo = dout.shape
    flat = dout.transpose(0, 2, 3, 1).reshape(-1, F) @ W.reshape(F, -1)
    return flat.reshape(m, Ho, Wo, *W.shape[1:]).transpose(0, 3, 1, 2, 4, 5)


def col2im(dwin: np.ndarray, shape: tuple[int, ...], stride: int, pad: int) -> np.ndarray:
    """dX of X's `shape` from the gradient of every window, (m, C, H', W', kh, kw): each
    window's share added where it read, window offset by window offset, the padding cropped."""
    m, C, Ho, Wo, kh, kw = dwin.shape
    dXp = np.zeros((m, C, shape[2] + 2 * pad, shape[3] + 2 * pad), dwin.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i, i + stride * (Ho - 1) + 1, stride)
            dXp[:, :, rows, j:j + stride * (Wo - 1) + 1:stride] += dwin[:, :, :, :, i, j]
    return dXp[:, :, pad:pad + shape[2], pad:pad + shape[3]]


def maxpool_forward(X: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    # The maximum of the windows' strided offset views: .max(axis=(4, 5)) reduces over
    # scattered elements, 25 times slower.
    win = windows(X, size, size, stride)
    return functools.reduce(np.maximum, (win[..., i, j] for i in range(size)
                                         for j in range(size)))


def maxpool_backward(dout: np.ndarray, X: np.ndarray, size: int = 2,
                     stride: int = 2) -> np.ndarray:
    """dX: each window's gradient to its first maximum in row-major order (argmax's)."""
    win = windows(X, size, size, stride)
    m, C, Ho, Wo = win.shape[:4]
    first = win.reshape(m, C, Ho, Wo, size * size).argmax(axis=4)
    rows = np.arange(Ho)[:, None] * stride + first // size
    cols = np.arange(Wo)[None, :] * stride + first % size
    dX = np.zeros(X.shape, np.result_type(X, dout))
    n, c = np.indices((m, C))[..., None, None]
    np.add.at(dX, (n, c, rows, cols), dout)  # windows may overlap: add, never overwrite
    return dX


# ------------------------------------------------------------------ the verdict's network

def shapes(filters: tuple[int, ...], layers: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """W1, b1, ... of conv blocks with `filters` filters each (3x3, padding 1, then a 2x2 max
    pool), then one fully connected layer from the flattened maps to layers[-1] classes, on
    square single-channel images of layers[0] pixels."""
    side, channels, out = math.isqrt(layers[0]), 1, {}
    for k, f in enumerate(filters, 1):
        out[f"W{k}"], out[f"b{k}"] = (f, channels, KERNEL, KERNEL), (f,)
        channels, side = f, out_size(side, KERNEL, 1, PAD) // POOL
    k = len(filters) + 1
    out[f"W{k}"], out[f"b{k}"] = (layers[-1], channels * side * side), (layers[-1], 1)
    return out


def images(X: np.ndarray) -> np.ndarray:
    """(m, 1, side, side) from pixels one example per column, (side * side, m)."""
    side = math.isqrt(X.shape[0])
    return X.T.reshape(-1, 1, side, side)


def forward(params: Params, X: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """Per conv block (its input, Z, relu(Z), the pooled maps), then (the flattened maps, Z, the
    softmax), for X one example per column."""
    A, out = images(X), []
    for k in range(1, network.depth(params)):
        Z = conv_forward(A, params[f"W{k}"], params[f"b{k}"], 1, PAD)
        R = network.relu(Z)
        out.append((A, Z, R, maxpool_forward(R, POOL, POOL)))
        A = out[-1][3]
    L = network.depth(params)
    flat = A.reshape(A.shape[0], -1).T
    Z = params[f"W{L}"] @ flat + params[f"b{L}"]
    out.append((flat, Z, network.softmax(Z)))
    return out


def backward(params: Params, layers: list[tuple[np.ndarray, ...]], Y: np.ndarray) -> Params:
    """Gradients of the mean cross-entropy keyed like the parameters."""
    L = network.depth(params)
    flat, _, AL = layers[-1]
    dZ = (AL - network.one_hot(Y, AL.shape[0])) / Y.size
    grads = {f"W{L}": dZ @ flat.T, f"b{L}": dZ.sum(axis=1, keepdims=True)}
    dA = (params[f"W{L}"].T @ dZ).T.reshape(layers[-2][3].shape)
    for k in range(L - 1, 0, -1):
        A, Z, R, _ = layers[k - 1]
        dZ = maxpool_backward(dA, R, POOL, POOL) * (Z > 0)
        dA, grads[f"W{k}"], grads[f"b{k}"] = conv_backward(dZ, A, params[f"W{k}"], 1, PAD)
    return {k: grads[k] for k in params}


def probabilities(params: Params, X: np.ndarray, chunk: int = 1000) -> np.ndarray:
    """The softmax outputs (classes, m), `chunk` examples at a time to bound the memory."""
    return np.concatenate([forward(params, X[:, i:i + chunk])[-1][2]
                           for i in range(0, X.shape[1], chunk)], axis=1)


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    return probabilities(params, X).argmax(axis=0)
