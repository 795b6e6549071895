"""What the check modules share: realistic random inputs and the compare-with-reference check."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from grader import reference
from grader.compare import CheckFailed, expect_array, expect_tuple, expect_untouched, tolerance

DTYPES = (np.float64, np.float32)
BATCH_SIZES = (1, 7, 13)  # m = 1 catches missing keepdims; 7 and 13 are prime and not 10 or 784
OUTPUTS = {
    "forward_prop": ("Z1", "A1", "Z2", "A2"),
    "backward_prop": ("dW1", "db1", "dW2", "db2"),
    "update_params": ("W1", "b1", "W2", "b2"),
}


def arg_names(fn: str) -> tuple[str, ...]:
    return tuple(inspect.signature(getattr(reference, fn)).parameters)


def network(rng: np.random.Generator, m: int, dtype: type = np.float64,
            n_x: int = 784) -> dict[str, np.ndarray]:
    """Parameters at He scale and m MNIST-like examples: pixels in [0, 1], about 70% zero."""
    X = rng.random((n_x, m)) * (rng.random((n_x, m)) < 0.3)
    arrays = {
        "W1": rng.normal(0.0, np.sqrt(2 / n_x), (10, n_x)), "b1": rng.normal(0.0, 0.1, (10, 1)),
        "W2": rng.normal(0.0, np.sqrt(2 / 10), (10, 10)), "b2": rng.normal(0.0, 0.1, (10, 1)),
        "X": X,
    }
    arrays = {k: v.astype(dtype) for k, v in arrays.items()}
    arrays["Y"] = rng.integers(0, 10, m)
    return arrays


def backward_inputs(rng: np.random.Generator, m: int, dtype: type = np.float64,
                    n_x: int = 784) -> dict[str, np.ndarray]:
    """Inputs of backward_prop: a network, its forward pass, and labels."""
    net = network(rng, m, dtype, n_x)
    Z1, A1, Z2, A2 = reference.forward_prop(net["W1"], net["b1"], net["W2"], net["b2"], net["X"])
    return dict(net, Z1=Z1, A1=A1, Z2=Z2, A2=A2)


def describe(args: dict[str, Any]) -> str:
    """'Z of shape (10, 7), float32' for a call's arguments (m is read off Z, X or Z1)."""
    parts = [f"{k} of shape {v.shape}" for k, v in args.items() if k in ("Z", "X")]
    if not parts and "W1" in args and "dW1" in args:
        parts = [f"W1 of shape {args['W1'].shape}, alpha = {args.get('alpha', '?')}"]
    dtypes = {str(v.dtype) for v in args.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
    return ", ".join(parts + sorted(dtypes))


def matches_reference(learner, args: dict[str, Any], *, floating: bool = True) -> Any:
    """Call the learner's function and the reference on the same inputs; compare every output."""
    fn = learner.exercise.name
    call_args = tuple(args[name] for name in arg_names(fn) if name in args)
    expected = getattr(reference, fn)(*call_args)
    got = learner(*call_args)
    rtol, atol = tolerance(*[a for a in call_args if isinstance(a, np.ndarray)])
    context = describe({name: args[name] for name in arg_names(fn) if name in args})
    if fn in OUTPUTS:
        names = OUTPUTS[fn]
        got = expect_tuple(got, names, fn)
        for i, (name, g, e) in enumerate(zip(names, got, expected)):
            try:
                expect_array(g, e, f"{name} (value {i + 1} of {len(names)} returned by {fn}, "
                             f"{context})", rtol=rtol, atol=atol, floating=floating)
            except CheckFailed as failure:
                raise CheckFailed(str(failure) + order_hint(g, i, expected, names, rtol, atol)) \
                    from None
        return got
    return expect_array(got, expected, f"{fn}(...) for {context}", rtol=rtol, atol=atol,
                        floating=floating)


def order_hint(got: Any, position: int, expected: tuple, names: tuple[str, ...], rtol: float,
               atol: float) -> str:
    """When a wrong value is in fact another expected output, say so: the order is wrong."""
    for j, e in enumerate(expected):
        if j != position and isinstance(got, np.ndarray) and got.shape == e.shape \
                and np.allclose(got, e, rtol=rtol, atol=atol):
            return (f". Value {position + 1} is {names[j]}: return the values in the order "
                    f"({', '.join(names)})")
    return ""


def leaves_inputs_untouched(learner, args: dict[str, Any], may_change: tuple[str, ...] = ()) -> None:
    fn = learner.exercise.name
    names = [n for n in arg_names(fn) if n in args]
    before = tuple(args[n] for n in names)
    after = learner.call_keeping_args(*before)
    checked = [(n, b, a) for n, b, a in zip(names, before, after) if n not in may_change]
    expect_untouched(tuple(c[1] for c in checked), tuple(c[2] for c in checked),
                     tuple(c[0] for c in checked), fn)
