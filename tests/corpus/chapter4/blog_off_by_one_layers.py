# A blog-style deep network: a for loop over the layers that stops one short and applies ReLU
# to the scores before softmax, which does not subtract the max.
import numpy as np


def forward_deep(params, X):
    L = len(params) // 2
    cache = {"A0": X}
    A = X
    for l in range(1, L):
        Z = params["W" + str(l)].dot(A) + params["b" + str(l)]
        A = np.maximum(Z, 0)
        cache["Z" + str(l)] = Z
        cache["A" + str(l)] = A
    Z = params["W" + str(L)].dot(A) + params["b" + str(L)]
    Z = np.maximum(Z, 0)
    AL = np.exp(Z) / np.exp(Z).sum(axis=0)
    cache["Z" + str(L)] = Z
    cache["A" + str(L)] = AL
    return AL, cache


def backward_deep(params, cache, Y):
    L = len(params) // 2
    m = Y.size
    onehot = np.zeros(cache["A" + str(L)].shape)
    onehot[Y, np.arange(m)] = 1
    dZ = cache["A" + str(L)] - onehot
    grads = {}
    for l in range(L, 0, -1):
        grads["W" + str(l)] = dZ.dot(cache["A" + str(l - 1)].T) / m
        grads["b" + str(l)] = dZ.sum(axis=1, keepdims=True) / m
        if l > 1:
            dZ = params["W" + str(l)].T.dot(dZ) * (cache["A" + str(l - 1)] > 0)
    return grads
