"""Comparing what learner code returned with what was expected, in words a learner can act on.

Every failure raises `CheckFailed` with a message that says what was expected, what came back
and where (shape, axis, element index), with numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class NotStarted(Exception):
    """The learner's function is missing or still raises NotImplementedError."""


class LearnerError(Exception):
    """The learner's function raised (`stops` False: the other checks still run), or exited,
    crashed or ran out of time (`stops`: the exercise is decided). `causes`: what is known of
    why."""

    def __init__(self, message: str, stops: bool, causes: list[str] | None = None) -> None:
        super().__init__(message)
        self.stops, self.causes = stops, causes or []


class NotAsked(Exception):
    """A check that does not apply to the learner's function as written (one_hot(Y), the
    notebook's own, has no num_classes to honour): it passes, and str() says why."""


class CheckFailed(Exception):
    """A check's verdict: the learner's code returned something wrong. str() is the message;
    `causes` the likely mistakes behind it, when they are known."""

    def __init__(self, message: str, causes: list[str] | None = None) -> None:
        super().__init__(message)
        self.causes = causes or []


def tolerance(*inputs: np.ndarray) -> tuple[float, float]:
    """(rtol, atol) fitting the least precise floating input: float32 work is held to less."""
    low = any(np.asarray(x).dtype in (np.float16, np.float32) for x in inputs)
    return (1e-4, 1e-5) if low else (1e-6, 1e-8)


def index(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def num(x: Any) -> str:
    return f"{float(x):.6g}"


def nums(got: float, expected: float) -> tuple[str, str]:
    """Both numbers with 6 significant digits, or as many more (up to 15) as they need to
    look different."""
    for digits in range(6, 16):
        shown = f"{float(got):.{digits}g}", f"{float(expected):.{digits}g}"
        if shown[0] != shown[1]:
            return shown
    return shown


def expect_array(got: Any, expected: np.ndarray, what: str, *, rtol: float, atol: float,
                 floating: bool = True) -> np.ndarray:
    """Check type, shape, dtype and every value of `got`; return it as an array if all is well."""
    expected = np.asarray(expected)
    if got is None:
        raise CheckFailed(f"{what} should be a NumPy array of shape {expected.shape}, but the "
                          "function returned None: is its `return` missing?")
    if not isinstance(got, np.ndarray):
        kind = type(got).__name__ if not hasattr(got, "type_name") else got.type_name
        raise CheckFailed(f"{what} should be a NumPy array of shape {expected.shape}, "
                          f"but it is {_a(kind)}: {str(got)[:120]}")
    if got.shape != expected.shape:
        raise CheckFailed(f"{what} should have shape {expected.shape}, but it has shape "
                          f"{got.shape}{shape_hint(got.shape, expected.shape)}")
    if got.dtype.kind not in ("fc" if floating else "biufc"):
        raise CheckFailed(f"{what} should hold floating-point numbers, but its dtype is "
                          f"{got.dtype}" + (" (use .astype(float))" if got.dtype.kind in "biu" else ""))
    bad_finite = ~np.isfinite(got) & np.isfinite(expected)
    if bad_finite.any():
        idx = np.unravel_index(np.argmax(bad_finite), got.shape)
        raise CheckFailed(f"{what} has {int(bad_finite.sum())} non-finite element(s) out of "
                          f"{got.size}: element {index(idx)} is {got[idx]} where "
                          f"{num(expected[idx])} was expected")
    got64, exp64 = got.astype(np.float64), expected.astype(np.float64)
    excess = np.abs(got64 - exp64) - (atol + rtol * np.abs(exp64))
    if (excess > 0).any():
        idx = np.unravel_index(np.argmax(excess), got.shape)
        diff = abs(got64[idx] - exp64[idx])
        shown = nums(got64[idx], exp64[idx])
        raise CheckFailed(
            f"{what}: {int((excess > 0).sum())} of {got.size} elements are wrong; the worst is "
            f"element {index(idx)}: got {shown[0]}, expected {shown[1]} "
            f"(difference {diff:.3g} > tolerance {atol:g} + {rtol:g} x |expected|)"
            f"{value_hint(got64, exp64)}")
    return got


def as_number(got: Any, what: str, about: str = "") -> float:
    """`got` as a float when it is one real number (a float, a NumPy scalar, an array of one
    element); `about` says what number was expected ("about 0.49")."""
    expected = f", {about}," if about else ""
    if got is None:
        raise CheckFailed(f"{what} should be a number{expected} but the function returned "
                          "None: is its `return` missing?")
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.ndarray,
                                                                 np.generic)) \
            or np.asarray(got).dtype.kind not in "iuf":
        kind = got.type_name if hasattr(got, "type_name") else type(got).__name__
        raise CheckFailed(f"{what} should be a number{expected} but it is {_a(kind)}: "
                          f"{str(got)[:120]}")
    if np.size(got) != 1:
        raise CheckFailed(f"{what} should be one number{expected} but it is an array of shape "
                          f"{np.shape(got)}")
    return float(np.asarray(got).ravel()[0])


