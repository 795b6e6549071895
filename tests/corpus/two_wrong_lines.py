import numpy as np


def relu(x):
    return x * (x > 0)


def relu_deriv(x):
    return np.where(x > 0, 1, 0)


def softmax(z):
    z -= np.max(z, axis=0)           # shift for stability
    e = np.exp(z)
    return e / e.sum(axis=0)


def one_hot(y, num_classes=10):
    return np.eye(num_classes)[y]    # one row per example


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ Z1 + b2                # should this be A1?
    A2 = softmax(A1)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = (A2 - one_hot(Y)) / m
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2 @ dZ2 * relu_deriv(Z1)
    dW1 = dZ1 @ X.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * dW1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2
