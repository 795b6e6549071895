"""optimizers.py -- SGD with momentum, Adam and L2 weight decay for my numpy MLP.

Everything works on dicts of arrays ({"W1": ..., "b1": ..., ...}); nothing is changed in
place, every function hands back new dicts. Works in float32 too (the scalars are python
floats, so numpy keeps the array dtype).
"""
from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

Params = Dict[str, np.ndarray]


def zeros_like_params(params: Params) -> Params:
    return {name: np.zeros_like(p) for name, p in params.items()}


def momentum_step(params: Params, grads: Params, velocity: Params, alpha: float,
                  beta: float = 0.9) -> Tuple[Params, Params]:
    new_velocity = {name: beta * velocity[name] + g for name, g in grads.items()}
    new_params = {name: p - alpha * new_velocity[name] for name, p in params.items()}
    return new_params, new_velocity


def adam_step(params: Params, grads: Params, m: Params, v: Params, t: int,
              alpha: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 1e-8) -> Tuple[Params, Params, Params]:
    new_m = {name: beta1 * m[name] + (1.0 - beta1) * g for name, g in grads.items()}
    new_v = {name: beta2 * v[name] + (1.0 - beta2) * g * g for name, g in grads.items()}

    correction1 = 1.0 - beta1 ** t
    correction2 = 1.0 - beta2 ** t

    new_params = {}
    for name, p in params.items():
        m_hat = new_m[name] / correction1
        v_hat = new_v[name] / correction2
        denom = np.sqrt(v_hat) + eps
        new_params[name] = p - alpha * m_hat / denom
    return new_params, new_m, new_v


def is_weight(name: str) -> bool:
    return name.startswith("W")


def weight_decay(grads: Params, params: Params, lam: float) -> Params:
    return {name: g + lam * params[name] if is_weight(name) else g
            for name, g in grads.items()}


class Adam:
    """Keras-ish wrapper: keeps m, v and the step counter between calls."""

    def __init__(self, lr: float = 1e-3, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, decay: float = 0.0):
        self.lr = lr
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.decay = decay
        self.m: Params | None = None
        self.v: Params | None = None
        self.iterations = 0

    def apply_gradients(self, params: Params, grads: Params) -> Params:
        if self.m is None:
            self.m = zeros_like_params(params)
            self.v = zeros_like_params(params)
        if self.decay:
            grads = weight_decay(grads, params, self.decay)
        self.iterations += 1
        params, self.m, self.v = adam_step(params, grads, self.m, self.v, self.iterations,
                                           self.lr, self.beta_1, self.beta_2, self.epsilon)
        return params


class SGDMomentum:
    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        self.lr = lr
        self.momentum = momentum
        self.velocity: Params | None = None

    def apply_gradients(self, params: Params, grads: Params) -> Params:
        if self.velocity is None:
            self.velocity = zeros_like_params(params)
        params, self.velocity = momentum_step(params, grads, self.velocity, self.lr,
                                              self.momentum)
        return params


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    target = {"W1": rng.standard_normal((3, 4)).astype(np.float32),
              "b1": np.zeros((3, 1), dtype=np.float32)}
    params = zeros_like_params(target)
    opt = Adam(lr=0.05)
    for step in range(500):
        grads = {k: params[k] - target[k] for k in params}
        params = opt.apply_gradients(params, grads)
    print({k: float(np.abs(params[k] - target[k]).max()) for k in params})
    print(params["W1"].dtype)
