import numpy as np

from .one_hot import one_hot
from .relu_deriv import relu_deriv


def backward_deep(params, caches, Y):
    """Gradients of the mean cross-entropy for every layer, keyed like the parameters."""
    L = len(params) // 2
    AL = caches[-1][2]
    dZ = (AL - one_hot(Y, AL.shape[0])) / Y.shape[0]
    grads = {}
    for k in range(L, 0, -1):
        A_prev, Z, A = caches[k - 1]
        grads[f"W{k}"] = dZ @ A_prev.T
        grads[f"b{k}"] = np.sum(dZ, axis=1, keepdims=True)
        if k > 1:
            dZ = (params[f"W{k}"].T @ dZ) * relu_deriv(caches[k - 2][1])
    return grads
