"""Known mistakes: when a check fails, name the misconception behind the learner's output.

Each exercise's grader module lists its known mistakes (`MISTAKES`). A `Mistake` recomputes,
from the same inputs, what a learner who makes it would return (with the grader's own network
math, in the grader process); if that matches what came back, the learner sees its sentence.
A `Symptom` recognises a mistake from the output alone (booleans where floats belong) or by
measuring it (gradients off by a constant factor: a missing or wrong 1/m).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Mistake:
    key: str
    says: str
    wrong: Callable[[dict], Any]  # what a learner making this mistake returns for these inputs

    def explains(self, args: dict, got: Any) -> str | None:
        try:
            with np.errstate(all="ignore"):
                wrong = self.wrong(args)
        except (ValueError, IndexError, TypeError):
            return None
        return self.says if same(got, wrong) else None


@dataclass(frozen=True)
class Symptom:
    key: str
    says: Callable[[dict, Any], str | None]  # the sentence, when the output shows the mistake

    def explains(self, args: dict, got: Any) -> str | None:
        return self.says(args, got)


Known = Mistake | Symptom


def same(got: Any, wrong: Any) -> bool:
    if isinstance(wrong, tuple):
        return isinstance(got, (tuple, list)) and len(got) == len(wrong) and all(
            same(g, w) for g, w in zip(got, wrong))
    wrong = np.asarray(wrong)
    got = np.asarray(got) if isinstance(got, np.generic) else got
    if not isinstance(got, np.ndarray) or got.shape != wrong.shape or got.dtype.kind not in "biufc":
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(got.astype(np.float64), wrong, rtol=1e-4, atol=1e-7,
                                equal_nan=True))


def scale(expected: tuple, names: tuple[str, ...], m: int, got: Any) -> str | None:
    """Gradients off by one constant factor: a missing 1/m, or m taken from elsewhere."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        return None
    off = []
    for name, g, e in zip(names, got, expected):
        if not isinstance(g, np.ndarray) or g.shape != e.shape or not np.abs(e).max() > 0:
            return None
        ratio = float(g.ravel() @ e.ravel() / (e.ravel() @ e.ravel()))
        if not np.allclose(g, ratio * e, rtol=1e-4, atol=1e-9):
            return None
        if abs(ratio - 1) > 1e-6:
            off.append((name, ratio))
    if not off or len({round(r, 6) for _, r in off}) != 1:
        return None
    names_off, ratio = " and ".join(n for n, _ in off), off[0][1]
    verb = "is" if len(off) == 1 else "are"
    if abs(ratio - m) < 1e-6 * m:
        return f"{names_off} {verb} not divided by m (m = X.shape[1] = {m} here)"
    divisor = m / ratio
    if abs(divisor - round(divisor)) < 1e-6 and round(divisor) > 0:
        return (f"{names_off} {verb} divided by {round(divisor)} instead of m = X.shape[1] = "
                f"{m}: is m taken from a global or a constant?")
    return None


def explain(known: tuple[Known, ...], args: dict, got: Any) -> str | None:
    """The sentence of the first known mistake that explains `got`, or None."""
    for mistake in known:
        says = mistake.explains(args, got)
        if says:
            return says
    return None
