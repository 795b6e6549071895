from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """The numerical gradient of a scalar function, by central differences.

    f: a function of no arguments that returns a number computed from x (it reads x
    itself); x: a float array of any shape, e.g. a weight matrix; h: the step. For every
    element x[i] (np.ndindex(x.shape) visits them all, whatever x's shape):
        old = x[i]
        x[i] = old + h;  f_plus = f()
        x[i] = old - h;  f_minus = f()
        x[i] = old                                  (restore it before the next one)
        grad[i] = (f_plus - f_minus) / (2 * h)
    Returns grad, an array of x's shape. x changes while the function runs and must hold
    its first values again when it returns.

    Example: with x = np.array([3.0]) and f = lambda: x[0] ** 2, the result is about
    [6.0], the derivative 2 x.
    """
    raise NotImplementedError()
