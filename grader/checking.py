"""What the exercises' checks share: realistic random inputs and the compare-with-reference check.

A check receives `learner`, a handle on the learner's function for its exercise (see
grader.engine.Learner: it carries the exercise's catalog record and its reference), and `rng`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import network
from grader.compare import (CheckFailed, LearnerError, expect_array, expect_dict, expect_number,
                            expect_tuple, expect_untouched, tolerance)
from grader.diagnosis import diagnose, explain_error

DTYPES = (np.float64, np.float32)
# m = 1 catches missing keepdims; 7 and 13 are prime and not 10 or 784. 7 first: the first
# failing check's numbers are the ones a learner reads in the report.
BATCH_SIZES = (7, 13, 1)


def mnist_like(rng: np.random.Generator, m: int, n_x: int = 784) -> np.ndarray:
    """m examples like MNIST's, one per column: pixels in [0, 1], about 70% zero."""
    return rng.random((n_x, m)) * (rng.random((n_x, m)) < 0.3)


def network_inputs(rng: np.random.Generator, m: int, dtype: type = np.float64,
                   layers: tuple[int, ...] = (784, 10, 10)) -> dict[str, np.ndarray]:
    """Parameters at He scale and m MNIST-like examples: pixels in [0, 1], about 70% zero."""
    n_x = layers[0]
    X = mnist_like(rng, m, n_x)
    arrays: dict[str, np.ndarray] = {}
    for name, shape in network.shapes(layers).items():
        scale = np.sqrt(2 / shape[1]) if name.startswith("W") else 0.1
        arrays[name] = rng.normal(0.0, scale, shape)
    arrays["X"] = X
    arrays = {k: v.astype(dtype) for k, v in arrays.items()}
    arrays["Y"] = rng.integers(0, layers[-1], m)
    return arrays


def params_of(arrays: dict[str, Any]) -> network.Params:
    """The W1, b1, W2, b2, ... among `arrays`."""
    return {k: v for k, v in arrays.items() if k[0] in "Wb" and k[1:].isdigit()}


