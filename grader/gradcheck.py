"""Finite-difference gradient checking of backward_prop against the mean cross-entropy.

Runs in the grader process on the grader's reference loss, so the numbers a learner's
gradients are held to never pass through learner code.
"""

from __future__ import annotations

import numpy as np

from grader import reference
from grader.checks.common import network
from grader.compare import CheckFailed, expect_array, index

STEP = 1e-6
TOLERANCE = 1e-4  # relative error allowed, element by element
FLOOR = 1e-4  # relative error is taken against max(|analytic|, |numeric|, FLOOR)
W1_SAMPLE = 160  # W1 has 7,840 elements; a random sample of them is checked
KINK_MARGIN = 1e-3  # every |Z1| stays further than this from ReLU's kink (steps move it < 1e-6)


def kink_free_network(rng: np.random.Generator, m: int) -> dict[str, np.ndarray]:
    """A float64 network and batch whose hidden pre-activations are all clear of zero."""
    for _ in range(100):
        net = network(rng, m)
        Z1, A1, Z2, A2 = reference.forward_prop(net["W1"], net["b1"], net["W2"], net["b2"], net["X"])
        if np.abs(Z1).min() > KINK_MARGIN:
            return dict(net, Z1=Z1, A1=A1, Z2=Z2, A2=A2)
    raise RuntimeError("could not draw inputs away from ReLU's kink")


def numeric_gradient(net: dict[str, np.ndarray], param: str,
                     indices: list[tuple[int, ...]]) -> np.ndarray:
    """Central differences (L(p + h) - L(p - h)) / 2h of the reference loss at `indices`."""
    values = {k: net[k].copy() for k in ("W1", "b1", "W2", "b2")}
    p = values[param]
    out = np.empty(len(indices))
    for k, idx in enumerate(indices):
        old = p[idx]
        losses = []
        for shifted in (old + STEP, old - STEP):
            p[idx] = shifted
            losses.append(reference.loss(values["W1"], values["b1"], values["W2"], values["b2"],
                                         net["X"], net["Y"]))
        p[idx] = old
        out[k] = (losses[0] - losses[1]) / (2 * STEP)
    return out


def _indices(net: dict[str, np.ndarray], param: str, rng: np.random.Generator) -> list[tuple]:
    shape = net[param].shape
    if param != "W1":
        return list(np.ndindex(shape))
    flat = rng.choice(np.prod(shape), size=W1_SAMPLE, replace=False)
    return [tuple(int(i) for i in np.unravel_index(f, shape)) for f in flat]


def expect_gradients(grads: dict, net: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Fail on the first parameter whose gradient disagrees with finite differences."""
    for name, param in (("dW1", "W1"), ("db1", "b1"), ("dW2", "W2"), ("db2", "b2")):
        got = expect_array(grads[name], net[param], name, rtol=np.inf, atol=np.inf)
        indices = _indices(net, param, rng)
        numeric = numeric_gradient(net, param, indices)
        analytic = np.array([float(got[idx]) for idx in indices])
        rel = np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)),
                                                      FLOOR)
        worst = int(np.argmax(rel))
        if rel[worst] > TOLERANCE:
            checked = f"{len(indices)} of {net[param].size}" if len(indices) < net[param].size \
                else f"all {len(indices)}"
            raise CheckFailed(
                f"{name} disagrees with the finite-difference gradient of the mean cross-entropy "
                f"(m = {net['X'].shape[1]}): {int((rel > TOLERANCE).sum())} of the {checked} "
                f"elements checked are off; the worst is {name}{index(indices[worst])}: yours "
                f"{analytic[worst]:.6g}, numerical {numeric[worst]:.6g}, relative error "
                f"{rel[worst]:.3g} > tolerance {TOLERANCE:g}")
