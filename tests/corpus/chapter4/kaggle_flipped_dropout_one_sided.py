# A Kaggle notebook's regularisation cell: dropout that keeps with probability 1 - keep_prob
# (keep_prob read as the drop rate) and does not scale, and a forward-difference gradient check
# that copies x for each element.
import numpy as np


def dropout(A, keep_prob, rng):
    mask = rng.random(A.shape) > keep_prob
    return A * mask, mask


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    base = f()
    for i in range(x.size):
        idx = np.unravel_index(i, x.shape)
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (f() - base) / h
        x[idx] = old
    return grad
