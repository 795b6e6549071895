from .im2col import im2col


def conv_forward(X, W, b, stride=1, pad=0):
    """The filters W slid over X (cross-correlation, as every deep-learning library does)."""
    m, _, H, Wd = X.shape
    F, _, kh, kw = W.shape
    Ho = (H + 2 * pad - kh) // stride + 1
    Wo = (Wd + 2 * pad - kw) // stride + 1
    out = W.reshape(F, -1) @ im2col(X, kh, kw, stride, pad) + b.reshape(F, 1)
    return out.reshape(F, m, Ho, Wo).transpose(1, 0, 2, 3)
