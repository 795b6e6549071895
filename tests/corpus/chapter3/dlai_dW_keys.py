import numpy as np
import h5py

train_dataset = h5py.File('datasets/train_catvnoncat.h5', "r")
train_set_x_orig = np.array(train_dataset["train_set_x"][:])
train_set_y_orig = np.array(train_dataset["train_set_y"][:])
train_x = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T / 255.


def initialize_velocity(parameters):
    """
    velocity dictionary, keyed like the gradients ("dW1", "db1", ..., "dWL", "dbL"),
    all zeros, each shaped like its parameter
    """
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v[f"dW{l}"] = np.zeros_like(parameters[f"W{l}"])
        v[f"db{l}"] = np.zeros_like(parameters[f"b{l}"])
    return v


def initialize_adam(parameters):
    """
    m (average of the gradients) and v (average of their squares), both
    keyed like the gradients and all zeros
    """
    return initialize_velocity(parameters), initialize_velocity(parameters)


def momentum_step(params, grads, velocity, alpha, beta=0.9):
    """
    params -- "W1", "b1", ...; grads and velocity -- "dW1", "db1", ...
    Returns the updated params and velocity (new dictionaries).
    """
    L = len(params) // 2
    new_params = {}
    new_velocity = {}
    for l in range(1, L + 1):
        new_velocity[f"dW{l}"] = beta * velocity[f"dW{l}"] + grads[f"dW{l}"]
        new_velocity[f"db{l}"] = beta * velocity[f"db{l}"] + grads[f"db{l}"]
        new_params[f"W{l}"] = params[f"W{l}"] - alpha * new_velocity[f"dW{l}"]
        new_params[f"b{l}"] = params[f"b{l}"] - alpha * new_velocity[f"db{l}"]
    return new_params, new_velocity


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """
    m -- moving average of the gradient; v -- moving average of the squared gradient
    t -- Adam counter (1 on the first step)
    """
    L = len(params) // 2
    new_params, new_m, new_v = {}, {}, {}
    m_corrected, v_corrected = {}, {}
    for l in range(1, L + 1):
        for name in (f"W{l}", f"b{l}"):
            g = grads["d" + name]
            new_m["d" + name] = beta1 * m["d" + name] + (1 - beta1) * g
            new_v["d" + name] = beta2 * v["d" + name] + (1 - beta2) * g ** 2
            m_corrected["d" + name] = new_m["d" + name] / (1 - beta1 ** t)
            v_corrected["d" + name] = new_v["d" + name] / (1 - beta2 ** t)
            new_params[name] = params[name] - alpha * new_m["d" + name] / (np.sqrt(v_corrected["d" + name]) + eps)
    return new_params, new_m, new_v


def weight_decay(grads, params, lam):
    """
    L2 regularization: the cost gets (lam / 2) * sum(W ** 2), so dW gets lam * W.
    """
    L = len(params) // 2
    grads = dict(grads)
    for l in range(1, L + 1):
        grads[f"dW{l}"] = grads[f"dW{l}"] + lam * params[f"W{l}"]
    return grads


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    mini_batches = []
    for k in range(0, m, mini_batch_size):
        mini_batches.append((shuffled_X[:, k:k + mini_batch_size], shuffled_Y[:, k:k + mini_batch_size]))
    return mini_batches


if __name__ == "__main__":
    np.random.seed(1)
    parameters = {"W1": np.random.randn(2, 3), "b1": np.random.randn(2, 1),
                  "W2": np.random.randn(3, 3), "b2": np.random.randn(3, 1)}
    grads = {"dW1": np.random.randn(2, 3), "db1": np.random.randn(2, 1),
             "dW2": np.random.randn(3, 3), "db2": np.random.randn(3, 1)}
    m, v = initialize_adam(parameters)
    parameters, m, v = adam_step(parameters, grads, m, v, t=2, alpha=0.01)
    print("W1 after one step =\n", parameters["W1"])
    print("m['dW1'] =\n", m["dW1"])
