"""Chapter 4, deeper networks, dropout and gradient checking: one module per exercise
(`reference`, `MISTAKES`, `check_*`). Networks are dicts W1, b1, ..., WL, bL of any depth;
backward_deep is checked on the caches of the learner's own forward_deep, run just before it
in the worker (grader.worker.Feed)."""

from __future__ import annotations

import numpy as np

from grader.checking import mnist_like, param_dicts

# 1, 2 and 3 hidden layers of odd widths, inputs not 784 and outputs not always 10.
LAYERS = ((50, 17, 10), (60, 23, 11, 10), (40, 19, 13, 7, 10))
LAYER_IDS = ["1 hidden layer", "2 hidden layers", "3 hidden layers"]


def deep_inputs(rng: np.random.Generator, layers: tuple[int, ...], m: int,
                dtype: type = np.float64) -> dict:
    """params at He scale, m MNIST-like examples and their labels."""
    return {"params": param_dicts(rng, layers, dtype), "X": mnist_like(rng, m, layers[0])
            .astype(dtype), "Y": rng.integers(0, layers[-1], m)}


def shapes_of(params: dict) -> str:
    """'50-17-10' for a network's dict."""
    L = sum(k.startswith("W") for k in params)
    widths = [params["W1"].shape[1]] + [params[f"W{k}"].shape[0] for k in range(1, L + 1)]
    return "-".join(str(w) for w in widths)
