import numpy as np


def weight_decay(grads: dict[str, np.ndarray], params: dict[str, np.ndarray],
                 lam: float) -> dict[str, np.ndarray]:
    """L2 weight decay: the gradient of (lam / 2) * (the sum of every weight squared).

    grads, params: dicts with the same keys ("W1", "b1", "W2", "b2", ...). Returns a new
    dict of gradients with every key:
        grads[k] + lam * params[k]   for the weights (keys starting with "W")
        grads[k]                     for the biases (keys starting with "b"), unchanged
    Do not modify grads or params.

    Example: grads {"W1": [[1.0]], "b1": [[1.0]]}, params {"W1": [[2.0]], "b1": [[3.0]]},
    lam = 0.1 gives {"W1": [[1.2]], "b1": [[1.0]]}.
    """
    raise NotImplementedError()
