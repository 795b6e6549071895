import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Central differences of f() by each element of x, which is restored after each."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
