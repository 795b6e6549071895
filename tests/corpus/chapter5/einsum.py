# conv layer with np.einsum  (inspired by the "numpy's einsum for convolutions" blog posts)
#
#   patches[n, c, i, j, y, x] = xp[n, c, y*s + i, x*s + j]
#   out[n, f, y, x]           = sum_{c,i,j} w[f, c, i, j] * patches[n, c, i, j, y, x] + b[f]
import numpy as np


def out_dim(size, k, stride, pad):
    return (size + 2 * pad - k) // stride + 1


def make_patches(X, kh, kw, stride, pad):
    """6-d array of windows, (N, C, kh, kw, Ho, Wo), one strided slice per kernel offset"""
    N, C, H, W = X.shape
    Ho, Wo = out_dim(H, kh, stride, pad), out_dim(W, kw, stride, pad)
    xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    patches = np.empty((N, C, kh, kw, Ho, Wo), dtype=X.dtype)
    for i in range(kh):
        for j in range(kw):
            patches[:, :, i, j] = xp[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride]
    return patches


def im2col(X, kh, kw, stride=1, pad=0):
    p = make_patches(X, kh, kw, stride, pad)
    N, C = X.shape[:2]
    # (C, kh, kw, N, Ho, Wo): rows c,i,j and columns n,y,x
    return p.transpose(1, 2, 3, 0, 4, 5).reshape(C * kh * kw, -1)


def conv_forward(X, W, b, stride=1, pad=0):
    kh, kw = W.shape[2:]
    p = make_patches(X, kh, kw, stride, pad)
    out = np.einsum('ncijyx,fcij->nfyx', p, W, optimize=True)
    return out + b[None, :, None, None]


def conv_backward(dout, X, W, stride=1, pad=0):
    N, C, H, Wid = X.shape
    F, _, kh, kw = W.shape
    Ho, Wo = dout.shape[2:]
    p = make_patches(X, kh, kw, stride, pad)

    db = np.einsum('nfyx->f', dout)
    dW = np.einsum('nfyx,ncijyx->fcij', dout, p, optimize=True)

    # col2im: every kernel offset (i, j) sends its share back to a strided slice of dxp
    dp = np.einsum('nfyx,fcij->ncijyx', dout, W, optimize=True)
    dxp = np.zeros((N, C, H + 2 * pad, Wid + 2 * pad), dtype=dp.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += dp[:, :, i, j]
    dX = dxp[:, :, pad:pad + H, pad:pad + Wid]
    return dX, dW, db


def maxpool_forward(X, size=2, stride=2):
    N, C, H, W = X.shape
    Ho, Wo = out_dim(H, size, stride, 0), out_dim(W, size, stride, 0)
    out = np.full((N, C, Ho, Wo), -np.inf, dtype=X.dtype)
    for i in range(size):
        for j in range(size):
            out = np.maximum(out, X[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride])
    return out


def maxpool_backward(dout, X, size=2, stride=2):
    Ho, Wo = dout.shape[2:]
    out = maxpool_forward(X, size, stride)
    dX = np.zeros(X.shape, dtype=np.result_type(X, dout))
    # walk the offsets in row-major order; once a window has found its max, it is "taken"
    taken = np.zeros(out.shape, dtype=bool)
    for i in range(size):
        for j in range(size):
            sl = (slice(None), slice(None), slice(i, i + stride * Ho, stride),
                  slice(j, j + stride * Wo, stride))
            hit = (X[sl] == out) & ~taken
            dX[sl] += hit * dout
            taken |= hit
    return dX
