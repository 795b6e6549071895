import numpy as np


def momentum_step(params: dict[str, np.ndarray], grads: dict[str, np.ndarray],
                  velocity: dict[str, np.ndarray], alpha: float,
                  beta: float = 0.9) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One step of gradient descent with momentum, on every parameter of the dicts.

    params, grads, velocity: dicts with the same keys ("W1", "b1", "W2", "b2", ...); each
    gradient and velocity has its parameter's shape (a gradient is keyed like its parameter,
    "W1", not "dW1"). The velocity starts at zeros. For every key k:
        velocity[k] = beta * velocity[k] + grads[k]
        params[k]   = params[k] - alpha * velocity[k]      (with the new velocity)
    (PyTorch's SGD momentum.) Returns the tuple (params, velocity), both dicts with every
    key. Updating params and velocity in place is allowed; grads must stay unchanged.

    Example: p = 1.0, g = 2.0, v = 0.0, alpha = 0.1, beta = 0.9 gives v = 2.0, p = 0.8;
    the same g again gives v = 0.9 * 2.0 + 2.0 = 3.8, p = 0.8 - 0.38 = 0.42.
    """
    raise NotImplementedError()
