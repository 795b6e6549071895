# A Medium tutorial's vectorised network: biases' gradients summed without keepdims, dropout
# that multiplies by keep_prob, and a gradient check whose step is fixed at 1e-4.
import numpy as np


def forward_deep(params, X):
    n_layers = len(params) // 2
    activations = [X]
    pre = []
    for i in range(1, n_layers + 1):
        z = params["W" + str(i)] @ activations[-1] + params["b" + str(i)]
        pre.append(z)
        if i == n_layers:
            ez = np.exp(z - z.max(0, keepdims=True))
            activations.append(ez / ez.sum(0, keepdims=True))
        else:
            activations.append(np.where(z > 0, z, 0))
    return activations[-1], (activations, pre)


def backward_deep(params, caches, Y):
    activations, pre = caches
    n_layers = len(pre)
    batch = Y.shape[0]
    delta = activations[-1].copy()
    delta[Y, range(batch)] -= 1
    delta /= batch
    grads = {}
    for i in reversed(range(1, n_layers + 1)):
        grads["W" + str(i)] = delta @ activations[i - 1].T
        grads["b" + str(i)] = delta.sum(axis=1)
        delta = (params["W" + str(i)].T @ delta) * (pre[i - 2] > 0) if i > 1 else None
    return grads


def dropout(A, keep_prob, rng):
    mask = rng.random(A.shape) < keep_prob
    return A * mask * keep_prob, mask


def numerical_gradient(f, x, h=1e-5):
    eps = 1e-4
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        a = f()
        x[i] = saved - eps
        b = f()
        x[i] = saved
        grad[i] = (a - b) / (2 * eps)
    return grad
