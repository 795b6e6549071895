import numpy as np


def accuracy(predictions: np.ndarray, Y: np.ndarray) -> float:
    """The fraction of examples whose prediction equals their label.

    predictions: shape (m,), integer labels (predict's output); Y: shape (m,), the true
    labels. Returns a float between 0.0 and 1.0 (not a count, not a percentage):
        accuracy = (number of j with predictions[j] == Y[j]) / m
    Do not modify the inputs.

    Example:
        accuracy(np.array([1, 0, 3, 3]), np.array([1, 2, 3, 3]))  ->  0.75
    """
    raise NotImplementedError()
