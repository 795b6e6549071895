import numpy as np


def relu(Z: np.ndarray) -> np.ndarray:
    """max(0, z) for every element of Z."""
    return np.maximum(Z, 0)
