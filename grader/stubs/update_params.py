import numpy as np


def update_params(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
                  dW1: np.ndarray, db1: np.ndarray, dW2: np.ndarray, db2: np.ndarray,
                  alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One step of gradient descent: each parameter moves against its gradient.

        W1 <- W1 - alpha * dW1      b1 <- b1 - alpha * db1
        W2 <- W2 - alpha * dW2      b2 <- b2 - alpha * db2
    Shapes: W1, dW1 (10, 784); b1, db1 (10, 1); W2, dW2 (10, 10); b2, db2 (10, 1);
    alpha is the learning rate, a positive float such as 0.1.
    Returns the tuple (W1, b1, W2, b2). Updating them in place is allowed; the gradients must
    stay unchanged.

    Example: W1 = [[1.0]], dW1 = [[2.0]], alpha = 0.1 gives W1 = [[0.8]].
    """
    raise NotImplementedError()
