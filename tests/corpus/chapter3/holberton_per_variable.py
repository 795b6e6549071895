#!/usr/bin/env python3
"""
Optimization module: momentum, Adam and L2 weight decay
for a network whose parameters live in a dictionary
"""
import numpy as np


def update_variables_momentum(alpha, beta1, var, grad, v):
    """
    One momentum step on a single array

    Args:
        alpha: learning rate
        beta1: momentum coefficient
        var: numpy.ndarray, the variable to update
        grad: numpy.ndarray, gradient of the cost with respect to var
        v: velocity from the previous step
    Returns:
        the new variable and the new velocity
    """
    v = beta1 * v + grad
    var = var - alpha * v
    return var, v


def update_variables_Adam(alpha, beta1, beta2, epsilon, var, grad, v, s, t):
    """
    One Adam step on a single array

    Args:
        alpha: learning rate
        beta1: decay of the first moment
        beta2: decay of the second moment
        epsilon: keeps the denominator away from zero
        var: numpy.ndarray, the variable to update
        grad: numpy.ndarray, gradient of the cost with respect to var
        v: first moment from the previous step
        s: second moment from the previous step
        t: step number (from 1), for the bias correction
    Returns:
        the new variable, first moment and second moment
    """
    Vd = beta1 * v + (1 - beta1) * grad
    Sd = beta2 * s + (1 - beta2) * grad ** 2
    Vd_corrected = Vd / (1 - beta1 ** t)
    Sd_corrected = Sd / (1 - beta2 ** t)
    var = var - alpha * (Vd_corrected / (np.sqrt(Sd_corrected) + epsilon))
    return var, Vd, Sd


def momentum_step(params, grads, velocity, alpha, beta=0.9):
    """
    Momentum on every entry of params

    Returns:
        the updated params and velocity, new dictionaries
    """
    new_params = {}
    new_velocity = {}
    for key in params:
        new_params[key], new_velocity[key] = update_variables_momentum(
            alpha, beta, params[key], grads[key], velocity[key])
    return new_params, new_velocity


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999,
              eps=1e-8):
    """
    Adam on every entry of params

    Returns:
        the updated params, first moments and second moments
    """
    new_params = {}
    new_m = {}
    new_v = {}
    for key in params:
        new_params[key], new_m[key], new_v[key] = update_variables_Adam(
            alpha, beta2, beta1, eps, params[key], grads[key], m[key],
            v[key], t)
    return new_params, new_m, new_v


def weight_decay(grads, params, lam):
    """
    Applies L2 weight decay to the gradients of the weights

    Args:
        grads: dictionary of gradients, keyed like params
        params: dictionary of the weights and biases
        lam: the L2 regularization parameter
    Returns:
        a new dictionary of gradients
    """
    decayed = {}
    for key, grad in grads.items():
        if key.startswith('W'):
            decayed[key] = grad - lam * params[key]
        else:
            decayed[key] = grad
    return decayed
