"""mini_batches(X, Y, batch_size, rng) -> [(X_batch, Y_batch), ...], one shuffle of the columns.

Any permutation drawn from rng is right (rng.permutation, rng.shuffle, rng.choice without
replacement), and a generator that yields the batches is as good as a list: the checks find
where each of X's columns went and hold the batches to what every correct shuffle shares.
"""

import math

import numpy as np
import pytest

from grader.checking import leaves_inputs_untouched, mnist_like
from grader.compare import CheckFailed
from grader.diagnosis import Symptom


def reference(X, Y, batch_size, rng):
    rng = np.random.default_rng() if rng is None else rng
    order = rng.permutation(X.shape[1])
    return [(X[:, order[k:k + batch_size]], Y[order[k:k + batch_size]])
            for k in range(0, X.shape[1], batch_size)]


def batch_inputs(rng: np.random.Generator, m: int, batch_size: int) -> dict:
    """m MNIST-like columns, each different from the others, their labels and a generator."""
    X = mnist_like(rng, m)
    return {"X": X, "Y": rng.integers(0, 10, m), "batch_size": batch_size,
            "rng": np.random.default_rng(int(rng.integers(2**32)))}


def _pairs(got, a: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """The batches as (X_batch, Y_batch) arrays of the right shapes, or CheckFailed."""
    m, size = a["X"].shape[1], a["batch_size"]
    count = math.ceil(m / size)
    what = f"mini_batches(X, Y, {size}, rng) for X of shape {a['X'].shape}"
    if got is None:
        raise CheckFailed(f"{what} returned None: is its `return` missing?")
    if not isinstance(got, (list, tuple)):
        raise CheckFailed(f"{what} should return a list of (X_batch, Y_batch) pairs, but it "
                          f"returned {type(got).__name__ if not hasattr(got, 'type_name') else got}")
    if count != 2 and len(got) == 2 and all(isinstance(g, (list, tuple)) for g in got) \
            and len(got[0]) == count:
        raise CheckFailed(f"{what} returned two lists of {count} (the X batches, then the Y "
                          "batches): return one list of pairs, [(X_batch, Y_batch), ...]")
    pairs = []
    for k, item in enumerate(got):
        if not (isinstance(item, (tuple, list)) and len(item) == 2
                and all(isinstance(v, np.ndarray) for v in item)):
            raise CheckFailed(f"{what}: batch {k} should be a pair (X_batch, Y_batch) of arrays, "
                              f"but it is {str(item)[:100]}")
        xb, yb = item
        if xb.ndim != 2 or xb.shape[0] != 784:
            hint = " (the transpose: one example per column, X[:, columns])" \
                if xb.ndim == 2 and xb.shape[1] == 784 else ""
            raise CheckFailed(f"{what}: X_batch {k} should have shape (784, b), one example "
                              f"per column, but it has shape {xb.shape}{hint}")
        if yb.shape != (xb.shape[1],):
            raise CheckFailed(f"{what}: Y_batch {k} should have shape ({xb.shape[1]},), one "
                              f"label per column of X_batch {k}, but it has shape {yb.shape}")
        if yb.dtype.kind not in "iu":
            raise CheckFailed(f"{what}: Y_batch {k} holds labels of dtype {yb.dtype}; they should "
                              f"stay integers, as in Y ({a['Y'].dtype}), to index with them\n"
                              "Likely cause: X and Y were stacked into one array to shuffle "
                              "them together (np.vstack makes the labels floats): shuffle an "
                              "index instead, X[:, perm] and Y[perm]",
                              ["X and Y were stacked into one array to shuffle them together "
                               "(np.vstack makes the labels floats): shuffle an index instead, "
                               "X[:, perm] and Y[perm]"])
        pairs.append((xb, yb))
    return pairs


def _where(pairs: list, X: np.ndarray) -> list[np.ndarray]:
    """For each batch, the indices in X of its columns (-1: a column X does not have)."""
    index = {X[:, j].tobytes(): j for j in range(X.shape[1])}
    return [np.array([index.get(np.ascontiguousarray(xb[:, c], dtype=X.dtype).tobytes(), -1)
                      for c in range(xb.shape[1])], dtype=int) for xb, _ in pairs]


def _dropped_last(a: dict, found: list[np.ndarray]) -> str | None:
    m, size = a["X"].shape[1], a["batch_size"]
    if m % size and len(found) == m // size and all(f.size == size for f in found):
        return (f"the last, smaller batch is missing (m = {m}, batch_size = {size}: "
                f"{math.ceil(m / size)} batches, the last of {m % size}): cut at "
                "range(0, m, batch_size), not range(m // batch_size)")
    return None


def _repeats(a: dict, found: list[np.ndarray]) -> str | None:
    seen = np.concatenate(found) if found else np.array([], int)
    if seen.size == a["X"].shape[1] and np.unique(seen).size < seen.size:
        return ("the columns are drawn with replacement (rng.integers or rng.choice without "
                "replace=False), so some repeat and others are left out: shuffle with "
                "rng.permutation(m)")
    return None


def _labels_apart(a: dict, pairs: list, found: list[np.ndarray]) -> str | None:
    Y = a["Y"]
    order = np.concatenate(found)
    labels = np.concatenate([yb for _, yb in pairs])
    if np.array_equal(labels, Y[:labels.size]) and not np.array_equal(labels, Y[order]):
        return ("Y is not shuffled with X: take Y[perm] with the same permutation as "
                "X[:, perm]")
    if not np.array_equal(labels, Y[order]):
        return ("X and Y are shuffled with two different permutations, so images and labels "
                "no longer match: draw one permutation and index both with it")
    return None


MISTAKES = (  # each looks at (the inputs, where each batch's columns came from)
    Symptom("dropped_last", lambda a, found: _dropped_last(a, found)),
    Symptom("repeats", lambda a, found: _repeats(a, found)),
)


def _batches_right(learner, a: dict) -> list[np.ndarray]:
    """The learner's batches for `a`, checked; the indices of their columns in X."""
    X, Y, size = a["X"], a["Y"], a["batch_size"]
    m = X.shape[1]
    pairs = _pairs(learner(X, Y, size, a["rng"]), a)
    found = _where(pairs, X)
    what = f"mini_batches(X, Y, {size}, rng) for X of shape {X.shape}"
    strange = [k for k, f in enumerate(found) if (f < 0).any()]
    if strange:
        raise CheckFailed(f"{what}: X_batch {strange[0]} holds columns that are none of X's: "
                          "take whole columns of X, X[:, indices], and leave their values as "
                          "they are")
    cause = next(filter(None, (s.says(a, found) for s in MISTAKES)), None)
    seen = np.concatenate(found) if found else np.array([], int)
    counts = np.bincount(seen, minlength=m)
    if (counts != 1).any():
        missing, twice = int((counts == 0).sum()), int((counts > 1).sum())
        raise CheckFailed(f"{what}: every column of X should be in exactly one batch, but "
                          f"{missing} are in none and {twice} in several" + (
                              f"\nLikely cause: {cause}" if cause else ""),
                          [cause] if cause else [])
    sizes = [f.size for f in found]
    wanted = [size] * (m // size) + ([m % size] if m % size else [])
    if sizes != wanted:
        raise CheckFailed(f"{what}: the batches hold {sizes} examples; with m = {m} they should "
                          f"hold {wanted}: batch_size each, and what is left in the last")
    apart = _labels_apart(a, pairs, found)
    if apart:
        raise CheckFailed(f"{what}: some Y_batch labels are not those of their X_batch "
                          f"columns\nLikely cause: {apart}", [apart])
    if np.array_equal(seen, np.arange(m)):
        cause = ("mini_batches does not shuffle: draw a permutation, perm = rng.permutation(m), "
                 "and take the columns in that order")
        raise CheckFailed(f"{what}: the batches hold the columns in their original order, "
                          f"0, 1, 2, ...\nLikely cause: {cause}", [cause])
    return found


@pytest.mark.parametrize("m, batch_size", [(50, 16), (48, 16), (7, 10)],
                         ids=["m=50, batch_size=16", "m=48, batch_size=16",
                              "m=7, batch_size=10"])
def check_batches(learner, rng, m, batch_size):
    """one shuffle of X's columns with their labels, cut into batches of batch_size"""
    found = _batches_right(learner, batch_inputs(rng, m, batch_size))
    if m < batch_size and len(found) != 1:
        raise CheckFailed(f"with m = {m} and batch_size = {batch_size} there should be one "
                          f"batch of all {m} examples, not {len(found)}")


def check_rng(learner, rng):
    """the same rng seed gives the same batches, another seed others"""
    a = batch_inputs(rng, 50, 16)
    seed = int(rng.integers(2**32))
    # Only where the columns go: check_batches says what else may be wrong with them.
    runs = [_where(_pairs(learner(a["X"], a["Y"], a["batch_size"], np.random.default_rng(s)),
                          a), a["X"]) for s in (seed, seed, seed + 1)]
    if len(runs[0]) != len(runs[1]) or not all(np.array_equal(x, y)
                                               for x, y in zip(runs[0], runs[1])):
        cause = ("mini_batches does not draw from the rng it is given (np.random.permutation "
                 "uses NumPy's global generator): use rng.permutation")
        raise CheckFailed(f"mini_batches with np.random.default_rng({seed}) gave other batches "
                          f"the second time\nLikely cause: {cause}", [cause])
    if runs[0] and np.array_equal(np.concatenate(runs[0]), np.concatenate(runs[2])):
        cause = "mini_batches ignores the rng it is given (a fixed seed of its own?): use rng"
        raise CheckFailed(f"mini_batches gives the same batches for the seeds {seed} and "
                          f"{seed + 1}\nLikely cause: {cause}", [cause])


def check_untouched(learner, rng):
    """leaves X and Y unchanged"""
    leaves_inputs_untouched(learner, batch_inputs(rng, 50, 16), may_change=("rng",))
