from builtins import range
import numpy as np


# ---------------------------------------------------------------------------------------
# im2col with fancy indexing, the way the CS231n "im2col.py" helper does it.
# Its columns come out in the order (y, x, n); the exercise wants (n, y, x), so im2col()
# below reorders them at the end.
# ---------------------------------------------------------------------------------------
def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    N, C, H, W = x_shape
    out_height = 1 + (H + 2 * padding - field_height) // stride
    out_width = 1 + (W + 2 * padding - field_width) // stride

    i0 = np.repeat(np.arange(field_height), field_width)
    i0 = np.tile(i0, C)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(field_width), field_height * C)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), field_height * field_width).reshape(-1, 1)
    return k, i, j, out_height, out_width


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
    """(C * HH * WW, H_out * W_out * N), columns (y, x, n)"""
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode='constant')
    k, i, j, _, _ = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    cols = x_padded[:, k, i, j]                       # (N, C*HH*WW, H_out*W_out)
    C = x.shape[1]
    return cols.transpose(1, 2, 0).reshape(field_height * field_width * C, -1)


def col2im_indices(cols, x_shape, field_height, field_width, padding=1, stride=1):
    N, C, H, W = x_shape
    H_padded, W_padded = H + 2 * padding, W + 2 * padding
    x_padded = np.zeros((N, C, H_padded, W_padded), dtype=cols.dtype)
    k, i, j, _, _ = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    cols_reshaped = cols.reshape(C * field_height * field_width, -1, N)
    cols_reshaped = cols_reshaped.transpose(2, 0, 1)
    np.add.at(x_padded, (slice(None), k, i, j), cols_reshaped)
    return x_padded[:, :, padding:padding + H, padding:padding + W]


def im2col(X, kh, kw, stride=1, pad=0):
    N, C, H, W = X.shape
    _, _, _, H_out, W_out = get_im2col_indices(X.shape, kh, kw, pad, stride)
    cols = im2col_indices(X, kh, kw, padding=pad, stride=stride)
    # (rows, y, x, n) -> (rows, n, y, x)
    cols = cols.reshape(C * kh * kw, H_out, W_out, N).transpose(0, 3, 1, 2)
    return cols.reshape(C * kh * kw, -1)


def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride

    x_cols = im2col(x, HH, WW, stride, pad)
    res = w.reshape((F, -1)).dot(x_cols) + b.reshape(-1, 1)
    out = res.reshape(F, N, H_out, W_out)
    out = out.transpose(1, 0, 2, 3)
    return out


def conv_backward(dout, x, w, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape

    db = np.sum(dout, axis=(0, 2, 3))

    # CS231n's layout: columns (y, x, n)
    x_cols = im2col_indices(x, HH, WW, padding=pad, stride=stride)
    dout_reshaped = dout.transpose(1, 2, 3, 0).reshape(F, -1)
    dw = dout_reshaped.dot(x_cols.T).reshape(w.shape)

    dx_cols = w.reshape(F, -1).T.dot(dout_reshaped)
    dx = col2im_indices(dx_cols, x.shape, HH, WW, padding=pad, stride=stride)
    return dx, dw, db


def maxpool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    pool_height = pool_width = size
    H_out = 1 + (H - pool_height) // stride
    W_out = 1 + (W - pool_width) // stride
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            hs, ws = i * stride, j * stride
            window = x[:, :, hs:hs + pool_height, ws:ws + pool_width]
            out[:, :, i, j] = np.max(window, axis=(2, 3))
    return out


def maxpool_backward(dout, x, size=2, stride=2):
    N, C, H, W = x.shape
    pool_height = pool_width = size
    H_out = 1 + (H - pool_height) // stride
    W_out = 1 + (W - pool_width) // stride
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    window = x[n, c, hs:hs + pool_height, ws:ws + pool_width]
                    mask = (window == np.max(window))
                    # only the first max gets it (argmax of a bool array = first True)
                    first = np.zeros_like(mask)
                    first.flat[np.argmax(mask)] = True
                    dx[n, c, hs:hs + pool_height, ws:ws + pool_width] += first * dout[n, c, i, j]
    return dx
