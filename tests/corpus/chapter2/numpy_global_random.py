import numpy as np
from keras.datasets import mnist

np.random.seed(0)

(train_X, train_y), (test_X, test_y) = mnist.load_data()
train_X = train_X.reshape(train_X.shape[0], -1).T / 255
test_X = test_X.reshape(test_X.shape[0], -1).T / 255
print('X_train: ' + str(train_X.shape))
print('Y_train: ' + str(train_y.shape))

# network: 784 -> 10 (relu) -> 10 (softmax)


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    # He initialization (good for relu)
    W1 = np.random.randn(n_h, n_x) * np.sqrt(2 / n_x)
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * np.sqrt(2 / n_h)
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(0, Z)


def relu_deriv(Z):
    return (Z > 0) * 1


def softmax(Z):
    exps = np.exp(Z - Z.max(axis=0))
    return exps / exps.sum(axis=0)


def one_hot(Y):
    oh = np.zeros((10, Y.size))
    oh[Y, np.arange(Y.size)] = 1
    return oh


def forward_prop(W1, b1, W2, b2, X):
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y)
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * relu_deriv(Z1)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def cross_entropy_loss(A2, Y):
    m = Y.size
    log_probs = np.log(A2[Y, np.arange(m)] + 1e-9)
    return -np.sum(log_probs) / m


def get_predictions(A2):
    return np.argmax(A2, axis=0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size * 100


def make_mini_batches(X, Y, batch_size, rng):
    m = X.shape[1]
    perm = np.random.permutation(m)
    X_shuf = X[:, perm]
    Y_shuf = Y[perm]
    batches = []
    for i in range(0, m, batch_size):
        batches.append((X_shuf[:, i:i + batch_size], Y_shuf[i:i + batch_size]))
    return batches


def train(X, Y, alpha, epochs, batch_size=None, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1, b1, W2, b2 = init_params(784, 10, 10, rng)
    for epoch in range(epochs):
        if batch_size is None:
            batches = [(X, Y)]
        else:
            batches = make_mini_batches(X, Y, batch_size, rng)
        for Xb, Yb in batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, Xb)
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, Xb, Yb)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        loss = cross_entropy_loss(A2, Yb)
        acc = get_accuracy(get_predictions(A2), Yb)
        print(f"Epoch {epoch + 1}/{epochs} - loss: {loss:.4f} - accuracy: {acc:.2f}%")
    return W1, b1, W2, b2


W1, b1, W2, b2 = train(train_X, train_y, 0.1, 10, batch_size=32)

_, _, _, A2_test = forward_prop(W1, b1, W2, b2, test_X)
print(f"Test accuracy: {get_accuracy(get_predictions(A2_test), test_y):.2f}%")