def expect_number(got: Any, expected: float, what: str, *, rtol: float, atol: float) -> float:
    """`got` must be one real number close to `expected`; returns it as a float."""
    value = as_number(got, what, f"about {num(expected)}")
    if not np.isfinite(value):
        raise CheckFailed(f"{what} is {value} where {num(expected)} was expected")
    if abs(value - expected) > atol + rtol * abs(expected):
        ratio = value / expected if expected else 0.0
        said = f"; it is {ratio:.4g} times the expected value" if expected and \
            abs(ratio - round(ratio)) < 1e-6 * abs(ratio) and round(ratio) not in (0, 1) else ""
        shown = nums(value, expected)
        raise CheckFailed(f"{what}: got {shown[0]}, expected {shown[1]} (difference "
                          f"{abs(value - expected):.3g} > tolerance {atol:g} + {rtol:g} x "
                          f"|expected|){said}")
    return value


def expect_dict(got: Any, expected: dict[str, np.ndarray], what: str, *, rtol: float,
                atol: float) -> dict[str, Any]:
    """`got` must be a dict with exactly `expected`'s keys, each array as expected."""
    keys = ", ".join(expected)
    if got is None:
        raise CheckFailed(f"{what} should be a dict with the keys {keys}, but the function "
                          "returned None: is its `return` missing?")
    if not isinstance(got, dict):
        kind = got.type_name if hasattr(got, "type_name") else type(got).__name__
        raise CheckFailed(f"{what} should be a dict with the keys {keys}, but it is {_a(kind)}")
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing or extra:
        said = (f"has no key {missing[0]!r}" if missing else f"has a key {extra[0]!r} too")
        hint = (" (keyed like the gradients of the notebook, 'dW1'? here every dict is keyed "
                "like the parameters: 'W1')" if any(str(k).startswith("d") for k in extra)
                else "")
        raise CheckFailed(f"{what} {said}: it should have exactly the keys {keys}{hint}")
    for k, e in expected.items():
        expect_array(got[k], e, f"{what}[{k!r}]", rtol=rtol, atol=atol)
    return got


def shape_hint(got: tuple, expected: tuple) -> str:
    if got == expected[::-1]:
        return " (the transpose: are rows and columns swapped?)"
    if len(expected) == 2 and expected[1] == 1 and got == expected[:1]:
        return " (a column vector: keep the summed axis with keepdims=True)"
    if got == ():
        return " (a single number: the sum ran over every element instead of one axis)"
    if len(expected) == 2 and expected[1] == 1 and len(got) == 2 and got[0] == 1 and got[1] > 1:
        return " (a row: the sum ran over axis=0; sum over axis=1, with keepdims=True)"
    return ""


def value_hint(got: np.ndarray, expected: np.ndarray) -> str:
    """A short pointer when the wrong values have a recognisable relation to the right ones."""
    with np.errstate(all="ignore"):
        if np.allclose(got, -expected, rtol=1e-5, atol=1e-8):
            return "; every value has the wrong sign"
        if not got.any():
            return "; every value is 0"
        ratio = got.ravel() @ expected.ravel() / max(expected.ravel() @ expected.ravel(), 1e-300)
        if abs(ratio - 1) > 1e-3 and np.allclose(got, ratio * expected, rtol=1e-4, atol=1e-10):
            return f"; every value is {ratio:.4g} times the expected one"
    return ""


def _a(noun: str) -> str:
    """'a list', 'an int', 'an ndarray'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' or noun.startswith('nd') else 'a'} {noun}"


def expect_tuple(got: Any, names: tuple[str, ...], what: str) -> tuple:
    """The function must return exactly len(names) values."""
    if got is None:
        raise CheckFailed(f"{what} should return {len(names)} values ({', '.join(names)}), but it "
                          "returned None: is its `return` missing?")
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        count = f"{len(got)} values" if isinstance(got, (tuple, list)) \
            else _a(type(got).__name__)
        raise CheckFailed(f"{what} should return {len(names)} values ({', '.join(names)}), "
                          f"but it returned {count}")
    return tuple(got)


def expect_untouched(before: tuple, after: tuple, names: tuple[str, ...], fn: str) -> None:
    """Inputs are the grader's copies; a function that writes into them is told where."""
    for name, old, new in zip(names, before, after):
        if not isinstance(old, np.ndarray):
            continue
        same = np.array_equal(old, new, equal_nan=old.dtype.kind in "fc") \
            if isinstance(new, np.ndarray) and new.shape == old.shape else False
        if not same:
            where = ""
            if isinstance(new, np.ndarray) and new.shape == old.shape:
                changed = old != new
                if old.dtype.kind in "fc":
                    changed &= ~(np.isnan(old) & np.isnan(new))
                idx = np.unravel_index(np.argmax(changed), old.shape)
                was, now = num(old[idx]), num(new[idx])
                if was == now:  # a change below six digits: show them all
                    was, now = repr(float(old[idx])), repr(float(new[idx]))
                where = (f": {int(changed.sum())} element(s) changed, e.g. {index(idx)} was "
                         f"{was} and is now {now}")
            raise CheckFailed(f"{fn} changed its input {name} in place{where}; compute into a new "
                              "array (Z = Z - ... rather than Z -= ...)")
