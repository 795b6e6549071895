"""backward_deep(params, caches, Y) -> grads, on the caches of the learner's own forward_deep.

Each check runs the learner's forward_deep, then their backward_deep on what it returned, in
the worker. The gradients are compared from the output layer down: the first layer whose
gradients are off is where the mistake enters, and the message says so.
"""

import numpy as np
import pytest

from grader import network
from grader.chapter4 import LAYER_IDS, LAYERS, deep_inputs, shapes_of
from grader.checking import known_causes
from grader.compare import CheckFailed, expect_array, expect_dict, expect_untouched, tolerance
from grader.diagnosis import Mistake
from grader.gradcheck import expect_gradients, kink_free_network
from grader.trainer import keyed_like


def reference(params, caches, Y):
    """`caches` as the grader's own forward_deep makes them: (A(k-1), Zk, Ak) per layer."""
    return _backward(params, [(Z, A) for _, Z, A in caches], Y, caches[0][0])


def _backward(params, layers, Y, X, *, deriv=True, sign=1.0, scale=None, last_relu=False,
              db_scale=None):
    """The gradients keyed like the parameters from the forward pass `layers` [(Zk, Ak)], or
    those of a known mistake."""
    L, AL = network.depth(params), layers[-1][1]
    m = AL.shape[1]
    dZ = sign * (AL - network.one_hot(Y, AL.shape[0])) * (1 / m if scale is None else scale)
    if last_relu:
        dZ = dZ * network.relu_deriv(layers[-1][0])
    grads = {}
    for k in range(L, 0, -1):
        A_prev = layers[k - 2][1] if k > 1 else X
        grads[f"W{k}"] = dZ @ A_prev.T
        grads[f"b{k}"] = dZ.sum(axis=1, keepdims=True) * (1 if db_scale is None else db_scale)
        if k > 1:
            dZ = params[f"W{k}"].T @ dZ * (network.relu_deriv(layers[k - 2][0]) if deriv else 1)
    return {k: grads[k] for k in params}


def _as(a: dict, **mistake) -> dict:
    return _backward(a["params"], network.forward(a["params"], a["X"]), a["Y"], a["X"], **mistake)


MISTAKES = (
    Mistake("deep_no_relu_deriv", "the hidden layers' dZ misses the factor relu_deriv(Z): "
            "dZ(k-1) = (Wk.T @ dZk) * relu_deriv(Z(k-1))", lambda a: _as(a, deriv=False)),
    Mistake("deep_sign", "dZL has the wrong sign: it is (AL - one_hot(Y)) / m",
            lambda a: _as(a, sign=-1.0)),
    Mistake("deep_no_m", "the gradients are not divided by m, the number of examples: dZL = "
            "(AL - one_hot(Y)) / m", lambda a: _as(a, scale=1.0)),
    Mistake("deep_m_twice", "the gradients are divided by m twice: once in dZL = (AL - "
            "one_hot(Y)) / m is enough", lambda a: _as(a, scale=1 / a["X"].shape[1] ** 2)),
    Mistake("deep_relu_on_last", "the output layer's dZ is multiplied by relu_deriv(ZL) too: "
            "softmax's dZL = (AL - one_hot(Y)) / m already holds its derivative",
            lambda a: _as(a, last_relu=True)),
    Mistake("deep_db_not_averaged", "the biases' gradients are m times too large: with dZ "
            "divided by m, db is its plain sum over the examples, but here the 1/m is missing "
            "from db only", lambda a: _as(a, db_scale=a["X"].shape[1])),
)


def _where(k: int, L: int, wrong: list[str]) -> str:
    """Where the mistake enters, from the topmost layer whose gradients are off."""
    above = f"layers {L} to {k + 1} are right, " if k < L - 1 else \
        f"layer {L} is right, " if k == L - 1 else ""
    if wrong == [f"W{k}"]:
        inside = (f"dZ{k} is right (db{k} is), so dW{k} = dZ{k} @ A{k - 1}.T goes wrong: "
                  f"A{k - 1} is layer {k}'s input" + (", X" if k == 1 else ""))
    elif wrong == [f"b{k}"]:
        inside = f"dW{k} is right, so db{k} goes wrong: dZ{k} summed over the examples " \
                 "(axis=1, keepdims=True)"
    elif k == L:
        inside = "both its gradients are off, so dZL is: (AL - one_hot(Y)) / m, with AL from " \
                 "your caches"
    else:
        inside = (f"both its gradients are off, so dZ{k} is: (W{k + 1}.T @ dZ{k + 1}) * "
                  f"relu_deriv(Z{k}), with Z{k} from your caches")
    return f"Going down from the output layer, {above}layer {k} is the first that is off: {inside}"


