import numpy as np
import pandas as pd
from matplotlib import pyplot as plt

data = pd.read_csv('/kaggle/input/digit-recognizer/train.csv')
data = np.array(data)
m, n = data.shape
np.random.shuffle(data)

data_dev = data[0:1000].T
Y_dev = data_dev[0]
X_dev = data_dev[1:n] / 255.

data_train = data[1000:m].T
Y_train = data_train[0]
X_train = data_train[1:n] / 255.
_, m_train = X_train.shape


def init_params(n_h=64):
    W1 = np.random.randn(n_h, 784) * np.sqrt(2 / 784)
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(10, n_h) * np.sqrt(2 / n_h)
    b2 = np.zeros((10, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    A = np.exp(Z - np.max(Z, axis=0)) / sum(np.exp(Z - np.max(Z, axis=0)))
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
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def momentum_step(params, grads, velocity, alpha, beta=0.9):
    new_params = {}
    for k in params:
        v = beta * velocity[k] + grads[k]
        new_params[k] = params[k] - alpha * v
    return new_params, velocity


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_params, new_m, new_v = {}, {}, {}
    for k in params:
        new_m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        new_v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        new_params[k] = params[k] - alpha * new_m[k] / (np.sqrt(new_v[k]) + eps)
    return new_params, new_m, new_v


def weight_decay(grads, params, lam):
    # L2 penalty in the loss: lam/2 * sum(W**2)
    new_grads = dict(grads)
    for k in ["W1", "W2"]:
        new_grads[k] = grads[k] + lam / 2 * params[k]
    return new_grads


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size


def gradient_descent_adam(X, Y, alpha, iterations, lam=1e-4):
    params = init_params()
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    for i in range(1, iterations + 1):
        Z1, A1, Z2, A2 = forward_prop(params["W1"], params["b1"], params["W2"], params["b2"], X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, params["W1"], params["W2"], X, Y)
        grads = weight_decay({"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}, params, lam)
        params, m, v = adam_step(params, grads, m, v, i, alpha)
        if i % 10 == 0:
            print("Iteration: ", i)
            print(get_accuracy(get_predictions(A2), Y))
    return params


params = gradient_descent_adam(X_train, Y_train, 0.001, 500)
