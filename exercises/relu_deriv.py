import numpy as np


def relu_deriv(Z: np.ndarray) -> np.ndarray:
    """The derivative of ReLU, element by element: 1.0 where z > 0, else 0.0 (also at z = 0).

    Z: any shape, e.g. (10, m).
    Returns: an array of the same shape as Z: 1.0 where Z > 0, else 0.0 (True and False, or
    1 and 0, are accepted too).

    Example:
        relu_deriv(np.array([[-2.0, 0.0], [0.5, 3.0]]))  ->  [[0.0, 0.0], [1.0, 1.0]]
    """
    raise NotImplementedError()
