import numpy as np


def init_params(n_x: int = 784, n_h: int = 10, n_y: int = 10,
                rng: np.random.Generator | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first parameters of the network, with He initialisation.

    n_x inputs (784 pixels), n_h hidden units, n_y classes; rng is a np.random.Generator
    (when it is None, make one: rng = np.random.default_rng()).
        W1: shape (n_h, n_x), entries drawn from N(0, 2 / n_x), standard deviation sqrt(2 / n_x)
        b1: zeros of shape (n_h, 1)
        W2: shape (n_y, n_h), entries drawn from N(0, 2 / n_h)
        b2: zeros of shape (n_y, 1)
    Every random number comes from rng, so the same seed gives the same parameters.
    Returns the tuple (W1, b1, W2, b2).

    Example:
        W1, b1, W2, b2 = init_params(784, 10, 10, np.random.default_rng(0))
        W1.shape -> (10, 784), W1.std() -> about 0.0505 (sqrt(2 / 784)), b1 -> all 0.0
    """
    raise NotImplementedError()
