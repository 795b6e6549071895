import numpy as np

from .one_hot import one_hot
from .relu_deriv import relu_deriv


def backward_prop(Z1: np.ndarray, A1: np.ndarray, Z2: np.ndarray, A2: np.ndarray,
                  W1: np.ndarray, W2: np.ndarray, X: np.ndarray,
                  Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the mean cross-entropy loss with respect to W1, b1, W2 and b2.

    Z1, A1, Z2, A2 (10, m) come from forward_prop; W1 (10, 784), W2 (10, 10);
    X (784, m); Y (m,) integer labels. With m = X.shape[1]:
        dZ2 = A2 - one_hot(Y)                      (10, m)
        dW2 = dZ2 A1^T / m                         (10, 10)
        db2 = dZ2 summed over axis 1 / m           (10, 1)   keep it a column: keepdims=True
        dZ1 = (W2^T dZ2) * relu_deriv(Z1)          (10, m)   * is element by element
        dW1 = dZ1 X^T / m                          (10, 784)
        db1 = dZ1 summed over axis 1 / m           (10, 1)
    Returns the tuple (dW1, db1, dW2, db2). Use your one_hot and relu_deriv. Do not modify the
    inputs.

    Example (m = 1): if A2 already equals one_hot(Y), then dZ2 = 0 and all four gradients
    are zero: a perfect prediction leaves nothing to learn.
    """
    raise NotImplementedError()
