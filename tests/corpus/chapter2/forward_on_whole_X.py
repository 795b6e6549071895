import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

train_data = pd.read_csv('mnist_train.csv')
test_data = pd.read_csv('mnist_test.csv')

Y_train = train_data['label'].to_numpy()
X_train = train_data.drop(columns=['label']).to_numpy().T / 255
Y_test = test_data['label'].to_numpy()
X_test = test_data.drop(columns=['label']).to_numpy().T / 255


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.normal(0.0, np.sqrt(2.0 / n_x), (n_h, n_x))
    b1 = np.zeros((n_h, 1))
    W2 = rng.normal(0.0, np.sqrt(2.0 / n_h), (n_y, n_h))
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def ReLU(Z):
    return np.maximum(Z, 0)


def deriv_ReLU(Z):
    return Z > 0


def softmax(Z):
    exp = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return exp / exp.sum(axis=0, keepdims=True)


def one_hot(Y):
    one_hot_Y = np.zeros((Y.size, 10))
    one_hot_Y[np.arange(Y.size), Y] = 1
    return one_hot_Y.T


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    dZ2 = A2 - one_hot(Y)
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * deriv_ReLU(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def cross_entropy(A2, Y):
    m = Y.size
    return -np.sum(np.log(np.clip(A2[Y, np.arange(m)], 1e-12, 1))) / m


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size


def create_mini_batches(X, Y, batch_size, rng):
    m = X.shape[1]
    perm = rng.permutation(m)
    X_shuffled, Y_shuffled = X[:, perm], Y[perm]
    mini_batches = []
    for k in range(m // batch_size):
        X_mini = X_shuffled[:, k * batch_size:(k + 1) * batch_size]
        Y_mini = Y_shuffled[k * batch_size:(k + 1) * batch_size]
        mini_batches.append((X_mini, Y_mini))
    return mini_batches


def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)
    accuracies = []
    for epoch in range(epochs):
        if batch_size is None:
            mini_batches = [(X, Y)]
        else:
            mini_batches = create_mini_batches(X, Y, batch_size, rng)
        for X_mini, Y_mini in mini_batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X_mini, Y_mini)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        accuracies.append(get_accuracy(get_predictions(A2), Y))
        print("Epoch:", epoch, "accuracy:", accuracies[-1], "loss:", cross_entropy(A2, Y))
    return W1, b1, W2, b2


W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 0.1, 10, batch_size=128)

_, _, _, A2 = forward_prop(W1, b1, W2, b2, X_test)
print("Test accuracy:", get_accuracy(get_predictions(A2), Y_test))
