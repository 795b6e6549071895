# A forum answer's backward pass: dZ divided by m, then dW divided by m again; its gradient
# check never puts x back.
import numpy as np


def forward_deep(params, X):
    L = len(params) // 2
    A = X
    caches = []
    for l in range(1, L + 1):
        Z = np.dot(params["W%d" % l], A) + params["b%d" % l]
        caches.append((A, Z))
        if l == L:
            Z = Z - np.max(Z, axis=0)
            A = np.exp(Z) / np.sum(np.exp(Z), axis=0)
        else:
            A = np.maximum(Z, 0)
    caches.append(A)
    return A, caches


def backward_deep(params, caches, Y):
    L = len(params) // 2
    AL = caches[-1]
    m = AL.shape[1]
    T = np.eye(AL.shape[0])[:, Y]
    dZ = (AL - T) / m
    grads = {}
    for l in range(L, 0, -1):
        A_prev, Z = caches[l - 1]
        grads["W%d" % l] = np.dot(dZ, A_prev.T) / m
        grads["b%d" % l] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dZ = np.dot(params["W%d" % l].T, dZ) * (caches[l - 2][1] > 0)
    return grads


def numerical_gradient(f, x, h=1e-5):
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        x[idx] += h
        fp = f()
        x[idx] -= 2 * h
        fm = f()
        g[idx] = (fp - fm) / (2 * h)
    return g
