import numpy as np
import pandas as pd

train = pd.read_csv("input/train.csv").to_numpy()
X_all = train[:, 1:].T / 255.
y_all = train[:, 0]
X_train, y_train = X_all[:, :38000], y_all[:38000]
X_val, y_val = X_all[:, 38000:], y_all[38000:]


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.standard_normal(size=(n_h, n_x)) / np.sqrt(n_x / 2.)
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal(size=(n_y, n_h)) / np.sqrt(n_h / 2.)
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def relu(x):
    return np.maximum(x, 0)


def relu_deriv(x):
    return (x > 0).astype(x.dtype)


def softmax(x):
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def one_hot(y, n_class=10):
    y_oh = np.zeros((n_class, y.size))
    y_oh[y, range(y.size)] = 1.
    return y_oh


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, y):
    m = X.shape[1]
    dZ2 = (A2 - one_hot(y)) / m
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
    dW1 = dZ1 @ X.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def cross_entropy(A2, y):
    m = y.shape[0]
    prob = np.clip(A2[y, range(m)], 1e-12, 1.)
    return -np.sum(np.log(prob)) / m


def predict(A2):
    return np.argmax(A2, axis=0)


def accuracy(y_pred, y_true):
    return np.mean(y_pred == y_true)


def get_minibatch(X, y, minibatch_size, rng):
    minibatches = []
    idx = rng.permutation(X.shape[1])
    X, y = X[:, idx], y[idx]
    for i in range(0, X.shape[1], minibatch_size):
        X_mini = X[:, i:i + minibatch_size]
        y_mini = y[i:i + minibatch_size]
        minibatches.append((X_mini, y_mini))
    return minibatches


def sgd(X_train, y_train, alpha=1e-1, n_iter=2000, mb_size=None, rng=None, print_after=100):
    if rng is None:
        rng = np.random.default_rng()
    if mb_size is None:
        minibatches = [(X_train, y_train)]
    else:
        minibatches = get_minibatch(X_train, y_train, mb_size, rng)

    W1, b1, W2, b2 = init_params(X_train.shape[0], 10, 10, rng)

    for it in range(1, n_iter + 1):
        idx = rng.integers(0, len(minibatches))
        X_mini, y_mini = minibatches[idx]

        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X_mini)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X_mini, y_mini)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)

        if it % print_after == 0:
            loss = cross_entropy(A2, y_mini)
            print('Iter-{} loss: {:.4f} acc: {:.4f}'.format(it, loss, accuracy(predict(A2), y_mini)))

    return W1, b1, W2, b2


W1, b1, W2, b2 = sgd(X_train, y_train, alpha=0.1, n_iter=5000, mb_size=64)
A2_val = forward_prop(W1, b1, W2, b2, X_val)[-1]
print('Validation accuracy: {:.4f}'.format(accuracy(predict(A2_val), y_val)))
