import numpy as np


def adam_step(params: dict[str, np.ndarray], grads: dict[str, np.ndarray],
              m: dict[str, np.ndarray], v: dict[str, np.ndarray], t: int, alpha: float = 1e-3,
              beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 1e-8
              ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One step of Adam on every parameter of the dicts.

    params, grads, m, v: dicts with the same keys ("W1", "b1", "W2", "b2", ...), each array
    of its parameter's shape; m and v start at zeros, and t is the number of this step,
    1 for the first. For every key k:
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        m_hat = m[k] / (1 - beta1 ** t)          (bias correction)
        v_hat = v[k] / (1 - beta2 ** t)
        params[k] = params[k] - alpha * m_hat / (np.sqrt(v_hat) + eps)
    Returns the tuple (params, m, v), dicts with every key. Updating params, m and v in
    place is allowed; grads must stay unchanged.

    Example: at t = 1 every m_hat is the gradient g and every sqrt(v_hat) is |g|, so each
    parameter moves by alpha against the sign of its gradient: p = 1.0, g = 2.0 gives
    p = 1.0 - 0.001 * 2.0 / (2.0 + 1e-8), about 0.999.
    """
    raise NotImplementedError()
