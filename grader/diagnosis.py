"""Known mistakes: when a check fails, name the misconception behind the learner's output.

Each mistake recomputes, from the same inputs, what a learner who makes it would return
(with the grader's reference functions, in the grader process). If that matches what came back,
the learner sees its sentence. Scale mistakes on gradients (a missing or wrong 1/m) are found by
measuring the ratio instead, so "m is 1000, a global" is caught as well as "no 1/m at all".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import reference as ref


@dataclass(frozen=True)
class Mistake:
    exercise: str
    key: str
    says: str  # formatted with m (examples in the batch) when it appears
    wrong: Callable[[dict], Any]  # what a learner making this mistake returns for these inputs


def _softmax(Z: np.ndarray, axis: int | None) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def _forward(a: dict, *, act=ref.relu, out=ref.softmax, bias1=True, bias2=True,
             relu_out=False) -> tuple:
    Z1 = a["W1"] @ a["X"] + (a["b1"] if bias1 else 0)
    A1 = act(Z1)
    Z2 = a["W2"] @ A1 + (a["b2"] if bias2 else 0)
    return Z1, A1, Z2, out(ref.relu(Z2) if relu_out else Z2)


def _backward(a: dict, *, sign=1.0, deriv=True, w2t=True, db_sum_all=False) -> tuple:
    m = a["X"].shape[1]
    dZ2 = sign * (a["A2"] - ref.one_hot(a["Y"], a["A2"].shape[0]))
    W2 = a["W2"].T if w2t else a["W2"]
    dZ1 = W2 @ dZ2 * (ref.relu_deriv(a["Z1"]) if deriv else 1.0)
    db2 = np.array(dZ2.sum() / m) if db_sum_all else dZ2.sum(axis=1, keepdims=True) / m
    return dZ1 @ a["X"].T / m, dZ1.sum(axis=1, keepdims=True) / m, dZ2 @ a["A1"].T / m, db2


def _update(a: dict, *, sign=-1.0, alpha=True, biases=True) -> tuple:
    step = a["alpha"] if alpha else 1.0
    new = [p + sign * step * a[f"d{n}"] for n, p in (("W1", a["W1"]), ("b1", a["b1"]),
                                                   ("W2", a["W2"]), ("b2", a["b2"]))]
    if not biases:
        new[1], new[3] = a["b1"], a["b2"]
    return tuple(new)


def _one_hot_rows(Y: np.ndarray, rows: int, shift: int = 0) -> np.ndarray:
    T = np.zeros((rows, Y.size))
    T[(Y - shift) % rows, np.arange(Y.size)] = 1.0
    return T


MISTAKES: tuple[Mistake, ...] = (
    Mistake("relu", "minimum", "relu keeps the negative part (np.minimum); ReLU keeps the positive "
            "part: np.maximum(Z, 0)", lambda a: np.minimum(a["Z"], 0)),
    Mistake("relu", "absolute", "relu returns |Z|: negative numbers must become 0, not positive",
            lambda a: np.abs(a["Z"])),
    Mistake("relu", "mask", "relu returns the 0/1 mask Z > 0 (that is relu_deriv); relu returns Z "
            "itself where Z > 0", lambda a: (a["Z"] > 0).astype(float)),
    Mistake("relu", "identity", "relu returns Z unchanged: every negative entry must become 0",
            lambda a: a["Z"]),
    Mistake("relu_deriv", "at_zero", "relu_deriv gives 1.0 at Z = 0; the derivative is taken as "
            "0.0 there: use Z > 0, not Z >= 0", lambda a: (a["Z"] >= 0).astype(float)),
    Mistake("relu_deriv", "is_relu", "relu_deriv returns max(0, Z) (that is relu itself); the "
            "derivative is 1.0 where Z > 0 and 0.0 elsewhere", lambda a: ref.relu(a["Z"])),
    Mistake("relu_deriv", "inverted", "relu_deriv is inverted: 1.0 where Z < 0; it must be 1.0 "
            "where Z > 0", lambda a: (a["Z"] < 0).astype(float)),
    Mistake("softmax", "rows", "softmax normalises each row (axis=1); each column is one example, "
            "so normalise over axis=0", lambda a: _softmax(a["Z"], 1)),
    Mistake("softmax", "global_sum", "softmax divides by the sum of all elements; normalise each "
            "column on its own: E.sum(axis=0, keepdims=True)",
            lambda a: np.exp(a["Z"] - a["Z"].max()) / np.exp(a["Z"] - a["Z"].max()).sum()),
    Mistake("softmax", "no_max_shift", "softmax overflows: exp of a large number is inf. Subtract "
            "each column's max first: exp(Z - Z.max(axis=0, keepdims=True))",
            lambda a: np.exp(a["Z"]) / np.exp(a["Z"]).sum(axis=0, keepdims=True)),
    Mistake("softmax", "global_max", "softmax subtracts the largest element of the whole matrix, "
            "so columns far below it underflow to 0/0; subtract each column's own max "
            "(axis=0, keepdims=True)", lambda a: np.exp(a["Z"] - a["Z"].max())
            / np.exp(a["Z"] - a["Z"].max()).sum(axis=0, keepdims=True)),
    Mistake("softmax", "no_division", "softmax returns the exponentials without dividing by "
            "their column sums", lambda a: np.exp(a["Z"] - a["Z"].max(axis=0, keepdims=True))),
    Mistake("softmax", "no_exp", "softmax divides Z by its column sums without exponentiating "
            "first", lambda a: a["Z"] / a["Z"].sum(axis=0, keepdims=True)),
    Mistake("one_hot", "max_rows", "one_hot has Y.max()+1 rows instead of num_classes",
            lambda a: _one_hot_rows(a["Y"], int(a["Y"].max()) + 1)),
    Mistake("one_hot", "transposed", "one_hot is transposed: each column must be one example, "
            "shape (num_classes, m), not (m, num_classes)",
            lambda a: ref.one_hot(a["Y"], a.get("num_classes", 10)).T),
    Mistake("one_hot", "one_based", "one_hot puts the 1 in row Y[j] - 1; the row is the label "
            "itself (digit 0 is row 0)",
            lambda a: _one_hot_rows(a["Y"], a.get("num_classes", 10), shift=1)),
    Mistake("one_hot", "ten_rows", "one_hot ignores num_classes and always makes 10 rows",
            lambda a: _one_hot_rows(a["Y"], 10)),
    Mistake("forward_prop", "no_b1", "Z1 leaves out the bias: Z1 = W1 X + b1",
            lambda a: _forward(a, bias1=False)),
    Mistake("forward_prop", "no_b2", "Z2 leaves out the bias: Z2 = W2 A1 + b2",
            lambda a: _forward(a, bias2=False)),
    Mistake("forward_prop", "no_relu", "A1 is Z1: the hidden layer needs A1 = relu(Z1)",
            lambda a: _forward(a, act=lambda Z: Z)),
    Mistake("forward_prop", "no_softmax", "A2 is Z2: the output layer needs A2 = softmax(Z2)",
            lambda a: _forward(a, out=lambda Z: Z)),
    Mistake("forward_prop", "relu_on_output", "relu is applied to Z2 before softmax; the output "
            "layer is softmax(Z2) alone", lambda a: _forward(a, relu_out=True)),
    Mistake("backward_prop", "sign", "dZ2 has the wrong sign: it is A2 - one_hot(Y)",
            lambda a: _backward(a, sign=-1.0)),
    Mistake("backward_prop", "no_relu_deriv", "dZ1 misses the factor relu_deriv(Z1): "
            "dZ1 = W2^T dZ2 * relu_deriv(Z1)", lambda a: _backward(a, deriv=False)),
    Mistake("backward_prop", "w2_not_transposed", "dZ1 uses W2 where it needs W2.T: "
            "dZ1 = W2.T @ dZ2 * relu_deriv(Z1)", lambda a: _backward(a, w2t=False)),
    Mistake("backward_prop", "db2_scalar", "db2 is a scalar: sum dZ2 over axis=1 with "
            "keepdims=True, giving shape (10, 1)", lambda a: _backward(a, db_sum_all=True)),
    Mistake("update_params", "adds", "the update adds the gradient instead of subtracting it: "
            "W = W - alpha * dW", lambda a: _update(a, sign=1.0)),
    Mistake("update_params", "no_alpha", "the step ignores alpha: W = W - alpha * dW",
            lambda a: _update(a, alpha=False)),
    Mistake("update_params", "no_biases", "b1 and b2 are not updated: b = b - alpha * db too",
            lambda a: _update(a, biases=False)),
    Mistake("update_params", "unchanged", "update_params returns the parameters unchanged",
            lambda a: (a["W1"], a["b1"], a["W2"], a["b2"])),
)

GRADIENTS = ("dW1", "db1", "dW2", "db2")


def _same(got: Any, wrong: Any) -> bool:
    if isinstance(wrong, tuple):
        return isinstance(got, (tuple, list)) and len(got) == len(wrong) and all(
            _same(g, w) for g, w in zip(got, wrong))
    wrong = np.asarray(wrong)
    got = np.asarray(got) if isinstance(got, np.generic) else got
    if not isinstance(got, np.ndarray) or got.shape != wrong.shape or got.dtype.kind not in "biufc":
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(got.astype(np.float64), wrong, rtol=1e-4, atol=1e-7,
                                equal_nan=True))


def _scale(got: Any, args: dict) -> str | None:
    """backward_prop gradients off by a constant factor: a missing or wrong 1/m."""
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return None
    m = args["X"].shape[1]
    expected = ref.backward_prop(*(args[k] for k in ("Z1", "A1", "Z2", "A2", "W1", "W2", "X", "Y")))
    off = []
    for name, g, e in zip(GRADIENTS, got, expected):
        if not isinstance(g, np.ndarray) or g.shape != e.shape or not np.abs(e).max() > 0:
            return None
        ratio = float(g.ravel() @ e.ravel() / (e.ravel() @ e.ravel()))
        if not np.allclose(g, ratio * e, rtol=1e-4, atol=1e-9):
            return None
        if abs(ratio - 1) > 1e-6:
            off.append((name, ratio))
    if not off or len({round(r, 6) for _, r in off}) != 1:
        return None
    names, ratio = " and ".join(n for n, _ in off), off[0][1]
    if abs(ratio - m) < 1e-6 * m:
        return f"{names} {'is' if len(off) == 1 else 'are'} not divided by m (m = X.shape[1] = {m} here)"
    divisor = m / ratio
    if abs(divisor - round(divisor)) < 1e-6 and round(divisor) > 0:
        return (f"{names} {'is' if len(off) == 1 else 'are'} divided by {round(divisor)} instead "
                f"of m = X.shape[1] = {m}: is m taken from a global or a constant?")
    return None


def explain(exercise: str, args: dict, got: Any) -> str | None:
    """The sentence of the first known mistake that reproduces `got`, or None."""
    if exercise == "relu_deriv" and isinstance(got, np.ndarray) and got.dtype == bool:
        return "relu_deriv returns booleans (True/False); turn them into 1.0/0.0 with .astype(float)"
    if exercise == "one_hot" and isinstance(got, np.ndarray) and got.dtype.kind in "iub":
        return "one_hot returns integers; the result must hold floats: np.zeros(...) is float"
    for mistake in MISTAKES:
        if mistake.exercise != exercise:
            continue
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(args)
        except (ValueError, IndexError, TypeError):
            continue
        if _same(got, wrong):
            return mistake.says
    return _scale(got, args) if exercise == "backward_prop" else None
