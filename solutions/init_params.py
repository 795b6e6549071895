import numpy as np


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    """He initialisation: W ~ N(0, 2 / fan_in), biases 0, every draw from rng."""
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(2.0 / n_x)
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal((n_y, n_h)) * np.sqrt(2.0 / n_h)
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2
