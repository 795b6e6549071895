"""Finite-difference gradient checking against the grader's mean cross-entropy.

Runs in the grader process on its own loss (grader.network), for any widths and depths, so the
numbers a learner's gradients are held to never pass through learner code.
"""

from __future__ import annotations

import numpy as np

from grader import network
from grader.checking import network_inputs, with_forward
from grader.compare import CheckFailed, expect_array, index

STEP = 1e-6
TOLERANCE = 1e-4  # relative error allowed, element by element
FLOOR = 1e-4  # relative error is taken against max(|analytic|, |numeric|, FLOOR)
SAMPLE = 160  # a parameter with more elements (W1 has 7,840) is checked on a random sample
KINK_MARGIN = 1e-3  # every hidden |Z| stays further than this from ReLU's kink (steps move it < 1e-6)


def kink_free_network(rng: np.random.Generator, m: int,
                      layers: tuple[int, ...] = (784, 10, 10)) -> dict[str, np.ndarray]:
    """A float64 network, batch and forward pass whose hidden pre-activations are all clear
    of zero."""
    hidden = [f"Z{k}" for k in range(1, len(layers) - 1)]
    for _ in range(100):
        net = with_forward(network_inputs(rng, m, layers=layers))
        if all(np.abs(net[z]).min() > KINK_MARGIN for z in hidden):
            return net
    raise RuntimeError("could not draw inputs away from ReLU's kink")


def numeric_gradient(params: network.Params, X: np.ndarray, Y: np.ndarray, param: str,
                     indices: list[tuple[int, ...]]) -> np.ndarray:
    """Central differences (L(p + h) - L(p - h)) / 2h of the reference loss at `indices`."""
    values = {k: v.copy() for k, v in params.items()}
    p = values[param]
    out = np.empty(len(indices))
    for k, idx in enumerate(indices):
        old = p[idx]
        losses = []
        for shifted in (old + STEP, old - STEP):
            p[idx] = shifted
            losses.append(network.loss(values, X, Y))
        p[idx] = old
        out[k] = (losses[0] - losses[1]) / (2 * STEP)
    return out


def sample(shape: tuple[int, ...], rng: np.random.Generator) -> list[tuple]:
    """Every index of an array of `shape`, or SAMPLE of them drawn at random."""
    size = int(np.prod(shape))
    if size <= SAMPLE:
        return list(np.ndindex(shape))
    flat = rng.choice(size, size=SAMPLE, replace=False)
    return [tuple(int(i) for i in np.unravel_index(f, shape)) for f in flat]


def expect_gradients(grads: dict, params: network.Params, X: np.ndarray, Y: np.ndarray,
                     rng: np.random.Generator) -> None:
    """Fail on the first parameter whose gradient (`grads['d' + name]`) disagrees with finite
    differences."""
    for param, value in params.items():
        name = f"d{param}"
        got = expect_array(grads[name], value, name, rtol=np.inf, atol=np.inf)
        indices = sample(value.shape, rng)
        judge(name, got, indices, numeric_gradient(params, X, Y, param, indices), value.size,
              f"the finite-difference gradient of the mean cross-entropy (m = {X.shape[1]})")


def judge(name: str, got: np.ndarray, indices: list[tuple], numeric: np.ndarray, size: int,
          of: str) -> None:
    """Fail when `got` at `indices` differs from the `numeric` gradient there: how many are
    off, the worst, its two values and its relative error."""
    analytic = np.array([float(got[idx]) for idx in indices])
    rel = np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)),
                                                  FLOOR)
    worst = int(np.argmax(rel))
    if rel[worst] > TOLERANCE:
        checked = f"the {len(indices)} of its {size} elements checked" \
            if len(indices) < size else f"its {len(indices)} elements"
        raise CheckFailed(
            f"{name} disagrees with {of}: {int((rel > TOLERANCE).sum())} of {checked} are off; "
            f"the worst is {name}{index(indices[worst])}: yours {analytic[worst]:.6g}, numerical "
            f"{numeric[worst]:.6g}, relative error {rel[worst]:.3g} > tolerance {TOLERANCE:g}")
