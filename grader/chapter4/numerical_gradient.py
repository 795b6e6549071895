"""numerical_gradient(f, x, h=1e-5) -> grad, graded on functions whose gradients are known.

f is a function of the grader's (grader.worker.Probe): in the worker, f() sends x as it is at
that moment and the grader evaluates it, so every point the learner's code evaluates f at is
recorded. What the points show (x not restored, a step other than h, forward differences, a
copy of x changed where f does not look) is said alongside a wrong gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grader import network
from grader.compare import CheckFailed, expect_array, index

H = 1e-5  # the exercise's default step
# What goes wrong is read off the points f was evaluated at (see _evaluations).
CAUSES = {
    "never_called": "f is never called: numerical_gradient must call f() twice per element of x",
    "copy_changed": "f was always evaluated at x's first values: change x itself, in place "
                    "(x[i] = old + h), since f reads x; a changed copy of x is not what f sees",
    "not_restored": "x is not restored after each element: put x[i] back (x[i] = old) once its "
                    "two calls are made, before the next element",
    "step_ignored": "f is evaluated at x[i] moved by another step than h: use the h passed in",
    "default_step": "f is evaluated at x[i] moved by another step than h's default, 1e-5",
    "one_sided": "these are one-sided differences, (f(x + h) - f(x)) / h: central ones, "
                 "(f(x + h) - f(x - h)) / (2 h), have an error about h times smaller",
}

# None is recognised by its output: what went wrong shows in the points f was evaluated at.
MISTAKES = ()


def reference(f, x, h=H):
    """Here f takes the point: the grader's functions do."""
    grad = np.zeros(x.shape)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = h
        step = step.reshape(x.shape)
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


@dataclass(frozen=True)
class Known:
    """A function with a known gradient, in words."""

    words: str
    value: Callable[[np.ndarray], float]
    gradient: Callable[[np.ndarray], np.ndarray]


def _quadratic(rng) -> Known:
    S = rng.normal(0.0, 1.0, (6, 6))
    S, c = S @ S.T + np.eye(6), rng.normal(0.0, 1.0, 6)
    return Known("f(x) = x.T @ S @ x / 2 + c @ x", lambda x: float(x @ S @ x / 2 + c @ x),
                 lambda x: S @ x + c)


CUBIC = Known("f(x) = sum(x ** 3) / 3 + sum(x ** 2)", lambda x: float((x ** 3).sum() / 3
                                                                     + (x ** 2).sum()),
              lambda x: x ** 2 + 2 * x)


def _cross_entropy(Y: np.ndarray) -> Known:
    return Known("f(x) = the mean cross-entropy of softmax(x) against labels",
                 lambda x: network.cross_entropy(network.softmax(x), Y),
                 lambda x: (network.softmax(x) - network.one_hot(Y, x.shape[0])) / x.shape[1])


RELU_SUM = Known("f(x) = sum(max(0, x)), with some elements exactly 0",
                 lambda x: float(np.maximum(x, 0).sum()), lambda x: (x > 0) + 0.5 * (x == 0))


def _probe(function: Callable[[np.ndarray], float], like: np.ndarray) -> Callable:
    def f(x):
        if not (isinstance(x, np.ndarray) and x.shape == like.shape and x.dtype.kind == "f"):
            raise ValueError(f"f takes no argument (it reads x); it was given "
                             f"{type(x).__name__} {getattr(x, 'shape', '')}, not an array like x")
        return function(np.asarray(x, dtype=np.float64))
    return f


