import numpy as np
import pandas as pd

df = pd.read_csv("data/mnist_train.csv")
labels = df["label"].values
pixels = df.drop("label", axis=1).values.T / 255.0

X_train, Y_train = pixels[:, :50000], labels[:50000]
X_val, Y_val = pixels[:, 50000:], labels[50000:]

print(X_train.shape, Y_train.shape)


def init_params(n_x=784, n_h=10, n_y=10, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    W1 = rng.standard_normal((n_h, n_x))
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal((n_y, n_h))
    b2 = np.zeros((n_y, 1))
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(0.0, Z)


def relu_deriv(Z):
    return Z > 0


def softmax(Z):
    Z = Z - Z.max(axis=0)
    expZ = np.exp(Z)
    return expZ / expZ.sum(axis=0)


def one_hot(Y, num_classes=10):
    out = np.zeros((num_classes, Y.shape[0]))
    out[Y, np.arange(Y.shape[0])] = 1.0
    return out


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = relu(Z1)
    Z2 = W2.dot(A1) + b2
    return Z1, A1, Z2, softmax(Z2)


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y)
    dW2 = dZ2.dot(A1.T) / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = W2.T.dot(dZ2) * relu_deriv(Z1)
    dW1 = dZ1.dot(X.T) / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def cross_entropy(A2, Y):
    eps = 1e-10
    m = len(Y)
    return float(np.mean(-np.log(np.maximum(A2[Y, np.arange(m)], eps))))


def predict(A2):
    return A2.argmax(0)


def accuracy(predictions, Y):
    return (predictions == Y).mean()


def mini_batches(X, Y, batch_size, rng):
    m = X.shape[1]
    # shuffle the examples
    X_shuffled = X[:, rng.permutation(m)]
    Y_shuffled = Y[rng.permutation(m)]
    batches = []
    n_batches = int(np.ceil(m / batch_size))
    for k in range(n_batches):
        X_k = X_shuffled[:, k * batch_size:(k + 1) * batch_size]
        Y_k = Y_shuffled[k * batch_size:(k + 1) * batch_size]
        batches.append((X_k, Y_k))
    return batches


def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)
    for epoch in range(epochs):
        if batch_size is None:
            batches = [(X, Y)]
        else:
            batches = mini_batches(X, Y, batch_size, rng)
        for X_b, Y_b in batches:
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X_b)
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X_b, Y_b)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        _, _, _, A2_all = forward_prop(W1, b1, W2, b2, X)
        print("epoch", epoch + 1, "train acc", accuracy(predict(A2_all), Y),
              "train loss", cross_entropy(A2_all, Y))
    return W1, b1, W2, b2


if __name__ == "__main__":
    params = gradient_descent(X_train, Y_train, alpha=0.1, epochs=10, batch_size=100,
                              rng=np.random.default_rng(0))
    _, _, _, A2_val = forward_prop(*params, X_val)
    print("val acc", accuracy(predict(A2_val), Y_val))
    np.savez("params.npz", *params)
