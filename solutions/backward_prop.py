from .one_hot import one_hot
from .relu_deriv import relu_deriv


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients of the mean cross-entropy: dW1, db1, dW2, db2."""
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y)
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2