def _evaluations(calls: list, x: np.ndarray, h: float, default: bool) -> dict[str, str]:
    """What the points f was evaluated at say about the learner's loop: {cause (CAUSES): what
    was seen, with numbers}."""
    points = [c.args.get("x") for c in calls if c.error == ""]
    if not points:
        return {CAUSES["never_called"]: ""}
    deltas = [p - x for p in points if isinstance(p, np.ndarray) and p.shape == x.shape]
    moved = [np.flatnonzero(np.abs(d) > 1e-3 * h) for d in deltas]
    if all(m.size == 0 for m in moved):
        return {CAUSES["copy_changed"]: ""}
    for n, (d, where) in enumerate(zip(deltas, moved), 1):
        if where.size > 1:
            shown = ", ".join(f"{index(np.unravel_index(i, x.shape))} by {d.flat[i]:+.3g}"
                              for i in where[:2])
            return {CAUSES["not_restored"]: f"the {_nth(n)} time f was called, x differed from "
                    f"its first values in {where.size} elements ({shown})"}
    steps = np.array([d.flat[w[0]] for d, w in zip(deltas, moved) if w.size == 1])
    said = {}
    if not np.allclose(np.abs(steps), h, rtol=1e-3):
        said[CAUSES["default_step" if default else "step_ignored"]] = (
            f"x[i] moved by {float(np.median(np.abs(steps))):.3g}, where h = {h:g}")
    if (steps > 0).all() or (steps < 0).all():
        said[CAUSES["one_sided"]] = ""
    return said


def _nth(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def gradient_matches(learner, known: Known, x: np.ndarray, h: float | None = None) -> None:
    """The learner's numerical gradient of `known` at x (h given, or the default) against
    central differences, with what their evaluations show when it is off."""
    step = H if h is None else h
    args = (None, x) if h is None else (None, x, h)
    got, after, calls = learner.probed(_probe(known.value, x), *args)
    expected = reference(known.value, x, step)
    said = _evaluations(calls, x, step, h is None)
    what = (f"numerical_gradient(f, x{'' if h is None else f', h={h:g}'}) for {known.words}, "
            f"x of shape {x.shape}")
    try:
        expect_array(got, expected, what, rtol=1e-6, atol=1e-9)
    except CheckFailed as failure:
        seen = [f"{cause} ({what_was_seen})" if what_was_seen else cause
                for cause, what_was_seen in said.items()]
        raise CheckFailed(str(failure) + (f"\nLikely cause: {'; '.join(seen)}" if seen else ""),
                          list(said)) from None
    restored = after[1] if len(after) > 1 else None
    if not (isinstance(restored, np.ndarray) and restored.shape == x.shape
            and np.allclose(restored, x, rtol=1e-12, atol=1e-12)):
        changed = np.abs(restored - x) if isinstance(restored, np.ndarray) and \
            restored.shape == x.shape else None
        where = "" if changed is None else (
            f": {int((changed > 1e-12).sum())} element(s) differ, e.g. "
            f"{index(np.unravel_index(int(np.argmax(changed)), x.shape))} by "
            f"{float(changed.max()):.3g}")
        raise CheckFailed(f"after numerical_gradient returned, x no longer holds its first "
                          f"values{where}: restore each element (x[i] = old) once its two calls "
                          "are made", [CAUSES["not_restored"]])


def check_quadratic(learner, rng):
    """a quadratic of a vector, whose central differences are exact"""
    gradient_matches(learner, _quadratic(rng), rng.normal(0.0, 1.0, 6))


def check_step_given(learner, rng):
    """a cubic of a matrix with the h given, 1e-3"""
    gradient_matches(learner, CUBIC, rng.normal(0.0, 1.0, (3, 4)), 1e-3)


def check_cross_entropy(learner, rng):
    """softmax cross-entropy of a (10, 4) matrix of scores"""
    gradient_matches(learner, _cross_entropy(rng.integers(0, 10, 4)),
                     rng.normal(0.0, 2.0, (10, 4)))


def check_kink(learner, rng):
    """at ReLU's kink the central difference averages both slopes (0.5)"""
    x = rng.normal(0.0, 1.0, (2, 5))
    x[:, ::2] = 0.0
    gradient_matches(learner, RELU_SUM, x)


def check_any_shape(learner, rng):
    """x of three dimensions, (2, 3, 2)"""
    gradient_matches(learner, CUBIC, rng.normal(0.0, 1.0, (2, 3, 2)), 1e-4)


def check_close_to_the_gradient(learner, rng):
    """the result is within 1e-6 of the true gradient of a smooth function"""
    x = rng.normal(0.0, 1.0, 6)
    known = _quadratic(rng)
    got, _, _ = learner.probed(_probe(known.value, x), None, x)
    expect_array(got, known.gradient(x), f"numerical_gradient(f, x) for {known.words}",
                 rtol=1e-6, atol=1e-6)
