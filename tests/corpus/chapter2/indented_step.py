#!/usr/bin/env python3
# mnist_scratch.py -- 2 layer MLP for MNIST, numpy only
import sys
import gzip
import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


X_train = read_idx("train-images-idx3-ubyte.gz").reshape(-1, 784).T / 255.0
y_train = read_idx("train-labels-idx1-ubyte.gz").astype(np.int64)


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(2 / n_x)
    b1 = rng.standard_normal((n_h, 1)) * np.sqrt(2 / n_x)
    W2 = rng.standard_normal((n_y, n_h)) * np.sqrt(2 / n_h)
    b2 = rng.standard_normal((n_y, 1)) * np.sqrt(2 / n_h)
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(Z, 0.0)


def relu_prime(Z):
    return np.heaviside(Z, 0.0)


def softmax(Z):
    Z = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)


def one_hot(y, k=10):
    Y = np.zeros((k, y.size))
    Y[y, np.arange(y.size)] = 1.0
    return Y


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(y, A2.shape[0])
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * relu_prime(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def cross_entropy(A2, y):
    p = A2[y, np.arange(y.size)]
    return float(np.mean(-np.log(np.clip(p, 1e-12, 1.0))))


def predict(A2):
    return np.argmax(A2, axis=0)


def accuracy(pred, y):
    return float((pred == y).sum() / y.size)


def mini_batches(X, y, batch_size, rng):
    m = X.shape[1]
    perm = rng.permutation(m)
    out = []
    for start in range(0, m, batch_size):
        sel = perm[start:start + batch_size]
        out.append((X[:, sel], y[sel]))
    return out


def fit(X, y, alpha, epochs, batch_size=None, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)
    for epoch in range(epochs):
        if batch_size is None:
            batches = [(X, y)]
        else:
            batches = mini_batches(X, y, batch_size, rng)
        for Xb, yb in batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, Xb)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, Xb, yb)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if epoch % 10 == 0:
            print(f"epoch {epoch}: loss={cross_entropy(A2, yb):.4f} "
                  f"acc={accuracy(predict(A2), yb):.3f}")
    return W1, b1, W2, b2


if __name__ == "__main__":
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    W1, b1, W2, b2 = fit(X_train, y_train, 0.1, epochs, batch_size=64,
                         rng=np.random.default_rng(1234))
    np.savez("weights.npz", W1=W1, b1=b1, W2=W2, b2=b2)
