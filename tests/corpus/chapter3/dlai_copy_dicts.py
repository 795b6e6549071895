import numpy as np
import matplotlib.pyplot as plt
from opt_utils import load_dataset, forward_propagation, backward_propagation

train_X, train_Y = load_dataset()
print("train_X shape: " + str(train_X.shape))


def initialize_velocity(parameters):
    """parameters "W1", "b1", ..., "WL", "bL" -> dictionary of zeros with the same keys and shapes"""
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["W" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["b" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v


def initialize_adam(parameters):
    return initialize_velocity(parameters), initialize_velocity(parameters)


def momentum_step(params, grads, velocity, alpha, beta=0.9):
    """
    Momentum step on every parameter

    Arguments:
    params -- dictionary "W1", "b1", ... of the current parameters
    grads -- dictionary of gradients with the same keys
    velocity -- dictionary of velocities with the same keys
    alpha -- learning rate
    beta -- momentum, 0.9 by default

    Returns:
    params -- new dictionary, the parameters after the step
    velocity -- new dictionary, the velocities after the step
    """
    params = params.copy()
    velocity = velocity.copy()
    L = len(params) // 2

    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = p + str(l)
            velocity[key] = beta * velocity[key] + grads[key]
            params[key] = params[key] - alpha * velocity[key]

    return params, velocity


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """
    Adam step on every parameter

    Arguments:
    m -- dictionary, running mean of the gradients
    v -- dictionary, running mean of the squared gradients
    t -- which step this is (1, 2, 3, ...), for the bias correction

    Returns:
    params, m, v -- three new dictionaries
    """
    params = params.copy()
    m = m.copy()
    v = v.copy()
    m_corrected = {}
    v_corrected = {}
    L = len(params) // 2

    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = p + str(l)
            m[key] = beta1 * m[key] + (1 - beta1) * grads[key]
            m_corrected[key] = m[key] / (1 - beta1 ** t)
            v[key] = beta2 * v[key] + (1 - beta2) * np.square(grads[key])
            v_corrected[key] = v[key] / (1 - beta2 ** t)
            params[key] = params[key] - alpha * m_corrected[key] / (np.sqrt(v_corrected[key]) + eps)

    return params, m, v


def weight_decay(grads, params, lam):
    """
    Adds the gradient of the L2 penalty (lam / 2) * sum of W**2 to the weights' gradients.
    The biases are not regularized.
    """
    grads = grads.copy()
    L = len(params) // 2
    for l in range(1, L + 1):
        grads["W" + str(l)] = grads["W" + str(l)] + lam * params["W" + str(l)]
    return grads


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, num_epochs=3000, lam=0.0):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        m, v = initialize_adam(parameters)
    t = 0
    for i in range(num_epochs):
        a3, caches = forward_propagation(X, parameters)
        grads = backward_propagation(X, Y, caches)
        grads = {k[1:]: g for k, g in grads.items() if k[1:] in parameters}
        grads = weight_decay(grads, parameters, lam)
        if optimizer == "momentum":
            parameters, v = momentum_step(parameters, grads, v, learning_rate)
        elif optimizer == "adam":
            t = t + 1
            parameters, m, v = adam_step(parameters, grads, m, v, t, learning_rate)
    return parameters


parameters = model(train_X, train_Y, [train_X.shape[0], 5, 2, 1], optimizer="adam")
plt.title("Model with Adam optimization")
