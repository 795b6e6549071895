# Convolutional layer from scratch.
# A convolution flips the kernel (that's the difference with correlation, see any
# signal-processing book), so the kernel is rotated 180 degrees before sliding it.
import numpy as np


def im2col(X, kh, kw, stride=1, pad=0):
    m, C, H, W = X.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out_h = (H + 2 * pad - kh) // stride + 1
    out_w = (W + 2 * pad - kw) // stride + 1
    col = np.zeros((m, C, kh, kw, out_h, out_w), dtype=X.dtype)
    for i in range(kh):
        i_max = i + stride * out_h
        for j in range(kw):
            j_max = j + stride * out_w
            col[:, :, i, j, :, :] = Xp[:, :, i:i_max:stride, j:j_max:stride]
    # (C, kh, kw, m, out_h, out_w)
    col = col.transpose(1, 2, 3, 0, 4, 5).reshape(C * kh * kw, -1)
    return col


def col2im(col, X_shape, kh, kw, stride, pad):
    m, C, H, W = X_shape
    out_h = (H + 2 * pad - kh) // stride + 1
    out_w = (W + 2 * pad - kw) // stride + 1
    col = col.reshape(C, kh, kw, m, out_h, out_w).transpose(3, 0, 1, 2, 4, 5)
    img = np.zeros((m, C, H + 2 * pad, W + 2 * pad), dtype=col.dtype)
    for i in range(kh):
        i_max = i + stride * out_h
        for j in range(kw):
            j_max = j + stride * out_w
            img[:, :, i:i_max:stride, j:j_max:stride] += col[:, :, i, j, :, :]
    return img[:, :, pad:H + pad, pad:W + pad]


def conv_forward(X, W, b, stride=1, pad=0):
    m, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    out_h = (H + 2 * pad - kh) // stride + 1
    out_w = (Wd + 2 * pad - kw) // stride + 1
    kernel = W[:, :, ::-1, ::-1]              # rotate 180 -> real convolution
    col = im2col(X, kh, kw, stride, pad)
    out = kernel.reshape(F, -1) @ col + b.reshape(F, 1)
    return out.reshape(F, m, out_h, out_w).transpose(1, 0, 2, 3)


def conv_backward(dout, X, W, stride=1, pad=0):
    F, C, kh, kw = W.shape
    col = im2col(X, kh, kw, stride, pad)
    dout_col = dout.transpose(1, 0, 2, 3).reshape(F, -1)
    db = np.sum(dout_col, axis=1)
    dW = (dout_col @ col.T).reshape(F, C, kh, kw)
    dcol = W.reshape(F, -1).T @ dout_col
    dX = col2im(dcol, X.shape, kh, kw, stride, pad)
    return dX, dW, db


def maxpool_forward(X, size=2, stride=2):
    m, C, H, W = X.shape
    out_h = (H - size) // stride + 1
    out_w = (W - size) // stride + 1
    col = im2col(X.reshape(m * C, 1, H, W), size, size, stride, 0)   # (size*size, m*C*oh*ow)
    out = np.max(col, axis=0)
    return out.reshape(m, C, out_h, out_w)


def maxpool_backward(dout, X, size=2, stride=2):
    m, C, H, W = X.shape
    col = im2col(X.reshape(m * C, 1, H, W), size, size, stride, 0)
    arg_max = np.argmax(col, axis=0)                 # first max of each window
    dcol = np.zeros(col.shape, dtype=np.result_type(X, dout))
    dcol[arg_max, np.arange(col.shape[1])] = dout.reshape(-1)
    dX = col2im(dcol, (m * C, 1, H, W), size, size, stride, 0)
    return dX.reshape(m, C, H, W)
