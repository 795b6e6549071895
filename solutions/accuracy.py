import numpy as np


def accuracy(predictions, Y):
    """The fraction of predictions equal to their label."""
    return float(np.mean(predictions == Y))
