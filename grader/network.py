"""The grader's own network math, for any widths and any number of layers.

Parameters are a dict `W1, b1, ..., WL, bL`: ReLU on every hidden layer, softmax on the last,
the mean cross-entropy as the loss, one example per column. Written differently from the
textbook solutions in `solutions/` on purpose (np.where, log-sum-exp, einsum, np.eye), so that
the two agreeing is evidence, not an echo. The exercises' reference implementations, the
finite-difference gradients, the known mistakes and the scoring of training all build on it.
It runs only in the grader process: the worker never imports it.
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


def relu(Z: np.ndarray) -> np.ndarray:
    return np.where(Z > 0, Z, np.zeros_like(Z))


def relu_deriv(Z: np.ndarray) -> np.ndarray:
    return np.heaviside(Z, 0.0).astype(np.result_type(Z.dtype, np.float32))


def softmax(Z: np.ndarray) -> np.ndarray:
    shifted = Z - Z.max(axis=0)
    log_norm = np.log(np.exp(shifted).sum(axis=0))
    return np.exp(shifted - log_norm)


def one_hot(Y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    return np.eye(num_classes)[np.asarray(Y, dtype=np.int64)].T


def depth(params: Params) -> int:
    """The number of layers with weights: L for W1 .. WL."""
    return sum(name.startswith("W") for name in params)


def shapes(layers: tuple[int, ...]) -> dict[str, tuple[int, int]]:
    """{'W1': (n_1, n_0), 'b1': (n_1, 1), ...} for units per layer (input first)."""
    out = {}
    for k in range(1, len(layers)):
        out[f"W{k}"], out[f"b{k}"] = (layers[k], layers[k - 1]), (layers[k], 1)
    return out


def forward(params: Params, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(Z_k, A_k) for each layer k = 1 .. L."""
    A, out = X, []
    for k in range(1, depth(params) + 1):
        Z = np.einsum("oi,im->om", params[f"W{k}"], A) + params[f"b{k}"]
        A = softmax(Z) if k == depth(params) else relu(Z)
        out.append((Z, A))
    return out


def backward(params: Params, layers: list[tuple[np.ndarray, np.ndarray]], X: np.ndarray,
             Y: np.ndarray) -> Params:
    """Gradients of the mean cross-entropy, keyed like the parameters (dW1, db1, ...)."""
    L, m = depth(params), X.shape[1]
    A_L = layers[-1][1]
    dZ = (A_L - one_hot(Y, A_L.shape[0])) / m
    grads = {}
    for k in range(L, 0, -1):
        A_prev = layers[k - 2][1] if k > 1 else X
        grads[f"dW{k}"] = np.einsum("om,im->oi", dZ, A_prev)
        grads[f"db{k}"] = dZ.sum(axis=1)[:, None]
        if k > 1:
            dZ = np.einsum("oh,om->hm", params[f"W{k}"], dZ) * relu_deriv(layers[k - 2][0])
    return {name: grads[name] for k in range(1, L + 1) for name in (f"dW{k}", f"db{k}")}


def cross_entropy(A: np.ndarray, Y: np.ndarray) -> float:
    """Mean cross-entropy of softmax outputs A (k, m) against labels Y (m,)."""
    return float(-np.log(A[Y, np.arange(Y.size)]).mean())


def loss(params: Params, X: np.ndarray, Y: np.ndarray) -> float:
    return cross_entropy(forward(params, X)[-1][1], Y)


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    return forward(params, X)[-1][1].argmax(axis=0)


def as_params(*arrays: np.ndarray) -> Params:
    """W1, b1, W2, b2, ... given in order, as a dict."""
    return {f"{'Wb'[i % 2]}{i // 2 + 1}": a for i, a in enumerate(arrays)}
