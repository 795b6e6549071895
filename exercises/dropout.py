import numpy as np


def dropout(A: np.ndarray, keep_prob: float,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout on a layer's activations, for training.

    A: any shape, e.g. (n_h, m); keep_prob: the probability of keeping each unit, in
    (0, 1]; rng: a np.random.Generator, the only source of randomness. Draw
        mask = rng.random(A.shape) < keep_prob
    and return the tuple (A * mask / keep_prob, mask). Dividing by keep_prob keeps each
    unit's expected value as it was, so the network needs no change at test time, where
    dropout is simply left out. Do not modify A.

    Example: keep_prob = 0.8 keeps about 80% of the units and multiplies them by 1.25.
    """
    raise NotImplementedError()
