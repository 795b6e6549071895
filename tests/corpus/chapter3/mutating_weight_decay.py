"""Chapter 3: momentum, Adam and weight decay for the MNIST MLP.

Adam follows Kingma & Ba (2015), Algorithm 1, with the cheaper ordering the paper gives at
the end of section 2: fold both bias corrections into the step size,

    alpha_t = alpha * sqrt(1 - beta2^t) / (1 - beta1^t)
    theta   = theta - alpha_t * m_t / (sqrt(v_t) + eps)

Run `python chapter3.py --opt adam` to train.
"""
from __future__ import annotations

import argparse
import math

import numpy as np

ParamDict = dict[str, np.ndarray]


def momentum_step(params: ParamDict, grads: ParamDict, velocity: ParamDict,
                  alpha: float, beta: float = 0.9) -> tuple[ParamDict, ParamDict]:
    """Heavy-ball momentum, PyTorch convention: v <- beta v + g; p <- p - alpha v."""
    new_velocity = {}
    new_params = {}
    for name in params:
        new_velocity[name] = beta * velocity[name] + grads[name]
        new_params[name] = params[name] - alpha * new_velocity[name]
    return new_params, new_velocity


def adam_step(params: ParamDict, grads: ParamDict, m: ParamDict, v: ParamDict, t: int,
              alpha: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 1e-8) -> tuple[ParamDict, ParamDict, ParamDict]:
    """One Adam step; t is the 1-based step count."""
    alpha_t = alpha * math.sqrt(1.0 - beta2 ** t) / (1.0 - beta1 ** t)
    new_params, new_m, new_v = {}, {}, {}
    for name, g in grads.items():
        new_m[name] = beta1 * m[name] + (1.0 - beta1) * g
        new_v[name] = beta2 * v[name] + (1.0 - beta2) * np.square(g)
        new_params[name] = params[name] - alpha_t * new_m[name] / (np.sqrt(new_v[name]) + eps)
    return new_params, new_m, new_v


def weight_decay(grads: ParamDict, params: ParamDict, lam: float) -> ParamDict:
    """L2 penalty (lam / 2) * ||W||^2 on the weight matrices only: dW += lam * W."""
    if lam == 0.0:
        return grads
    for name in grads:
        if name.startswith("W"):
            grads[name] += lam * params[name]
    return grads


# --------------------------------------------------------------------------- training

def init(n_h: int, rng: np.random.Generator) -> ParamDict:
    return {"W1": rng.normal(0.0, math.sqrt(2 / 784), (n_h, 784)), "b1": np.zeros((n_h, 1)),
            "W2": rng.normal(0.0, math.sqrt(2 / n_h), (10, n_h)), "b2": np.zeros((10, 1))}


def loss_and_grads(params: ParamDict, X: np.ndarray, Y: np.ndarray) -> tuple[float, ParamDict]:
    m = X.shape[1]
    Z1 = params["W1"] @ X + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = params["W2"] @ A1 + params["b2"]
    Z2 = Z2 - Z2.max(axis=0, keepdims=True)
    A2 = np.exp(Z2) / np.exp(Z2).sum(axis=0, keepdims=True)
    loss = float(-np.log(A2[Y, np.arange(m)] + 1e-12).mean())
    dZ2 = A2.copy()
    dZ2[Y, np.arange(m)] -= 1.0
    dZ2 /= m
    dZ1 = (params["W2"].T @ dZ2) * (Z1 > 0)
    return loss, {"W1": dZ1 @ X.T, "b1": dZ1.sum(axis=1, keepdims=True),
                  "W2": dZ2 @ A1.T, "b2": dZ2.sum(axis=1, keepdims=True)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", choices=["momentum", "adam"], default="adam")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lam", type=float, default=1e-4)
    args = parser.parse_args()

    data = np.loadtxt("data/mnist_train.csv", delimiter=",", skiprows=1)
    X, Y = data[:, 1:].T / 255.0, data[:, 0].astype(int)
    rng = np.random.default_rng(42)
    params = init(128, rng)
    state1 = {k: np.zeros_like(p) for k, p in params.items()}
    state2 = {k: np.zeros_like(p) for k, p in params.items()}
    step = 0
    for epoch in range(args.epochs):
        order = rng.permutation(X.shape[1])
        for start in range(0, X.shape[1], 128):
            idx = order[start:start + 128]
            loss, grads = loss_and_grads(params, X[:, idx], Y[idx])
            grads = weight_decay(grads, params, args.lam)
            step += 1
            if args.opt == "adam":
                params, state1, state2 = adam_step(params, grads, state1, state2, step)
            else:
                params, state1 = momentum_step(params, grads, state1, 0.05)
        print(f"epoch {epoch + 1}: loss {loss:.4f}")


if __name__ == "__main__":
    main()
