# Neural network from scratch - MNIST
# 784 inputs -> 10 hidden (ReLU) -> 10 outputs (softmax)

import numpy as np
import matplotlib.pyplot as plt

mnist = np.load("data/mnist.npz")
X_train = mnist["x_train"].reshape(-1, 784).T.astype(np.float64) / 255.0
Y_train = mnist["y_train"]
X_test = mnist["x_test"].reshape(-1, 784).T.astype(np.float64) / 255.0
Y_test = mnist["y_test"]


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    """Xavier initialization so the activations don't blow up."""
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(1 / n_x)
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal((n_y, n_h)) * np.sqrt(1 / n_h)
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(Z, 0)


def relu_derivative(Z):
    return np.where(Z > 0, 1.0, 0.0)


def softmax(Z):
    """numerically stable softmax, one column per example"""
    Z_shift = Z - np.max(Z, axis=0, keepdims=True)
    exp_Z = np.exp(Z_shift)
    return exp_Z / np.sum(exp_Z, axis=0, keepdims=True)


def one_hot(Y, num_classes=10):
    return np.eye(num_classes)[:, Y]


def forward_prop(W1, b1, W2, b2, X):
    Z1 = np.matmul(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.matmul(W2, A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.shape[0]
    dZ2 = A2 - one_hot(Y)
    dW2 = (1 / m) * np.matmul(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.matmul(W2.T, dZ2) * relu_derivative(Z1)
    dW1 = (1 / m) * np.matmul(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def cross_entropy(A2, Y):
    """Cross-entropy loss: -log of the probability of the correct class"""
    m = Y.shape[0]
    correct_probs = A2[Y, range(m)]
    return -np.sum(np.log(np.clip(correct_probs, 1e-12, 1.0)))


def predict(A2):
    return np.argmax(A2, axis=0)


def accuracy(predictions, Y):
    return np.mean(predictions == Y)


def mini_batches(X, Y, batch_size, rng):
    m = X.shape[1]
    permutation = rng.permutation(m)
    X_shuffled = X[:, permutation]
    Y_shuffled = Y[permutation]
    batches = []
    for start in range(0, m, batch_size):
        end = min(start + batch_size, m)
        batches.append((X_shuffled[:, start:end], Y_shuffled[start:end]))
    return batches


def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = init_params(X.shape[0], 10, 10, rng)
    W1, b1, W2, b2 = params
    losses = []

    for epoch in range(epochs):
        if batch_size is None:
            batches = [(X, Y)]
        else:
            batches = mini_batches(X, Y, batch_size, rng)

        for X_batch, Y_batch in batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X_batch)
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X_batch, Y_batch)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)

        losses.append(cross_entropy(A2, Y_batch))
        if epoch % 10 == 0:
            print("epoch", epoch, "loss", losses[-1])

    return params


params = gradient_descent(X_train, Y_train, 0.1, 20, batch_size=128)
W1, b1, W2, b2 = params
_, _, _, A2 = forward_prop(W1, b1, W2, b2, X_test)
print("test accuracy:", accuracy(predict(A2), Y_test))
