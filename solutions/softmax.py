import numpy as np


def softmax(Z: np.ndarray) -> np.ndarray:
    """Column-wise softmax of Z (k, m)."""
    # exp(z - c) / sum(exp(z - c)) is the same for any c; the column's maximum keeps exp <= 1.
    shifted = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=0, keepdims=True)
