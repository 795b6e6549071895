import numpy as np

from .init_params import init_params
from .mini_batches import mini_batches
from .forward_prop import forward_prop
from .backward_prop import backward_prop
from .update_params import update_params


def gradient_descent(X: np.ndarray, Y: np.ndarray, alpha: float, epochs: int,
                     batch_size: int | None = None,
                     rng: np.random.Generator | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train the 784-10-10 network: He initialisation, then `epochs` passes over the data.

    X: shape (784, m); Y: shape (m,); alpha: the learning rate; epochs: passes over the
    data; batch_size: examples per step, or None for the whole set at once; rng: a
    np.random.Generator (None: make one with np.random.default_rng()).
        W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)
        for each of the epochs:
            batch_size None: one step on all of X and Y
            otherwise: one step on each batch of mini_batches(X, Y, batch_size, rng),
                       a fresh shuffle every epoch
        a step:  Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X_batch)
                 dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X_batch, Y_batch)
                 W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
    Returns the tuple (W1, b1, W2, b2) after the last step. Use your own functions; pass the
    rng on, so that the same seed trains the same network. Printing progress is fine.

    Example: m = 40, batch_size = 16, epochs = 3 makes 3 shuffles of 3 batches (16, 16, 8
    examples): 9 steps, each feeding the parameters update_params returned to the next.
    """
    raise NotImplementedError()
