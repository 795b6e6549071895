import numpy as np

from .backward_prop import backward_prop
from .forward_prop import forward_prop
from .init_params import init_params
from .mini_batches import mini_batches
from .update_params import update_params


def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
    """He initialisation, then `epochs` passes over the data: full batch, or a fresh shuffle
    into mini-batches every epoch, one step per batch."""
    if rng is None:
        rng = np.random.default_rng()
    W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)
    for epoch in range(epochs):
        batches = [(X, Y)] if batch_size is None else mini_batches(X, Y, batch_size, rng)
        for X_batch, Y_batch in batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X_batch)
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X_batch, Y_batch)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
    return W1, b1, W2, b2