def grads_match(learner, args: dict, what: str = "") -> dict:
    """Run forward_deep then backward_deep on the grader's copies of `args`; compare the
    gradients layer by layer, from the last, with the grader's."""
    params, X, Y = args["params"], args["X"], args["Y"]
    grads, fed, after = learner.after("forward_deep", (params, X), params, None, Y)
    grads = keyed_like(grads, params)
    layers = network.forward(params, X)
    expected = {k: g for k, g in zip(params, network.backward(params, layers, X, Y).values())}
    rtol, atol = tolerance(X, *params.values())
    where = f"backward_deep(...) for a {shapes_of(params)} network, m = {X.shape[1]}{what}"
    AL = fed[0] if isinstance(fed, tuple) and fed else None
    if not (isinstance(AL, np.ndarray) and AL.shape == layers[-1][1].shape and np.allclose(
            AL, layers[-1][1], rtol=1e-4, atol=1e-6)):
        raise CheckFailed(f"{where} could not be judged: it works on the caches of your "
                          "forward_deep, whose AL is wrong on these inputs; once forward_deep "
                          "passes its checks, this one means something",
                          ["forward_deep is wrong, and backward_deep is checked on its caches"])
    expect_dict(grads, expected, f"{where}, grads", rtol=np.inf, atol=np.inf)  # keys, shapes
    L = network.depth(params)
    for k in range(L, 0, -1):
        wrong = [n for n in (f"W{k}", f"b{k}") if not np.allclose(
            grads[n], expected[n], rtol=rtol, atol=atol)]
        if wrong:
            try:
                expect_array(grads[wrong[0]], expected[wrong[0]], f"{where}, grads"
                             f"[{wrong[0]!r}]", rtol=rtol, atol=atol)
            except CheckFailed as failure:
                causes = known_causes(learner, {"params": params, "X": X, "Y": Y}, (grads,),
                                     (expected,))
                raise CheckFailed(f"{failure}\n{_where(k, L, wrong)}" + (
                    f"\nLikely cause: {'; '.join(causes)}" if causes else ""), causes) from None
    return after


@pytest.mark.parametrize("layers", LAYERS, ids=LAYER_IDS)
def check_depths(learner, rng, layers):
    """matches the reference for 1, 2 and 3 hidden layers of odd widths"""
    grads_match(learner, deep_inputs(rng, layers, 7))


def check_one_example(learner, rng):
    """a batch of one example (m = 1)"""
    grads_match(learner, deep_inputs(rng, LAYERS[1], 1))


def check_float32(learner, rng):
    """works for float32 parameters and inputs"""
    grads_match(learner, deep_inputs(rng, LAYERS[1], 7, np.float32))


def check_finite_differences(learner, rng):
    """agrees with finite differences of the mean cross-entropy, layer by layer"""
    net = kink_free_network(rng, m=5, layers=(30, 17, 13, 10))
    params = {k: net[k] for k in network.shapes((30, 17, 13, 10))}
    grads, _, _ = learner.after("forward_deep", (params, net["X"]), params, None, net["Y"])
    grads = keyed_like(grads, params)
    expect_dict(grads, params, "backward_deep(...), grads", rtol=np.inf, atol=np.inf)
    # From the output layer down, so that the first one named is where the mistake enters.
    top_down = dict(reversed(list(params.items())))
    expect_gradients({f"d{k}": grads[k] for k in params}, top_down, net["X"], net["Y"], rng)


def check_untouched(learner, rng):
    """leaves params and Y unchanged"""
    args = deep_inputs(rng, LAYERS[1], 7)
    after = grads_match(learner, args)
    for key, before in args["params"].items():
        now = after[0].get(key) if isinstance(after[0], dict) else None
        expect_untouched((before,), (now,), (f"params[{key!r}]",), "backward_deep")
    expect_untouched((args["Y"],), (after[2],), ("Y",), "backward_deep")
