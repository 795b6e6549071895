# A forum answer's network: forward_deep stores L in params for the backward pass, and
# backward_deep keeps each dA beside the gradients, keyed like the parameters.
import numpy as np

def forward_deep(params, X):
    L = len(params) // 2
    A = X
    caches = []
    for l in range(1, L + 1):
        Z = params["W%d" % l] @ A + params["b%d" % l]
        caches.append((A, Z))
        A = np.maximum(Z, 0) if l < L else np.exp(Z - Z.max(0)) / np.exp(Z - Z.max(0)).sum(0)
    params["L"] = L   # mutates params
    return A, caches

def backward_deep(params, caches, Y):
    L = sum(k.startswith("W") for k in params)
    A_prev, Z = caches[-1]
    AL = np.exp(Z - Z.max(0)); AL /= AL.sum(0)
    m = Y.size
    dZ = AL.copy(); dZ[Y, np.arange(m)] -= 1; dZ /= m
    grads = {}
    for l in range(L, 0, -1):
        A_prev, Z = caches[l - 1]
        grads["W%d" % l] = dZ @ A_prev.T
        grads["b%d" % l] = dZ.sum(1, keepdims=True)
        grads["dA%d" % (l - 1)] = params["W%d" % l].T @ dZ
        if l > 1:
            dZ = grads["dA%d" % (l - 1)] * (caches[l - 2][1] > 0)
    return grads
