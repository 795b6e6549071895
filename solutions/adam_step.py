import numpy as np


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam with bias correction; t is the step number, from 1."""
    new_params, new_m, new_v = {}, {}, {}
    for key in params:
        new_m[key] = beta1 * m[key] + (1 - beta1) * grads[key]
        new_v[key] = beta2 * v[key] + (1 - beta2) * grads[key] ** 2
        m_hat = new_m[key] / (1 - beta1 ** t)
        v_hat = new_v[key] / (1 - beta2 ** t)
        new_params[key] = params[key] - alpha * m_hat / (np.sqrt(v_hat) + eps)
    return new_params, new_m, new_v
