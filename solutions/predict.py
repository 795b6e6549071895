import numpy as np


def predict(A2):
    """The row of each column's largest probability."""
    return np.argmax(A2, axis=0)
