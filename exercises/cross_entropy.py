import numpy as np


def cross_entropy(A2: np.ndarray, Y: np.ndarray) -> float:
    """The mean cross-entropy loss of the m examples: how surprised the network is by the labels.

    A2: shape (10, m), column j the class probabilities of example j (softmax's output).
    Y: shape (m,), integer labels in 0 .. 9.
    Returns a float:
        loss = (1 / m) * sum over j of -log(A2[Y[j], j])
    the mean, over the m columns, of minus the log of the probability given to the right
    class. It must stay finite when a probability is exactly 0 (log(0) is -inf): clip the
    probabilities first, e.g. to at least 1e-12. Do not modify the inputs.

    Example:
        cross_entropy(np.array([[0.5, 0.25], [0.5, 0.75]]), np.array([0, 1]))
        -> (-log 0.5 - log 0.75) / 2 = 0.4904
    """
    raise NotImplementedError()
