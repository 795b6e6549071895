import numpy as np

# Colab: mount drive first
data = np.load('/content/drive/MyDrive/datasets/mnist.npz')
x_train, y_train = data['x_train'], data['y_train']
x_test, y_test = data['x_test'], data['y_test']

X = x_train.reshape(60000, 784).T / 255.
Y = y_train
X_test = x_test.reshape(10000, 784).T / 255.
Y_test = y_test


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.normal(0, np.sqrt(2 / n_x), (n_h, n_x))
    b1 = np.zeros((n_h, 1))
    W2 = rng.normal(0, np.sqrt(2 / n_h), (n_y, n_h))
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def ReLU(Z):
    return Z * (Z > 0)


def dReLU(Z):
    return 1. * (Z > 0)


def softmax(Z):
    e = np.exp(Z - np.amax(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def one_hot(Y, num_classes=10):
    T = np.zeros((num_classes, len(Y)))
    for j, label in enumerate(Y):
        T[label, j] = 1
    return T


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = ReLU(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y)
    dW2 = dZ2 @ A1.T / m
    db2 = np.mean(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T @ dZ2 * dReLU(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = np.mean(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def cross_entropy(A2, Y):
    m = Y.shape[0]
    return -np.mean(np.log(A2[Y, np.arange(m)]))


def predict(A2):
    return np.argmax(A2, axis=1)


def accuracy(predictions, Y):
    return np.sum(predictions == Y)


def mini_batches(X, Y, batch_size, rng):
    m = X.shape[1]
    p = rng.permutation(m)
    X, Y = X[:, p], Y[p]
    return [(X[:, k:k + batch_size], Y[k:k + batch_size]) for k in range(0, m, batch_size)]


def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)
    history = []
    for epoch in range(epochs):
        batches = [(X, Y)] if batch_size is None else mini_batches(X, Y, batch_size, rng)
        for Xb, Yb in batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, Xb)
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, Xb, Yb)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
            history.append(cross_entropy(A2, Yb))
        print('epoch %d: loss %.4f' % (epoch, history[-1]))
    return W1, b1, W2, b2


W1, b1, W2, b2 = gradient_descent(X, Y, 0.1, 5, batch_size=64)

A2 = forward_prop(W1, b1, W2, b2, X_test)[3]
print('test accuracy:', accuracy(predict(A2), Y_test) / len(Y_test))
