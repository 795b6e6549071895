import numpy as np


class NN:
    """A two-layer network: 784 inputs, 10 hidden ReLU units, 10 softmax outputs."""

    @staticmethod
    def ReLU(Z):
        return np.maximum(Z, 0)

    @staticmethod
    def ReLU_deriv(Z):
        return Z > 0

    @staticmethod
    def softmax(Z):
        return np.exp(Z) / np.sum(np.exp(Z))

    @staticmethod
    def one_hot(Y):
        one_hot_Y = np.zeros((Y.size, Y.max() + 1))
        one_hot_Y[np.arange(Y.size), Y] = 1
        return one_hot_Y.T

    @staticmethod
    def forward_prop(W1, b1, W2, b2, X):
        Z1 = W1.dot(X) + b1
        A1 = NN.ReLU(Z1)
        Z2 = W2.dot(A1) + b2
        A2 = NN.softmax(Z2)
        return Z1, A1, Z2, A2

    @staticmethod
    def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
        m = X.shape[1]
        dZ2 = A2 - NN.one_hot(Y)
        dW2 = 1 / m * dZ2.dot(A1.T)
        db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = W2.T.dot(dZ2) * NN.ReLU_deriv(Z1)
        dW1 = 1 / m * dZ1.dot(X.T)
        db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
        return dW1, db1, dW2, db2

    @staticmethod
    def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
        W1 = W1 - alpha * dW1
        b1 = b1 - alpha * db1
        W2 = W2 - alpha * dW2
        b2 = b2 - alpha * db2
        return W1, b1, W2, b2


ReLU = NN.ReLU
ReLU_deriv = NN.ReLU_deriv
softmax = NN.softmax
one_hot = NN.one_hot
forward_prop = NN.forward_prop
backward_prop = NN.backward_prop
update_params = NN.update_params
