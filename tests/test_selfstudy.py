"""Self-study: hints, diagnosed mistakes, progress, reset with backup (watch: test_watch.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import modules
from grader.catalog import CHAPTERS, EXERCISES
from grader.diagnosis import Mistake
from grader.stubs import stub_source
from grader.engine import run_checks
from grader.worker import Worker

REPO = Path(__file__).resolve().parent.parent
MISTAKES = [m for ex in EXERCISES for m in modules.module(ex.name).MISTAKES]

# One learner file per known mistake: (mistake key, exercise, the buggy function).
MISTAKE_SOURCES = {
    "minimum": ("relu", "def relu(Z):\n    return np.minimum(Z, 0)"),
    "absolute": ("relu", "def relu(Z):\n    return np.abs(Z)"),
    "mask": ("relu", "def relu(Z):\n    return (Z > 0) * 1.0"),
    "identity": ("relu", "def relu(Z):\n    return Z.copy()"),
    "at_zero": ("relu_deriv", "def relu_deriv(Z):\n    return (Z >= 0).astype(float)"),
    "is_relu": ("relu_deriv", "def relu_deriv(Z):\n    return np.maximum(Z, 0)"),
    "ones": ("relu_deriv", "def relu_deriv(Z):\n    return np.ones_like(Z)"),
    "inverted": ("relu_deriv", "def relu_deriv(Z):\n    return np.where(Z < 0, 1.0, 0.0)"),
    "rows": ("softmax", "def softmax(Z):\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
                        "    return E / E.sum(axis=1, keepdims=True)"),
    "global_sum": ("softmax", "def softmax(Z):\n    E = np.exp(Z - Z.max())\n    return E / E.sum()"),
    "no_max_shift": ("softmax", "def softmax(Z):\n    E = np.exp(Z)\n"
                                "    return E / E.sum(axis=0, keepdims=True)"),
    "global_max": ("softmax", "def softmax(Z):\n    E = np.exp(Z - np.max(Z))\n"
                              "    return E / E.sum(axis=0, keepdims=True)"),
    "no_division": ("softmax", "def softmax(Z):\n    return np.exp(Z - Z.max(axis=0))"),
    "no_exp": ("softmax", "def softmax(Z):\n    return Z / Z.sum(axis=0, keepdims=True)"),
    "max_rows": ("one_hot", "def one_hot(Y, num_classes=10):\n    T = np.zeros((Y.max() + 1, Y.size))\n"
                            "    T[Y, np.arange(Y.size)] = 1.0\n    return T"),
    "transposed": ("one_hot", "def one_hot(Y, num_classes=10):\n"
                              "    return np.eye(num_classes)[Y]"),
    "one_based": ("one_hot", "def one_hot(Y, num_classes=10):\n    T = np.zeros((num_classes, Y.size))\n"
                             "    T[Y - 1, np.arange(Y.size)] = 1.0\n    return T"),
    "ten_rows": ("one_hot", "def one_hot(Y, num_classes=10):\n    T = np.zeros((10, Y.size))\n"
                            "    T[Y, np.arange(Y.size)] = 1.0\n    return T"),
    "integers": ("one_hot", "def one_hot(Y, num_classes=10):\n"
                        "    T = np.zeros((num_classes, Y.size), dtype=int)\n"
                        "    T[Y, np.arange(Y.size)] = 1\n    return T"),
    "no_b1": ("forward_prop", "def forward_prop(W1, b1, W2, b2, X):\n    Z1 = W1 @ X\n    A1 = relu(Z1)\n"
                              "    Z2 = W2 @ A1 + b2\n    return Z1, A1, Z2, softmax(Z2)"),
    "no_b2": ("forward_prop", "def forward_prop(W1, b1, W2, b2, X):\n    Z1 = W1 @ X + b1\n"
                              "    A1 = relu(Z1)\n    Z2 = W2 @ A1\n    return Z1, A1, Z2, softmax(Z2)"),
    "no_relu": ("forward_prop", "def forward_prop(W1, b1, W2, b2, X):\n    Z1 = W1 @ X + b1\n"
                                "    Z2 = W2 @ Z1 + b2\n    return Z1, Z1, Z2, softmax(Z2)"),
    "no_softmax": ("forward_prop", "def forward_prop(W1, b1, W2, b2, X):\n    Z1 = W1 @ X + b1\n"
                                   "    A1 = relu(Z1)\n    Z2 = W2 @ A1 + b2\n    return Z1, A1, Z2, Z2"),
    "relu_on_output": ("forward_prop", "def forward_prop(W1, b1, W2, b2, X):\n    Z1 = W1 @ X + b1\n"
                                       "    A1 = relu(Z1)\n    Z2 = W2 @ A1 + b2\n"
                                       "    return Z1, A1, Z2, softmax(relu(Z2))"),
    "b2_after_softmax": ("forward_prop", "def forward_prop(W1, b1, W2, b2, X):\n"
                                         "    Z1 = W1 @ X + b1\n    A1 = relu(Z1)\n"
                                         "    Z2 = W2 @ A1 + b2\n"
                                         "    return Z1, A1, Z2, softmax(W2 @ A1) + b2"),
    "sign": ("backward_prop", None),
    "no_relu_deriv": ("backward_prop", None),
    "w2_not_transposed": ("backward_prop", None),
    "db2_scalar": ("backward_prop", None),
    "no_m_dW1": ("backward_prop", None),
    "global_m": ("backward_prop", None),
    "adds": ("update_params", "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
                              "    return W1 + alpha * dW1, b1 + alpha * db1, W2 + alpha * dW2, "
                              "b2 + alpha * db2"),
    "no_alpha": ("update_params", "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
                                  "    return W1 - dW1, b1 - db1, W2 - dW2, b2 - db2"),
    "no_biases": ("update_params", "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
                                   "    return W1 - alpha * dW1, b1, W2 - alpha * dW2, b2"),
    "unchanged": ("update_params", "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
                                   "    return W1, b1, W2, b2"),
}

BACKWARD = """def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = {dZ2}
    dW2 = dZ2 @ A1.T / {m2}
    db2 = {db2}
    dZ1 = {dZ1}
    dW1 = dZ1 @ X.T / {m1}
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2"""
GOOD = dict(dZ2="A2 - one_hot(Y)", m2="m", db2="dZ2.sum(axis=1, keepdims=True) / m",
            dZ1="W2.T @ dZ2 * relu_deriv(Z1)", m1="m")
BACKWARD_BUGS = {
    "sign": dict(dZ2="one_hot(Y) - A2"),
    "no_relu_deriv": dict(dZ1="W2.T @ dZ2"),
    "w2_not_transposed": dict(dZ1="W2 @ dZ2 * relu_deriv(Z1)"),
    "db2_scalar": dict(db2="np.sum(dZ2) / m"),
    "no_m_dW1": dict(m1="1"),
    "global_m": dict(m1="1000", m2="1000"),
}
INIT = ("def init_params(n_x=784, n_h=10, n_y=10, rng=None):\n"
        "    rng = np.random.default_rng() if rng is None else rng\n"
        "    return ({W1}, np.zeros((n_h, 1)), {W2}, np.zeros((n_y, 1)))")
BATCHES = ("def mini_batches(X, Y, batch_size, rng):\n"
           "    m = X.shape[1]\n    perm = {perm}\n"
           "    return [(X[:, perm[k:k + batch_size]], Y[perm[k:k + batch_size]]) for k in {starts}]")
CE = "def cross_entropy(A2, Y):\n    m = Y.size\n    T = np.eye(10)[Y].T\n    return {loss}"
MISTAKE_SOURCES |= {  # chapter 2
    "sum": ("cross_entropy", CE.format(loss="-np.sum(np.log(A2[Y, np.arange(m)] + 1e-12))")),
    "all_entries": ("cross_entropy", CE.format(loss="-np.mean(T * np.log(A2 + 1e-12))")),
    "no_minus": ("cross_entropy", CE.format(loss="np.mean(np.log(A2[Y, np.arange(m)] + 1e-12))")),
    "log10": ("cross_entropy", CE.format(loss="-np.mean(np.log10(A2[Y, np.arange(m)] + 1e-12))")),
    "unprotected": ("cross_entropy", CE.format(loss="-np.mean(np.log(A2[Y, np.arange(m)]))")),
    "binary": ("cross_entropy", CE.format(
        loss="-np.sum(T * np.log(A2) + (1 - T) * np.log(1 - A2)) / m")),
    "axis1": ("predict", "def predict(A2):\n    return np.argmax(A2, axis=1)"),
    "flat": ("predict", "def predict(A2):\n    return np.argmax(A2)"),
    "max": ("predict", "def predict(A2):\n    return np.max(A2, axis=0)"),
    "count": ("accuracy", "def accuracy(predictions, Y):\n    return np.sum(predictions == Y)"),
    "percent": ("accuracy", "def accuracy(predictions, Y):\n"
                "    return 100 * np.mean(predictions == Y)"),
    "error_rate": ("accuracy", "def accuracy(predictions, Y):\n"
                   "    return np.mean(predictions != Y)"),
    "positive": ("init_params", INIT.format(W1="rng.random((n_h, n_x)) * np.sqrt(2 / n_x)",
                                            W2="rng.random((n_y, n_h)) * np.sqrt(2 / n_h)")),
    "notebook": ("init_params", INIT.format(W1="rng.random((n_h, n_x)) - 0.5",
                                            W2="rng.random((n_y, n_h)) - 0.5")),
    "unit": ("init_params", INIT.format(W1="rng.standard_normal((n_h, n_x))",
                                        W2="rng.standard_normal((n_y, n_h))")),
    "xavier": ("init_params", INIT.format(W1="rng.normal(0, np.sqrt(1 / n_x), (n_h, n_x))",
                                          W2="rng.normal(0, np.sqrt(1 / n_h), (n_y, n_h))")),
    "fan_out": ("init_params", INIT.format(W1="rng.normal(0, np.sqrt(2 / n_h), (n_h, n_x))",
                                           W2="rng.normal(0, np.sqrt(2 / n_y), (n_y, n_h))")),
    "glorot": ("init_params", INIT.format(
        W1="rng.normal(0, np.sqrt(2 / (n_x + n_h)), (n_h, n_x))",
        W2="rng.normal(0, np.sqrt(2 / (n_h + n_y)), (n_y, n_h))")),
    "variance": ("init_params", INIT.format(W1="rng.normal(0, 2 / n_x, (n_h, n_x))",
                                            W2="rng.normal(0, 2 / n_h, (n_y, n_h))")),
    "he_uniform": ("init_params", INIT.format(
        W1="rng.uniform(-np.sqrt(6 / n_x), np.sqrt(6 / n_x), (n_h, n_x))",
        W2="rng.uniform(-np.sqrt(6 / n_h), np.sqrt(6 / n_h), (n_y, n_h))")),
    "other_layer": ("init_params", INIT.format(W1="rng.normal(0, np.sqrt(2 / n_x), (n_h, n_x))",
                                               W2="rng.normal(0, np.sqrt(2 / n_x), (n_y, n_h))")),
    "rows_only": ("cross_entropy", CE.format(loss="-np.sum(np.log(A2[Y])) / m")),
    "dropped_last": ("mini_batches", BATCHES.format(perm="rng.permutation(m)",
                                                    starts="range(0, m - batch_size + 1, batch_size)")),
    "repeats": ("mini_batches", BATCHES.format(perm="rng.integers(0, m, m)",
                                               starts="range(0, m, batch_size)")),
}
MOMENTUM = ("def momentum_step(params, grads, velocity, alpha, beta=0.9):\n"
            "    v = {{k: {v} for k in params}}\n"
            "    return {{k: params[k] - alpha * {step} for k in params}}, {returned}")
ADAM = ("import numpy as np\n\n"
        "def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    b1, b2 = {betas}\n"
        "    m = {{k: b1 * m[k] + (1 - b1) * grads[k] for k in params}}\n"
        "    v = {{k: b2 * v[k] + (1 - b2) * {g2} for k in params}}\n"
        "    out = {{}}\n"
        "    for k in params:\n"
        "        m_hat, v_hat = {hats}\n"
        "        out[k] = params[k] - alpha * {m_used} / ({root})\n"
        "    return out, m, v")
ADAM_GOOD = dict(betas="beta1, beta2", g2="grads[k] ** 2",
                 hats="m[k] / (1 - b1 ** t), v[k] / (1 - b2 ** t)", m_used="m_hat",
                 root="np.sqrt(v_hat) + eps")
DECAY = ("def weight_decay(grads, params, lam):\n"
         "    return {{k: g + {term} if {which} else g for k, g in grads.items()}}")
MOMENTUM_GOOD = dict(v="beta * velocity[k] + grads[k]", step="v[k]", returned="v")
MISTAKE_SOURCES |= {  # chapter 3
    "averaged": ("momentum_step", MOMENTUM.format(**(MOMENTUM_GOOD | dict(
        v="beta * velocity[k] + (1 - beta) * grads[k]")))),
    "gradient_step": ("momentum_step", MOMENTUM.format(**(MOMENTUM_GOOD | dict(step="grads[k]")))),
    "old_velocity": ("momentum_step", MOMENTUM.format(**(MOMENTUM_GOOD | dict(
        step="velocity[k]")))),
    "velocity_unchanged": ("momentum_step", MOMENTUM.format(**(MOMENTUM_GOOD | dict(
        returned="velocity")))),
    "no_beta": ("momentum_step", MOMENTUM.format(**(MOMENTUM_GOOD | dict(
        v="velocity[k] + grads[k]")))),
    "adds_velocity": ("momentum_step", MOMENTUM.format(**(MOMENTUM_GOOD | dict(step="-v[k]")))),
    "sutskever": ("momentum_step", MOMENTUM.format(**(MOMENTUM_GOOD | dict(
        v="beta * velocity[k] - alpha * grads[k]", step="-v[k] / alpha")))),
    "fixed_keys": ("momentum_step", MOMENTUM.format(**MOMENTUM_GOOD).replace(
        "for k in params}}", "for k in params}").replace(
        "v = {k: beta * velocity[k] + grads[k] for k in params}",
        "v = dict(velocity, **{k: beta * velocity[k] + grads[k] for k in ('W1', 'b1', 'W2', 'b2')})"
    ).replace("return {k: params[k] - alpha * v[k] for k in params}",
              "return dict(params, **{k: params[k] - alpha * v[k] for k in ('W1', 'b1', 'W2', 'b2')})")),
    "fixed_keys_adam": ("adam_step", ADAM.format(**ADAM_GOOD).replace(
        "m = {k: b1 * m[k] + (1 - b1) * grads[k] for k in params}",
        "m = dict(m, **{k: b1 * m[k] + (1 - b1) * grads[k] for k in ('W1', 'b1', 'W2', 'b2')})").replace(
        "v = {k: b2 * v[k] + (1 - b2) * grads[k] ** 2 for k in params}",
        "v = dict(v, **{k: b2 * v[k] + (1 - b2) * grads[k] ** 2 for k in ('W1', 'b1', 'W2', 'b2')})").replace(
        "    out = {}\n    for k in params:", "    out = dict(params)\n    for k in ('W1', 'b1', 'W2', 'b2'):")),
    "moments_swapped": ("adam_step", ADAM.format(**ADAM_GOOD).replace("return out, m, v",
                                                                      "return out, v, m")),
    "no_bias_correction": ("adam_step", ADAM.format(**(ADAM_GOOD | dict(hats="m[k], v[k]")))),
    "t_from_0": ("adam_step", ADAM.format(**(ADAM_GOOD | dict(
        hats="m[k] / (1 - b1 ** (t - 1)), v[k] / (1 - b2 ** (t - 1))")))),
    "t_plus_1": ("adam_step", ADAM.format(**(ADAM_GOOD | dict(
        hats="m[k] / (1 - b1 ** (t + 1)), v[k] / (1 - b2 ** (t + 1))")))),
    "eps_inside": ("adam_step", ADAM.format(**(ADAM_GOOD | dict(root="np.sqrt(v_hat + eps)")))),
    "not_squared": ("adam_step", ADAM.format(**(ADAM_GOOD | dict(g2="grads[k]")))),
    "no_m_hat": ("adam_step", ADAM.format(**(ADAM_GOOD | dict(m_used="m[k]")))),
    "betas_swapped": ("adam_step", ADAM.format(**(ADAM_GOOD | dict(betas="beta2, beta1")))),
    "biases_too": ("weight_decay", DECAY.format(term="lam * params[k]", which="True")),
    "minus": ("weight_decay", DECAY.format(term="-lam * params[k]", which="k[0] == 'W'")),
    "half": ("weight_decay", DECAY.format(term="lam / 2 * params[k]", which="k[0] == 'W'")),
    "twice": ("weight_decay", DECAY.format(term="2 * lam * params[k]", which="k[0] == 'W'")),
}
FORWARD_DEEP = """def _softmax(Z, axis=0):
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def forward_deep(params, X):
    L = len(params) // 2
    A = X
    caches = []
    for k in range(1, {stop}):
        A_prev = A
        Z = params[f"W{{k}}"] @ A_prev{bias}
        A = {last} if k == {last_at} else {hidden}
        caches.append((A_prev, Z, A))
    return A, caches"""
FORWARD_DEEP_GOOD = dict(stop="L + 1", bias=' + params[f"b{k}"]', last="_softmax(Z)",
                         last_at="L", hidden="np.maximum(Z, 0)")
BACKWARD_DEEP = """def backward_deep(params, caches, Y):
    L = len(params) // 2
    AL = caches[-1][2]
    m = Y.shape[0]
    T = np.zeros_like(AL)
    T[Y, np.arange(m)] = 1
    dZ = {dZL}
    grads = {{}}
    for k in range(L, 0, -1):
        A_prev, Z, A = caches[k - 1]
        grads[f"W{{k}}"] = dZ @ A_prev.T{dw}
        grads[f"b{{k}}"] = dZ.sum(axis=1, keepdims=True){db}
        if k > 1:
            dZ = (params[f"W{{k}}"].T @ dZ){deriv}
    return grads"""
BACKWARD_DEEP_GOOD = dict(dZL="(AL - T) / m", dw="", db="", deriv=" * (caches[k - 2][1] > 0)")
DROPOUT = """def dropout(A, keep_prob, rng):
    mask = rng.random(A.shape) < keep_prob
    return {out}, mask"""
MISTAKE_SOURCES |= {  # chapter 4
    **{key: ("forward_deep", FORWARD_DEEP.format(**(FORWARD_DEEP_GOOD | bug))) for key, bug in {
        "relu_then_softmax": dict(last="_softmax(np.maximum(Z, 0))"),
        "deep_no_softmax": dict(last="Z"), "relu_last": dict(last="np.maximum(Z, 0)"),
        "softmax_everywhere": dict(hidden="_softmax(Z)"), "no_hidden_relu": dict(hidden="Z"),
        "sigmoid_hidden": dict(hidden="1 / (1 + np.exp(-Z))"),
        "softmax_rows": dict(last="_softmax(Z, 1)"), "no_bias": dict(bias=""),
        "one_layer_short": dict(stop="L", last_at="L - 1"),
        "two_layers": dict(stop="3", last_at="2")}.items()},
    **{key: ("backward_deep", BACKWARD_DEEP.format(**(BACKWARD_DEEP_GOOD | bug))) for key, bug in {
        "deep_no_relu_deriv": dict(deriv=""), "deep_sign": dict(dZL="(T - AL) / m"),
        "deep_no_m": dict(dZL="AL - T"), "deep_m_twice": dict(dw=" / m", db=" / m"),
        "deep_relu_on_last": dict(dZL="(AL - T) / m * (caches[-1][1] > 0)"),
        "deep_db_not_averaged": dict(db=" * m")}.items()},
    **{key: ("dropout", DROPOUT.format(out=out)) for key, out in {
        "not_inverted": "A * mask", "times_keep_prob": "A * mask * keep_prob",
        "drop_rate": "A * mask / (1 - keep_prob)"}.items()},
}
IM2COL = """def im2col(X, kh, kw, stride=1, pad=0):
    m, C, H, W = X.shape
    Xp = np.pad(X, ((0, 0), (0, 0), {pads}, {pads}))
    Ho = (Xp.shape[2] - kh) // {s} + {plus}
    Wo = (Xp.shape[3] - kw) // {s} + {plus}
    cols = np.zeros((C, kh, kw, m, Ho, Wo), dtype=X.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = Xp[:, :, i:i + {s} * Ho:{s}, j:j + {s} * Wo:{s}].transpose(1, 0, 2, 3)
    return cols.{order}.reshape(C * kh * kw, -1)"""
IM2COL_GOOD = dict(pads="(pad, pad)", s="stride", plus="1", order="copy()")
CONV = IM2COL.replace("def im2col(X, kh, kw, stride=1, pad=0):\n    m, C, H, W = X.shape",
                      "def conv_forward(X, W, b, stride=1, pad=0):\n    F, C, kh, kw = W.shape\n"
                      "    m = X.shape[0]").replace("    return cols.", "    cols = cols.") + """
    out = {w}.reshape(F, -1) @ cols{bias}
    return {out}"""
CONV_GOOD = IM2COL_GOOD | dict(w="W", bias=" + b.reshape(F, 1)",
                               out="out.reshape(F, m, Ho, Wo).transpose(1, 0, 2, 3)")
CONV_BACKWARD = """def conv_backward(dout, X, W, stride=1, pad=0):
    m, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    _, _, Ho, Wo = dout.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dXp, dW, Wf = np.zeros_like(Xp), np.zeros_like(W), {wf}
    for i in range(kh):
        for j in range(kw):
            win = Xp[:, :, i:i + {s} * Ho:{s}, j:j + {s} * Wo:{s}]
            dW[:, :, i, j] = np.einsum("nfyx,ncyx->fc", dout, win)
            dXp[:, :, i:i + {sx} * Ho:{sx}, j:j + {sx} * Wo:{sx}] += np.einsum(
                "nfyx,fc->ncyx", dout, Wf[:, :, i, j])
    db = dout.sum(axis={axes})
    dX = {crop}
    return dX{all}, {dw}{all}{some}, db{all}{some}"""
CONV_BACKWARD_GOOD = dict(wf="W", s="stride", sx="stride", axes="(0, 2, 3)", all="", some="",
                          crop="dXp[:, :, pad:pad + H, pad:pad + Wd]", dw="dW")
POOL = """def maxpool_forward(X, size=2, stride=2):
    m, C, H, W = X.shape
    Ho, Wo = (H - size) // {s} + {plus}, (W - size) // {s} + {plus}
    out = np.zeros((m, C, Ho, Wo), dtype=X.dtype)
    for y in range(Ho):
        for x in range(Wo):
            out[:, :, y, x] = X[:, :, y * {s}:y * {s} + size, x * {s}:x * {s} + size].{r}(axis=(2, 3))
    return out"""
POOL_GOOD = dict(s="stride", plus="1", r="max")
POOL_BACKWARD = """def maxpool_backward(dout, X, size=2, stride=2):
    m, C, Ho, Wo = dout.shape
    dX = np.zeros(X.shape)
    first = X[:, :, :size, :size]
    first = np.arange(size * size) == first.reshape(m, C, -1).argmax(axis=2)[..., None]
    for y in range(Ho):
        for x in range(Wo):
            win = X[:, :, y * stride:y * stride + size, x * stride:x * stride + size]
            flat = win.reshape(m, C, -1)
            mask = {mask}
            dX[:, :, y * stride:y * stride + size, x * stride:x * stride + size] {op} (
                mask.reshape(win.shape) * dout[:, :, y, x, None, None])
    return dX"""
POOL_BACKWARD_GOOD = dict(mask="np.arange(size * size) == flat.argmax(axis=2)[..., None]",
                          op="+=")
MISTAKE_SOURCES |= {  # chapter 5
    **{key: ("im2col", IM2COL.format(**(IM2COL_GOOD | bug))) for key, bug in {
        "im2col_rows_ijc": dict(order="transpose(1, 2, 0, 3, 4, 5)"),
        "im2col_columns_yxn": dict(order="transpose(0, 1, 2, 4, 5, 3)"),
        "im2col_pad_before": dict(pads="(pad, 0)"), "im2col_pad_after": dict(pads="(0, pad)"),
        "im2col_size_off_by_one": dict(plus="0"), "im2col_stride_ignored": dict(s="1")}.items()},
    **{key: ("conv_forward", CONV.format(**(CONV_GOOD | bug))) for key, bug in {
        "conv_flipped": dict(w="W[:, :, ::-1, ::-1]"), "conv_no_bias": dict(bias=""),
        "conv_no_transpose": dict(out="out.reshape(m, F, Ho, Wo)"),
        "conv_rows_ijc": dict(order="transpose(1, 2, 0, 3, 4, 5)"),
        "conv_pad_before": dict(pads="(pad, 0)"), "conv_pad_after": dict(pads="(0, pad)"),
        "conv_size_off_by_one": dict(plus="0"), "conv_stride_ignored": dict(s="1")}.items()},
    **{key: ("conv_backward", CONV_BACKWARD.format(**(CONV_BACKWARD_GOOD | bug)))
       for key, bug in {
        "convb_db_axis_0": dict(axes="0"), "convb_db_axes_123": dict(axes="(1, 2, 3)"),
        "convb_db_axes_23": dict(axes="(2, 3)"), "convb_db_axes_01": dict(axes="(0, 1)"),
        "convb_stride_ignored": dict(s="1", sx="1"), "convb_stride_ignored_dX": dict(sx="1"),
        "convb_dX_flipped": dict(wf="W[:, :, ::-1, ::-1]"),
        "convb_dW_flipped": dict(dw="dW[:, :, ::-1, ::-1]"),
        "convb_crop_minus_zero": dict(crop="dXp[:, :, pad:-pad, pad:-pad]"),
        "convb_not_cropped": dict(crop="dXp"), "convb_over_m": dict(all=" / m"),
        "convb_over_m_dW_db": dict(some=" / m")}.items()},
    **{key: ("maxpool_forward", POOL.format(**(POOL_GOOD | bug))) for key, bug in {
        "poolf_average": dict(r="mean"), "poolf_min": dict(r="min"),
        "poolf_stride_ignored": dict(s="1"), "poolf_size_off_by_one": dict(plus="0")}.items()},
    **{key: ("maxpool_backward", POOL_BACKWARD.format(**(POOL_BACKWARD_GOOD | bug)))
       for key, bug in {
        "poolb_all_ties": dict(mask="flat == flat.max(axis=2, keepdims=True)"),
        "poolb_ties_shared": dict(mask="(flat == flat.max(axis=2, keepdims=True)) / (flat == "
                                  "flat.max(axis=2, keepdims=True)).sum(axis=2, keepdims=True)"),
        "poolb_last_tie": dict(mask="np.arange(size * size) == size * size - 1 - flat[..., ::-1]"
                               ".argmax(axis=2)[..., None]"),
        "poolb_mask_reused": dict(mask="first"),
        "poolb_channel_max": dict(mask="flat == X.max(axis=(2, 3)).reshape(m, C, 1)"),
        "poolb_average": dict(mask="np.ones(flat.shape) / (size * size)"),
        "poolb_overwritten": dict(op="=")}.items()},
}
SYMPTOMS = {  # chapter 2's, recognised from the output: a fragment of what each says
    "positive": "the weights are all positive", "notebook": "the original notebook's rand - 0.5",
    "unit": "the weights are N(0, 1)", "xavier": "(Xavier/LeCun)",
    "fan_out": "scaled by their number of outputs", "glorot": "(Glorot)",
    "variance": "the variance 2 / fan_in is used as the standard deviation",
    "he_uniform": "(He uniform", "other_layer": "W2 is scaled by n_x", "dropped_last": "the last, smaller batch is missing",
    "repeats": "the columns are drawn with replacement",
}
EXPECTED = {m.key: m.says for m in MISTAKES if isinstance(m, Mistake)} | SYMPTOMS | {
    "integers": "one_hot returns integers",
    "no_m_dW1": "dW1 is not divided by m (m = X.shape[1] = ",
    "global_m": "are divided by 1000 instead of m = X.shape[1] = ",
}


def _env(state: Path) -> dict[str, str]:
    return dict(os.environ, NO_COLOR="1", NN_GRADER_STATE=str(state))


def _source(key: str) -> str:
    exercise, body = MISTAKE_SOURCES[key]
    if exercise == "backward_prop":
        body = BACKWARD.format(**(GOOD | BACKWARD_BUGS[key]))
    imports = {"forward_prop": "from .relu import relu\nfrom .softmax import softmax\n",
               "backward_prop": "from .one_hot import one_hot\nfrom .relu_deriv import relu_deriv\n"}
    return "import numpy as np\n" + imports.get(exercise, "") + "\n\n" + body + "\n"


def test_every_known_mistake_has_a_learner_test():
    # "scale" is found by measuring: no_m_dW1 and global_m are two of its cases
    assert {m.key for m in MISTAKES} - {"scale"} <= set(MISTAKE_SOURCES)
    assert len(MISTAKE_SOURCES) >= 25


@pytest.mark.parametrize("key", sorted(MISTAKE_SOURCES))
def test_learner_making_a_known_mistake_is_told_so(tmp_path, key):
    exercise = MISTAKE_SOURCES[key][0]
    folder = tmp_path / "sub"
    shutil.copytree(REPO / "solutions", folder)
    (folder / f"{exercise}.py").write_text(_source(key))
    by_name = {ex.name: ex for ex in EXERCISES}
    with Worker(folder) as worker:
        [result] = run_checks(worker, [by_name[exercise]], seed=0)
    # An error may follow the diagnosed failure (e.g. Y - 1 wraps around for uint8 labels).
    assert result.status in ("failed", "error"), (result.status, result.message)
    assert EXPECTED[key] in result.diagnosis, result.diagnosis
    assert any(EXPECTED[key] in c.message for c in result.checks if c.status == "failed")


def test_unknown_failure_still_gets_the_numeric_message(tmp_path):
    folder = tmp_path / "sub"
    shutil.copytree(REPO / "solutions", folder)
    (folder / "relu.py").write_text("import numpy as np\n\ndef relu(Z):\n    return np.maximum(Z, 0.5)\n")
    with Worker(folder) as worker:
        [result] = run_checks(worker, [EXERCISES[0]], seed=0)
    assert result.status == "failed" and result.diagnosis == ""
    assert "element [" in result.checks[-1].message or any(
        "element [" in c.message for c in result.checks)


# --------------------------------------------------------------------------- hints

def _grader(*args: str, state: Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, cwd=cwd, env=_env(state), timeout=60)


def test_every_exercise_has_three_hint_levels():
    for ex in EXERCISES:
        assert len(ex.hints) >= 3 and all(h.strip() for h in ex.hints), ex.name


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_hint_reveals_the_next_level_each_time(tmp_path, ex):
    for level in range(1, len(ex.hints) + 2):  # one call past the last level
        shown = min(level, len(ex.hints))
        out = _grader("hint", ex.name, state=tmp_path).stdout
        assert f"Hint {shown} of {len(ex.hints)}" in out
        assert " ".join(ex.hints[shown - 1].split()[:4]) in " ".join(out.split())
    progress = json.loads((tmp_path / "progress.json").read_text())
    assert progress["hints"][ex.name] == len(ex.hints)


def test_hint_all_and_default_exercise(tmp_path):
    out = _grader("hint", "--all", "softmax", state=tmp_path).stdout
    assert "Hint 3 of 3: softmax" in out and "1. " in out and "3. " in out
    (tmp_path / "progress.json").write_text(json.dumps({"status": {"relu": "passed"}}))
    assert "relu_deriv" in _grader("hint", state=tmp_path).stdout.splitlines()[0]


# --------------------------------------------------------------------------- progress and reset

@pytest.fixture()
def workspace(tmp_path) -> Path:
    """A copy of the repository's grader and stubs, so that plain `python -m grader` grades it."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "grader", root / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "exercises").mkdir()
    for ex in EXERCISES:
        (root / "exercises" / ex.file).write_text(stub_source(ex))
    shutil.copytree(REPO / "data", root / "data")
    return root


def test_progress_is_recorded_and_shown(workspace, tmp_path):
    state = tmp_path / "state"
    shutil.copy(REPO / "solutions" / "relu.py", workspace / "exercises" / "relu.py")
    run = _grader("relu", state=state, cwd=workspace)
    assert run.returncode == 0, run.stderr
    chapters = ", ".join(f"chapter {c.number}: {int(c.number == 1)}/{len(c.exercises)}"
                         for c in CHAPTERS)
    total = sum(ex.points for ex in EXERCISES)
    assert f"Progress 1/{len(EXERCISES)} exercises, 1/{total:g} points ({chapters})" in \
        " ".join(run.stdout.split())
    assert "Next: Write relu_deriv" in run.stdout
    saved = json.loads((state / "progress.json").read_text())
    assert saved["status"]["relu"] == "passed" and "relu" in saved["first_passed"]
    shown = _grader("progress", state=state, cwd=workspace).stdout
    assert f"1/{len(EXERCISES)} exercises" in shown and re.search(r"relu\s.*passed", shown)


def test_corrupt_progress_file_is_ignored(tmp_path):
    (tmp_path / "progress.json").write_text("{not json")
    run = _grader("progress", state=tmp_path)
    assert run.returncode == 0 and f"0/{len(EXERCISES)} exercises" in run.stdout


def test_reset_restores_the_stub_and_keeps_a_backup(workspace, tmp_path):
    state = tmp_path / "state"
    mine = workspace / "exercises" / "softmax.py"
    mine.write_text("# my attempt\ndef softmax(Z):\n    return Z\n")
    run = _grader("reset", "softmax", "--submission", str(workspace / "exercises"), state=state)
    assert run.returncode == 0, run.stderr
    assert mine.read_text() == stub_source(next(ex for ex in EXERCISES if ex.name == "softmax"))
    [backup] = (state / "backups").glob("softmax-*.py")
    assert backup.read_text() == "# my attempt\ndef softmax(Z):\n    return Z\n"
    assert str(backup) in run.stdout
    again = _grader("reset", "softmax", "--submission", str(workspace / "exercises"), state=state)
    assert "already the original stub" in again.stdout
    assert len(list((state / "backups").glob("*.py"))) == 1
    bad = _grader("reset", "nope", state=state)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_shipped_exercises_are_the_stubs():
    for ex in EXERCISES:
        assert (REPO / "exercises" / ex.file).read_text() == stub_source(ex), ex.name


def test_progress_follows_a_reset_and_all_done_is_a_state_of_its_own(workspace, tmp_path):
    state = tmp_path / "state"
    for ex in EXERCISES:
        shutil.copy(REPO / "solutions" / ex.file, workspace / "exercises" / ex.file)
    for chapter in (str(c.number) for c in CHAPTERS):
        done = _grader("--chapter", chapter, "--no-train", state=state, cwd=workspace)
        assert done.returncode == 0, done.stdout + done.stderr
    hint = _grader("hint", state=state, cwd=workspace)
    assert hint.returncode == 0 and "Every exercise passes: no hint needed" in hint.stdout
    assert json.loads((state / "progress.json").read_text())["hints"] == {}  # none counted
    shown = _grader("progress", state=state, cwd=workspace).stdout
    assert "All exercises pass" in shown and "Next:" not in shown, shown
    reset = _grader("reset", "softmax", state=state, cwd=workspace)
    assert reset.returncode == 0, reset.stderr
    shown = _grader("progress", state=state, cwd=workspace).stdout
    assert f"{len(EXERCISES) - 1}/{len(EXERCISES)} exercises" in shown and "chapter 1: 6/7" in shown and "Next: softmax" in shown, shown
    assert "softmax" in _grader("hint", state=state, cwd=workspace).stdout.splitlines()[0]
