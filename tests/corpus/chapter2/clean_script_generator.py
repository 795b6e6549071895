"""Handwritten digits with a 784-10-10 network, NumPy only.

Usage: python mnist_nn.py   (expects mnist.npz next to this file)
"""
from __future__ import annotations

import time

import numpy as np

SEED = 42
HIDDEN = 10
N_CLASSES = 10


def load_mnist(path: str = "mnist.npz"):
    with np.load(path) as f:
        x_train, y_train = f["x_train"], f["y_train"]
        x_test, y_test = f["x_test"], f["y_test"]
    # one example per column
    X_train = x_train.reshape(len(x_train), -1).T / 255.0
    X_test = x_test.reshape(len(x_test), -1).T / 255.0
    return X_train, y_train.astype(int), X_test, y_test.astype(int)


# ---------- layers ----------

def relu(Z):
    return np.maximum(0, Z)


def relu_deriv(Z):
    return (Z > 0).astype(float)


def softmax(Z):
    shifted = Z - Z.max(axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=0, keepdims=True)


def one_hot(Y, num_classes: int = N_CLASSES):
    return np.eye(num_classes)[Y].T


# ---------- network ----------

def init_params(n_x: int = 784, n_h: int = HIDDEN, n_y: int = N_CLASSES, rng=None):
    rng = rng or np.random.default_rng()
    W1 = rng.normal(0.0, np.sqrt(2.0 / n_x), size=(n_h, n_x))
    b1 = np.zeros((n_h, 1))
    W2 = rng.normal(0.0, np.sqrt(2.0 / n_h), size=(n_y, n_h))
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y, A2.shape[0])
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2


# ---------- training ----------

def cross_entropy(A2, Y) -> float:
    m = Y.shape[0]
    correct = A2[Y, np.arange(m)]
    return float(-np.sum(np.log(correct + 1e-8)) / m)


def predict(A2):
    return A2.argmax(axis=0)


def accuracy(predictions, Y) -> float:
    return float(np.mean(predictions == Y))


def mini_batches(X, Y, batch_size: int, rng):
    """Yield (X_batch, Y_batch) pairs covering a fresh random order of the columns."""
    m = X.shape[1]
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        idx = order[start:start + batch_size]
        yield X[:, idx], Y[idx]


def gradient_descent(X, Y, alpha: float, epochs: int, batch_size: int | None = None, rng=None):
    rng = rng or np.random.default_rng()
    W1, b1, W2, b2 = init_params(X.shape[0], HIDDEN, N_CLASSES, rng)
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        batches = [(X, Y)] if batch_size is None else mini_batches(X, Y, batch_size, rng)
        for X_b, Y_b in batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X_b)
            grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X_b, Y_b)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
        *_, A2 = forward_prop(W1, b1, W2, b2, X)
        print(f"epoch {epoch:3d} | loss {cross_entropy(A2, Y):.4f} | "
              f"acc {accuracy(predict(A2), Y):.3f} | {time.perf_counter() - t0:.1f}s")
    return W1, b1, W2, b2


def main():
    X_train, Y_train, X_test, Y_test = load_mnist()
    X_dev, Y_dev = X_train[:, -5000:], Y_train[-5000:]
    X_train, Y_train = X_train[:, :-5000], Y_train[:-5000]

    rng = np.random.default_rng(SEED)
    W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 0.1, 10, batch_size=64, rng=rng)

    for name, X, Y in (("dev", X_dev, Y_dev), ("test", X_test, Y_test)):
        *_, A2 = forward_prop(W1, b1, W2, b2, X)
        print(f"{name}: accuracy {accuracy(predict(A2), Y):.4f}, loss {cross_entropy(A2, Y):.4f}")


if __name__ == "__main__":
    main()
