import numpy as np
import pandas as pd
from matplotlib import pyplot as plt

data = pd.read_csv('../input/digit-recognizer/train.csv')
data = np.array(data)
m, n = data.shape
np.random.shuffle(data)

data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:n] / 255.

data_train = data[1000:m].T
Y_train = data_train[0]
X_train = data_train[1:n] / 255.


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1 = rng.normal(0, np.sqrt(2 / n_x), size=(n_h, n_x))
    b1 = np.zeros((n_h, 1))
    W2 = rng.normal(0, np.sqrt(2 / n_h), size=(n_y, n_h))
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2

def ReLU(Z):
    return np.maximum(Z, 0)

def softmax(Z):
    A = np.exp(Z - Z.max(axis=0)) / np.sum(np.exp(Z - Z.max(axis=0)), axis=0)
    return A

def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2

def ReLU_deriv(Z):
    return Z > 0

def one_hot(Y):
    one_hot_Y = np.zeros((Y.size, 10))
    one_hot_Y[np.arange(Y.size), Y] = 1
    one_hot_Y = one_hot_Y.T
    return one_hot_Y

def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2, 1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, 1, keepdims=True)
    return dW1, db1, dW2, db2

def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2

def cross_entropy(A2, Y):
    return -np.mean(np.log(A2[Y, np.arange(Y.size)] + 1e-8))

def get_predictions(A2):
    return np.argmax(A2, 0)

def get_accuracy(predictions, Y):
    print(predictions, Y)
    return np.sum(predictions == Y) / Y.size

def create_mini_batches(X, Y, batch_size, rng):
    m = X.shape[1]
    permutation = rng.permutation(m)
    X_shuffled = X[:, permutation]
    Y_shuffled = Y[permutation]
    mini_batches = []
    for i in range(0, m, batch_size):
        mini_batches.append((X_shuffled[:, i:i + batch_size], Y_shuffled[i:i + batch_size]))
    return mini_batches

def gradient_descent(X, Y, alpha, iterations, batch_size=None, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    W1, b1, W2, b2 = init_params(784, 10, 10, rng)
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1_new, b1_new, W2_new, b2_new = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if i % 10 == 0:
            print("Iteration: ", i)
            predictions = get_predictions(A2)
            print("Accuracy: ", get_accuracy(predictions, Y))
            print("Loss: ", cross_entropy(A2, Y))
    return W1_new, b1_new, W2_new, b2_new

W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 0.10, 500)

def make_predictions(X, W1, b1, W2, b2):
    _, _, _, A2 = forward_prop(W1, b1, W2, b2, X)
    predictions = get_predictions(A2)
    return predictions

def test_prediction(index, W1, b1, W2, b2):
    current_image = X_train[:, index, None]
    prediction = make_predictions(X_train[:, index, None], W1, b1, W2, b2)
    label = Y_train[index]
    print("Prediction: ", prediction)
    print("Label: ", label)
    plt.imshow(current_image.reshape((28, 28)) * 255, cmap='gray')
    plt.show()

dev_predictions = make_predictions(X_dev, W1, b1, W2, b2)
get_accuracy(dev_predictions, Y_dev)
