import numpy as np


def one_hot(Y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """(num_classes, m) matrix whose column j is e_{Y[j]}."""
    m = Y.shape[0]
    T = np.zeros((num_classes, m))
    T[Y, np.arange(m)] = 1.0
    return T
