import numpy as np

from .relu_deriv import relu_deriv
from .one_hot import one_hot


def backward_deep(params: dict[str, np.ndarray], caches: list,
                  Y: np.ndarray) -> dict[str, np.ndarray]:
    """Backpropagation through every layer: the gradients of the mean cross-entropy.

    params: the dict W1, b1, ..., WL, bL; caches: what your forward_deep returned with AL
    for these params; Y: the labels, shape (m,). Returns a dict of gradients keyed like
    the parameters ("W1", not "dW1"), each of its parameter's shape. From the last layer
    down to the first:
        dZL = (AL - one_hot(Y)) / m
        dWk = dZk @ A(k-1).T,  dbk = dZk summed over the examples (keepdims)
        dZ(k-1) = (Wk.T @ dZk) * relu_deriv(Z(k-1))       for k > 1
    (A0 is X.) Do not modify params or Y.

    Example: for chapter 1's network (L = 2) this gives backward_prop's dW1, db1, dW2, db2,
    under the keys W1, b1, W2, b2.
    """
    raise NotImplementedError()