def with_forward(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """`arrays` with the reference forward pass added: Z1, A1, Z2, A2, ..."""
    out = dict(arrays)
    for k, (Z, A) in enumerate(network.forward(params_of(arrays), arrays["X"]), 1):
        out[f"Z{k}"], out[f"A{k}"] = Z, A
    return out


def backward_inputs(rng: np.random.Generator, m: int, dtype: type = np.float64,
                    layers: tuple[int, ...] = (784, 10, 10)) -> dict[str, np.ndarray]:
    """Inputs of backward_prop: a network, its forward pass, and labels."""
    return with_forward(network_inputs(rng, m, dtype, layers))


def describe(args: dict[str, Any]) -> str:
    """'Z of shape (10, 7), float32' for a call's arguments (m is read off Z, X or Z1)."""
    parts = [f"{k} of shape {v.shape}" for k, v in args.items() if k in ("Z", "X", "A2")]
    if not parts and "W1" in args and "dW1" in args:
        parts = [f"W1 of shape {args['W1'].shape}, alpha = {args.get('alpha', '?')}"]
    dtypes = {str(v.dtype) for v in args.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
    return ", ".join(parts + sorted(dtypes))


def call_explained(learner, inputs: tuple) -> Any:
    """The learner's function on `inputs`; when it raises, the error says why, if known."""
    try:
        return learner(*inputs)
    except LearnerError as err:
        if err.stops or err.causes:
            raise
        args = dict(zip(learner.exercise.arg_names, inputs))
        raise LearnerError(str(err), False,
                           explain_error(learner.module, learner.exercise.name, args, str(err))) \
            from None


def call_args(learner, args: dict[str, Any]) -> tuple:
    """The exercise's arguments, in its order, taken from `args` (those it has)."""
    return tuple(args[name] for name in learner.exercise.arg_names if name in args)


def matches_reference(learner, args: dict[str, Any], *, floating: bool = True) -> Any:
    """Call the learner's function and the reference on the same inputs; compare every output."""
    return outputs_match(learner, args, floating=floating)


def outputs_match(learner, args: dict[str, Any], expected: Any = None, *, what: str | None = None,
                  rtol: float | None = None, atol: float | None = None,
                  floating: bool = True) -> Any:
    """Call the learner's function on `args` and compare each output with `expected` (by
    default the reference's). Every wrong output is told, each with its likely cause."""
    ex = learner.exercise
    inputs = call_args(learner, args)
    if expected is None:
        expected = learner.reference(*inputs)
    got = call_explained(learner, inputs)
    if rtol is None or atol is None:
        rtol, atol = tolerance(*[a for a in inputs if isinstance(a, np.ndarray)])
    context = describe({name: args[name] for name in ex.arg_names if name in args})
    names = ex.output_names
    if len(names) == 1:
        pairs = [(got, expected, what or f"{ex.name}(...) for {context}")]
    else:
        got = expect_tuple(got, names, ex.name)
        pairs = [(g, e, f"{name} (value {i + 1} of {len(names)} returned by {ex.name}, "
                  f"{what or context})") for i, (name, g, e) in enumerate(zip(names, got, expected))]
    failures: dict[int, str] = {}
    swapped = {}  # wrong output -> the other output it is: the order is wrong, not the values
    for i, (g, e, label) in enumerate(pairs):
        try:
            expect_array(g, e, label, rtol=rtol, atol=atol, floating=floating)
        except CheckFailed as failure:
            j = other_output(g, i, expected, rtol, atol) if len(names) > 1 else None
            if j is not None:
                swapped[i] = j
            failures[i] = str(failure) + (f". Value {i + 1} is {names[j]}: return the values in "
                                          f"the order ({', '.join(names)})" if j is not None
                                          else "")
    if failures:
        # Only a shuffle of the wrong outputs among themselves is an order mistake.
        shuffled = len(swapped) == len(failures) and set(swapped.values()) == set(failures)
        causes = [f"{ex.name} returns its values in another order: return "
                  f"{', '.join(names)}"] if shuffled else \
            diagnose(learner.module, dict(zip(ex.arg_names, inputs)), got, expected,
                     list(failures), names)
        message = "\n".join(failures.values())
        raise CheckFailed(message + (f"\nLikely cause: {'; '.join(causes)}" if causes else ""),
                          causes)
    return got


def number_matches(learner, args: dict[str, Any], *, rtol: float = 1e-6, atol: float = 1e-8,
                   what: str | None = None) -> float:
    """Call a learner's function that returns one number and compare it with the reference's;
    a wrong number is explained by the exercise's known mistakes that give it."""
    inputs = call_args(learner, args)
    expected = float(learner.reference(*inputs))
    got = call_explained(learner, inputs)
    named = dict(zip(learner.exercise.arg_names, inputs))
    context = describe(named) or ", ".join(f"{k} of shape {v.shape}" for k, v in named.items()
                                           if isinstance(v, np.ndarray))
    what = what or f"{learner.exercise.name}(...) for {context}"
    try:
        return expect_number(got, expected, what, rtol=rtol, atol=atol)
    except CheckFailed as failure:
        causes = [m.says for m in getattr(learner.module, "MISTAKES", ())
                  if _gives(m, named, got) and not _gives(m, named, expected)]
        raise CheckFailed(str(failure) + (f"\nLikely cause: {'; '.join(causes)}" if causes
                                          else ""), causes) from None


def _gives(mistake, args: dict[str, Any], value: Any) -> bool:
    """Whether a Mistake computes this very number (nan and inf included) on these inputs."""
    try:
        with np.errstate(all="ignore"):
            wrong = np.asarray(mistake.wrong(args), dtype=np.float64)
        got = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - advice only
        return False
    return wrong.size == 1 and got.size == 1 and bool(np.isclose(
        got.ravel()[0], wrong.ravel()[0], rtol=1e-5, atol=1e-9, equal_nan=True))


def other_output(got: Any, position: int, expected: tuple, rtol: float, atol: float
                 ) -> int | None:
    """When a wrong value is in fact another expected output, which one."""
    for j, e in enumerate(expected):
        if j != position and isinstance(got, np.ndarray) and got.shape == e.shape \
                and np.allclose(got, e, rtol=rtol, atol=atol):
            return j
    return None


def leaves_inputs_untouched(learner, args: dict[str, Any], may_change: tuple[str, ...] = ()) -> None:
    names = [n for n in learner.exercise.arg_names if n in args]
    before = tuple(args[n] for n in names)
    after = learner.call_keeping_args(*before)
    checked = [(n, b, a) for n, b, a in zip(names, before, after) if n not in may_change]
    expect_untouched(tuple(c[1] for c in checked), tuple(c[2] for c in checked),
                     tuple(c[0] for c in checked), learner.exercise.name)


# ------------------------------------------------------------------ parameter dicts (chapter 3 on)

def param_dicts(rng: np.random.Generator, layers: tuple[int, ...] = (784, 10, 10),
                dtype: type = np.float64, scale: float = 1.0) -> dict[str, np.ndarray]:
    """W1, b1, ... at He scale (times `scale`) as a dict of arrays of `dtype`."""
    return {name: (rng.normal(0.0, np.sqrt(2 / shape[1]) if name[0] == "W" else 0.1, shape)
                   * scale).astype(dtype) for name, shape in network.shapes(layers).items()}


def same_values(got: tuple, wrong: tuple) -> bool:
    """Every output of a known mistake (an array, or a dict of them) equal to the learner's."""
    return len(got) == len(wrong) and all(_same(g, w) for g, w in zip(got, wrong))


def _same(got: Any, wrong: Any) -> bool:
    if isinstance(wrong, dict):
        return isinstance(got, dict) and got.keys() == wrong.keys() and all(
            _same(got[k], wrong[k]) for k in wrong)
    return isinstance(got, np.ndarray) and got.shape == np.shape(wrong) and bool(
        np.allclose(got, wrong, rtol=1e-5, atol=1e-10, equal_nan=True))


def known_causes(learner, args: dict[str, Any], got: tuple, expected: tuple) -> list[str]:
    """The exercise's known mistakes that give the learner's outputs (arrays or dicts) on these
    inputs."""
    causes = []
    for mistake in getattr(learner.module, "MISTAKES", ()):
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(args)
        except Exception:  # noqa: BLE001 - advice only
            continue
        wrong = wrong if isinstance(wrong, tuple) else (wrong,)
        if same_values(got, wrong) and not same_values(expected, wrong):
            causes.append(mistake.says)
    return causes[:1]


def dicts_match(learner, args: dict[str, Any], what: str = "") -> tuple:
    """Call the learner's function on `args` and compare each returned dict with the
    reference's, key by key; a wrong one is explained by the known mistakes that give it."""
    ex = learner.exercise
    inputs = call_args(learner, args)
    expected = learner.reference(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    got = call_explained(learner, inputs)
    names = ex.output_names
    rtol, atol = tolerance(*[a for d in inputs if isinstance(d, dict) for a in d.values()])
    got = expect_tuple(got, names, ex.name) if len(names) > 1 else (got,)
    try:
        for i, (name, g, e) in enumerate(zip(names, got, expected)):
            where = f"{name} (value {i + 1} of {len(names)} returned by {ex.name}{what})" \
                if len(names) > 1 else f"{ex.name}(...){what}"
            expect_dict(g, e, where, rtol=rtol, atol=atol)
    except CheckFailed as failure:
        # The same algorithm written another accepted way (Adam's folded step size) is right.
        for other in getattr(learner.module, "ALSO_RIGHT", ()):
            right = other(*inputs)
            if same_values(got, right if isinstance(right, tuple) else (right,)):
                return got
        causes = known_causes(learner, dict(zip(ex.arg_names, inputs)), got, expected)
        raise CheckFailed(str(failure) + (f"\nLikely cause: {'; '.join(causes)}" if causes
                                          else ""), causes) from None
    return got


def steps_match(learner, args: dict[str, Any], fresh_grads, steps: int = 3,
                counter: str | None = None) -> None:
    """Several steps in a row: each call gets the params and state the learner's last call
    returned (the reference's run keeps its own), fresh gradients, and `counter` = 1, 2, ...
    The first step whose outputs differ is told, by its number."""
    outputs = learner.exercise.output_names  # params, then the state dicts
    mine = dict(args)
    for step in range(1, steps + 1):
        mine["grads"] = fresh_grads()
        if counter:
            mine[counter] = step
        got = dicts_match(learner, mine, f", step {step} of {steps} in a row" if steps > 1 else "")
        mine.update(zip(outputs, got))


def dicts_untouched(learner, args: dict[str, Any], may_change: tuple[str, ...] = ()) -> None:
    """The dict (and array) arguments not in `may_change` come back exactly as they were."""
    names = [n for n in learner.exercise.arg_names if n in args]
    after = learner.call_keeping_args(*(args[n] for n in names))
    for name, before, now in zip(names, (args[n] for n in names), after):
        if name in may_change:
            continue
        if isinstance(before, np.ndarray):
            expect_untouched((before,), (now,), (name,), learner.exercise.name)
        if not isinstance(before, dict):
            continue
        if not isinstance(now, dict) or now.keys() != before.keys():
            raise CheckFailed(f"{learner.exercise.name} changed the keys of its input {name}: "
                              "build a new dict instead")
        for key, array in before.items():
            expect_untouched((array,), (now[key],), (f"{name}[{key!r}]",), learner.exercise.name)
