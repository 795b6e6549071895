import numpy as np


def mini_batches(X: np.ndarray, Y: np.ndarray, batch_size: int,
                 rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """The m examples in a random order, cut into batches of batch_size.

    X: shape (784, m), one example per column; Y: shape (m,); rng: a np.random.Generator.
    Draw one random permutation of the m column indices (rng.permutation(m)), put X's
    columns and Y's labels in that same order, and cut them into consecutive batches:
        [(X_batch, Y_batch), ...]   X_batch (784, b), Y_batch (b,)
    every batch of b = batch_size examples except the last, which holds what is left when
    batch_size does not divide m. Every example is in exactly one batch. Returns the list
    of batches. Do not modify X or Y.

    Example: m = 5, batch_size = 2, permutation [3, 0, 4, 1, 2] gives three batches, of the
    columns [3, 0], [4, 1] and [2], with the labels Y[[3, 0]], Y[[4, 1]] and Y[[2]].
    """
    raise NotImplementedError()
