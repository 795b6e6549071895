import numpy as np


def one_hot(Y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Labels to one-hot columns: column j is all zeros except a 1.0 in row Y[j].

    Y: shape (m,), integer labels in 0 .. num_classes - 1.
    Returns: a float array of shape (num_classes, m), even when some classes do not occur in Y.
    Do not modify Y itself.

    Example:
        one_hot(np.array([2, 0]), num_classes=3)  ->  [[0.0, 1.0],
                                                       [0.0, 0.0],
                                                       [1.0, 0.0]]
    """
    raise NotImplementedError()
