import numpy as np
import scipy.io
import math

data = scipy.io.loadmat('datasets/data.mat')
train_X = data['X'].T
train_Y = data['y'].T


def initialize_velocity(parameters):
    """
    Builds the velocity dictionary v:
                - same keys as parameters ("W1", "b1", ..., "WL", "bL")
                - every value a zero array shaped like that parameter
    """
    L = len(parameters) // 2  # number of layers in the neural networks
    v = {}

    for l in range(L):
        v["W" + str(l + 1)] = np.zeros_like(parameters["W" + str(l + 1)])
        v["b" + str(l + 1)] = np.zeros_like(parameters["b" + str(l + 1)])

    return v


def momentum_step(parameters, grads, v, learning_rate, beta=0.9):
    """
    One gradient-descent-with-momentum step

    Arguments:
    parameters -- dictionary of the weights and biases:
                    parameters['W' + str(l)], parameters['b' + str(l)]
    grads -- dictionary of their gradients, same keys:
                    grads['W' + str(l)], grads['b' + str(l)]
    v -- dictionary of the velocities, same keys
    learning_rate -- step size, scalar
    beta -- momentum coefficient, scalar

    Returns:
    parameters -- the parameters after the step
    v -- the velocities after the step
    """
    L = len(parameters) // 2  # number of layers in the neural networks
    parameters = dict(parameters)
    v = dict(v)

    # Momentum update for each parameter
    for l in range(L):
        # compute velocities
        v["W" + str(l + 1)] = beta * v["W" + str(l + 1)] + (1 - beta) * grads["W" + str(l + 1)]
        v["b" + str(l + 1)] = beta * v["b" + str(l + 1)] + (1 - beta) * grads["b" + str(l + 1)]
        # update parameters
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * v["W" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * v["b" + str(l + 1)]

    return parameters, v


def adam_step(parameters, grads, v, s, t, learning_rate=0.001,
              beta1=0.9, beta2=0.999, epsilon=1e-8):
    """
    One Adam step

    Arguments:
    v -- dictionary, exponentially weighted average of the gradients
    s -- dictionary, exponentially weighted average of the squared gradients
    t -- step counter for the bias correction, 1 on the first step

    Returns:
    parameters, v, s -- all three after the step
    """
    L = len(parameters) // 2  # number of layers in the neural networks
    parameters, v, s = dict(parameters), dict(v), dict(s)
    v_corrected = {}
    s_corrected = {}

    for l in range(L):
        for p in ["W", "b"]:
            k = p + str(l + 1)
            # Moving average of the gradients
            v[k] = beta1 * v[k] + (1 - beta1) * grads[k]
            v_corrected[k] = v[k] / (1 - math.pow(beta1, t))
            # Moving average of the squared gradients
            s[k] = beta2 * s[k] + (1 - beta2) * np.power(grads[k], 2)
            s_corrected[k] = s[k] / (1 - math.pow(beta2, t))
            # Update parameters
            parameters[k] = parameters[k] - learning_rate * v_corrected[k] / np.sqrt(s_corrected[k] + epsilon)

    return parameters, v, s


def weight_decay(grads, parameters, lambd):
    """
    Adds the gradient of the L2 regularization cost, lambd * W, to dW (never to db).
    """
    L = len(parameters) // 2
    new_grads = {}
    for key in grads:
        new_grads[key] = grads[key]
    for l in range(1, L + 1):
        new_grads["W" + str(l)] = grads["W" + str(l)] + lambd * parameters["W" + str(l)]
    return new_grads


parameters, grads, v = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}, \
    {"W1": 0.1 * np.ones((2, 3)), "b1": 0.1 * np.ones((2, 1))}, None
v = initialize_velocity(parameters)
parameters, v = momentum_step(parameters, grads, v, beta=0.9, learning_rate=0.01)
print("W1 = \n" + str(parameters["W1"]))
print("v[\"W1\"] = \n" + str(v["W1"]))
