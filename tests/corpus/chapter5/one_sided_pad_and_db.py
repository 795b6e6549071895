# coding: utf-8
# im2col / col2im in the style of "Deep Learning from Scratch" (common/util.py),
# adapted to the exercise: im2col returns (C*fh*fw, N*out_h*out_w), so the book's
# (N*out_h*out_w, C*fh*fw) matrix is transposed at the end.
import numpy as np


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    # pad the bottom and the right with zeros
    img = np.pad(input_data, [(0, 0), (0, 0), (0, pad), (0, pad)], 'constant')
    out_h = (img.shape[2] - filter_h) // stride + 1
    out_w = (img.shape[3] - filter_w) // stride + 1

    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]

    col = col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)
    return col.T


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """col: (C*fh*fw, N*out_h*out_w) -> images of input_shape"""
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.T.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]

    return img[:, :, pad:H + pad, pad:W + pad]


def conv_forward(X, W, b, stride=1, pad=0):
    FN, C, FH, FW = W.shape
    N, C, H, Wd = X.shape
    out_h = 1 + int((H + 2 * pad - FH) / stride)
    out_w = 1 + int((Wd + 2 * pad - FW) / stride)

    col = im2col(X, FH, FW, stride, pad)
    col_W = W.reshape(FN, -1)
    out = np.dot(col_W, col) + b[:, np.newaxis]
    out = out.reshape(FN, N, out_h, out_w).transpose(1, 0, 2, 3)
    return out


def conv_backward(dout, X, W, stride=1, pad=0):
    FN, C, FH, FW = W.shape
    dout_flat = dout.transpose(1, 0, 2, 3).reshape(FN, -1)

    db = np.sum(dout, axis=(1, 2, 3))
    col = im2col(X, FH, FW, stride, pad)
    dW = np.dot(dout_flat, col.T).reshape(FN, C, FH, FW)

    dcol = np.dot(W.reshape(FN, -1).T, dout_flat)
    dX = col2im(dcol, X.shape, FH, FW, stride, pad)
    return dX, dW, db


def maxpool_forward(X, size=2, stride=2):
    N, C, H, W = X.shape
    out_h = int(1 + (H - size) / stride)
    out_w = int(1 + (W - size) / stride)
    # one channel per "image" so every column is a size*size window
    col = im2col(X.reshape(N * C, 1, H, W), size, size, stride, 0)
    out = np.max(col, axis=0)
    return out.reshape(N, C, out_h, out_w)


def maxpool_backward(dout, X, size=2, stride=2):
    N, C, H, W = X.shape
    col = im2col(X.reshape(N * C, 1, H, W), size, size, stride, 0)
    arg_max = np.argmax(col, axis=0)
    dmax = np.zeros(col.shape, dtype=np.result_type(X, dout))
    dmax[arg_max, np.arange(arg_max.size)] = dout.flatten()
    dx = col2im(dmax, (N * C, 1, H, W), size, size, stride, 0)
    return dx.reshape(N, C, H, W)
