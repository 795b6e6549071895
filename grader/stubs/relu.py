import numpy as np


def relu(Z: np.ndarray) -> np.ndarray:
    """The ReLU activation, element by element: max(0, z).

    Z: any shape, e.g. (10, m) for the hidden layer's pre-activations.
    Returns: an array of the same shape as Z. Do not modify Z itself.

    Example:
        relu(np.array([[-2.0, 0.0], [0.5, 3.0]]))  ->  [[0.0, 0.0], [0.5, 3.0]]
    """
    raise NotImplementedError()
