# CS231n's gradient check (assignment 1, gradient_check.py style): f takes the array, np.nditer
# over every index, verbose printing, and a dropout written with np.random.rand as in the
# assignment's notes, ignoring the generator it is given.
import numpy as np


def eval_numerical_gradient(f, x, verbose=True, h=0.00001):
    fx = f(x)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def dropout(A, keep_prob, rng):
    mask = (np.random.rand(*A.shape) < keep_prob) / keep_prob
    return A * mask, mask
