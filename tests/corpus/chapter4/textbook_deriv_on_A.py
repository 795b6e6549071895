# A textbook loop that caches (A_prev, W, Z) per layer and takes the ReLU derivative from the
# activations (A > 0, the same as Z > 0): correct throughout, with inverted dropout drawn by the
# generator's binomial and a gradient check over flat views.
import numpy as np


def forward_deep(params, X):
    caches = []
    A = X
    L = len(params) // 2
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = W @ A + b
        caches.append((A, W, Z))
        if l < L:
            A = np.maximum(0, Z)
        else:
            shifted = Z - Z.max(axis=0)
            A = np.exp(shifted) / np.exp(shifted).sum(axis=0)
    return A, caches


def backward_deep(params, caches, Y):
    L = len(caches)
    A_prev, W, Z = caches[-1]
    probs = np.exp(Z - Z.max(axis=0))
    probs /= probs.sum(axis=0)
    m = Y.shape[0]
    probs[Y, np.arange(m)] -= 1
    dZ = probs / m
    grads = {}
    for l in range(L, 0, -1):
        A_prev, W, Z = caches[l - 1]
        grads[f"W{l}"] = dZ @ A_prev.T
        grads[f"b{l}"] = dZ.sum(axis=1, keepdims=True)
        if l > 1:
            dZ = (W.T @ dZ) * (A_prev > 0)
    return grads


def dropout(A, keep_prob, rng):
    mask = rng.random(A.shape) < keep_prob
    return np.where(mask, A / keep_prob, 0.0), mask


def numerical_gradient(f, x, h=1e-5):
    flat = x.reshape(-1)
    grad = np.zeros_like(flat)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        up = f()
        flat[i] = keep - h
        down = f()
        flat[i] = keep
        grad[i] = (up - down) / (2 * h)
    return grad.reshape(x.shape)
