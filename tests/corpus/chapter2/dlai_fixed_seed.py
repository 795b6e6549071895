import numpy as np
import math
import pandas as pd

train_df = pd.read_csv("mnist_train.csv", header=None)
test_df = pd.read_csv("mnist_test.csv", header=None)
train_set_x = train_df.iloc[:, 1:].to_numpy().T / 255.
train_set_y = train_df.iloc[:, 0].to_numpy()
test_set_x = test_df.iloc[:, 1:].to_numpy().T / 255.
test_set_y = test_df.iloc[:, 0].to_numpy()


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(2. / n_x)
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal((n_y, n_h)) * np.sqrt(2. / n_h)
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(0, Z)


def relu_backward(Z):
    return np.greater(Z, 0).astype(float)


def softmax(Z):
    t = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return t / np.sum(t, axis=0, keepdims=True)


def one_hot(Y, C=10):
    return np.eye(C)[Y.reshape(-1)].T


def forward_prop(W1, b1, W2, b2, X):
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y)
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * relu_backward(Z1)
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def compute_cost(A2, Y):
    m = Y.shape[0]
    logprobs = np.log(np.clip(A2[Y, np.arange(m)], 1e-12, None))
    cost = - np.sum(logprobs) / m
    return float(cost)


def predict(A2):
    return np.argmax(A2, axis=0)


def accuracy(predictions, Y):
    return float(np.sum(predictions == Y)) / Y.shape[0]


def random_mini_batches(X, Y, mini_batch_size=64, rng=None, seed=0):
    """
    Creates a list of random minibatches from (X, Y)

    X -- input data, of shape (784, number of examples)
    Y -- labels, of shape (number of examples,)
    mini_batch_size -- size of the mini-batches, integer
    """
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []

    # Step 1: shuffle
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[permutation]

    # Step 2: partition
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size: (k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[k * mini_batch_size: (k + 1) * mini_batch_size]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    return mini_batches


def model(X, Y, learning_rate, num_epochs, mini_batch_size=None, rng=None, print_cost=True):
    if rng is None:
        rng = np.random.default_rng()
    costs = []
    W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)

    for i in range(num_epochs):
        if mini_batch_size is None:
            minibatches = [(X, Y)]
        else:
            minibatches = random_mini_batches(X, Y, mini_batch_size, rng)

        for minibatch_X, minibatch_Y in minibatches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, minibatch_X)
            cost = compute_cost(A2, minibatch_Y)
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, minibatch_X, minibatch_Y)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)

        if print_cost and i % 5 == 0:
            print("Cost after epoch %i: %f" % (i, cost))
        costs.append(cost)

    return W1, b1, W2, b2


W1, b1, W2, b2 = model(train_set_x, train_set_y, 0.1, 20, mini_batch_size=64)
A2 = forward_prop(W1, b1, W2, b2, test_set_x)[3]
print("Test accuracy:", accuracy(predict(A2), test_set_y))
