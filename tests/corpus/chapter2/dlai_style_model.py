import math
import numpy as np

train = np.loadtxt("mnist_train.csv", delimiter=",", skiprows=1)
train_X = train[:, 1:].T / 255.
train_Y = train[:, 0].astype(int)
print("train_X shape: " + str(train_X.shape))


def initialize_parameters(n_x=784, n_h=10, n_y=10, rng=None):
    """
    Arguments:
    n_x, n_h, n_y -- sizes of the input, hidden and output layers
    rng -- numpy Generator (a new one is made when None)

    Returns:
    W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1) -- He initialization
    """
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.standard_normal((n_h, n_x)) * math.sqrt(2. / n_x)
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal((n_y, n_h)) * math.sqrt(2. / n_h)
    b2 = np.zeros((n_y, 1))
    assert W1.shape == (n_h, n_x)
    assert W2.shape == (n_y, n_h)
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(0, Z)


def relu_derivative(Z):
    dZ = np.zeros(Z.shape)
    dZ[Z > 0] = 1
    return dZ


def softmax(Z):
    t = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    A = t / np.sum(t, axis=0, keepdims=True)
    return A


def one_hot(Y, C=10):
    Y_oh = np.zeros((C, Y.shape[0]))
    Y_oh[Y, np.arange(Y.shape[0])] = 1
    return Y_oh


def forward_propagation(W1, b1, W2, b2, X):
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def compute_cost(A2, Y):
    """
    A2 -- softmax output, shape (10, number of examples)
    Y -- true labels, shape (number of examples,)
    """
    m = Y.shape[0]
    logprobs = np.log(np.clip(A2, 1e-12, 1.0))
    cost = -np.sum(one_hot(Y, A2.shape[0]) * logprobs) / m
    cost = float(np.squeeze(cost))
    return cost


def backward_propagation(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y, A2.shape[0])
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = dA1 * relu_derivative(Z1)
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_parameters(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate):
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2
    return W1, b1, W2, b2


def predict(A2):
    return np.argmax(A2, axis=0)


def compute_accuracy(predictions, Y):
    return np.mean(predictions == Y)


def random_mini_batches(X, Y, mini_batch_size=64, rng=None):
    """Returns mini_batches -- list of (mini_batch_X, mini_batch_Y)"""
    if rng is None:
        rng = np.random.default_rng()
    m = X.shape[1]
    mini_batches = []
    # same shuffled order for the images and for the labels
    permutation = np.arange(m)
    rng.shuffle(permutation)
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[permutation]
    # full-size batches first
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    # whatever is left over goes into one smaller batch
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:]
        mini_batch_Y = shuffled_Y[num_complete_minibatches * mini_batch_size:]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def model(X, Y, learning_rate=0.1, num_epochs=10, mini_batch_size=None, rng=None, print_cost=True):
    if rng is None:
        rng = np.random.default_rng()
    m = X.shape[1]
    costs = []
    W1, b1, W2, b2 = initialize_parameters(X.shape[0], 10, 10, rng)
    for i in range(num_epochs):
        if mini_batch_size is None:
            minibatches = [(X, Y)]
        else:
            minibatches = random_mini_batches(X, Y, mini_batch_size, rng)
        cost_total = 0
        for minibatch in minibatches:
            (minibatch_X, minibatch_Y) = minibatch
            Z1, A1, Z2, A2 = forward_propagation(W1, b1, W2, b2, minibatch_X)
            cost_total += compute_cost(A2, minibatch_Y) * minibatch_Y.shape[0]
            dW1, db1, dW2, db2 = backward_propagation(Z1, A1, Z2, A2, W1, W2, minibatch_X, minibatch_Y)
            W1, b1, W2, b2 = update_parameters(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)
        cost_avg = cost_total / m
        if print_cost and i % 10 == 0:
            print("Cost after epoch %i: %f" % (i, cost_avg))
        costs.append(cost_avg)
    return W1, b1, W2, b2


W1, b1, W2, b2 = model(train_X, train_Y, learning_rate=0.1, num_epochs=30, mini_batch_size=64)
Z1, A1, Z2, A2 = forward_propagation(W1, b1, W2, b2, train_X)
print("Train accuracy: " + str(compute_accuracy(predict(A2), train_Y)))
