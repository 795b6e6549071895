# deeplearning.ai "Building your Deep Neural Network: Step by Step", adapted to softmax and
# MNIST: helper functions per layer, caches ((A_prev, W, b), Z), gradients keyed dW1, db1.
import numpy as np


def relu(Z):
    return np.maximum(0, Z)


def softmax(Z):
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def relu_deriv(Z):
    return (Z > 0).astype(float)


def one_hot(Y, num_classes=10):
    out = np.zeros((num_classes, Y.size))
    out[Y, np.arange(Y.size)] = 1
    return out


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "relu":
        A = relu(Z)
    elif activation == "softmax":
        A = softmax(Z)
    cache = (linear_cache, Z)
    return A, cache


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters['W' + str(l)],
                                             parameters['b' + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters['W' + str(L)], parameters['b' + str(L)],
                                          "softmax")
    caches.append(cache)
    return AL, caches


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def L_model_backward(parameters, caches, Y):
    grads = {}
    L = len(caches)
    (A_prev, W, b), ZL = caches[L - 1]
    AL = softmax(ZL)
    dZ = AL - one_hot(Y, AL.shape[0])
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_backward(dZ, caches[L - 1][0])
    for l in reversed(range(L - 1)):
        linear_cache, Z = caches[l]
        dZ = grads["dA" + str(l + 1)] * relu_deriv(Z)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
        grads["dA" + str(l)] = dA_prev
        grads["dW" + str(l + 1)] = dW
        grads["db" + str(l + 1)] = db
    return grads
