"""forward_deep(params, X) -> (AL, caches): only AL is compared; caches are the learner's own,
judged by backward_deep."""

import numpy as np
import pytest

from grader import network
from grader.chapter4 import LAYER_IDS, LAYERS, deep_inputs, shapes_of
from grader.checking import call_explained, known_causes, dicts_untouched
from grader.compare import CheckFailed, expect_array, expect_tuple, tolerance
from grader.diagnosis import Mistake


def reference(params, X):
    layers = network.forward(params, X)
    inputs = [X] + [A for _, A in layers[:-1]]
    return layers[-1][1], [(A_prev, Z, A) for A_prev, (Z, A) in zip(inputs, layers)]


def _forward(params, X, *, hidden=network.relu, last=network.softmax, layers=None, bias=True):
    """AL of a forward pass with other activations, fewer layers or no biases."""
    L = network.depth(params) if layers is None else layers
    A = X
    for k in range(1, L + 1):
        Z = params[f"W{k}"] @ A + (params[f"b{k}"] if bias else 0)
        A = last(Z) if k == L else hidden(Z)
    return A


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


OVERFLOW = ("the softmax overflows: exp of a score in the hundreds is inf, and inf / inf is nan; "
            "subtract each column's max first, exp(Z - Z.max(axis=0, keepdims=True)), which "
            "leaves the probabilities unchanged")

MISTAKES = (
    Mistake("relu_then_softmax", "the last layer gets ReLU before its softmax: only the hidden "
            "layers (k < L) apply ReLU, the last one softmax alone",
            lambda a: _forward(a["params"], a["X"], last=lambda Z: network.softmax(
                network.relu(Z)))),
    Mistake("deep_no_softmax", "AL is the last layer's Z: apply softmax to it, so that each column "
            "holds probabilities", lambda a: _forward(a["params"], a["X"], last=lambda Z: Z)),
    Mistake("relu_last", "the last layer applies ReLU where it needs softmax: loop over the "
            "hidden layers with ReLU, then softmax for layer L",
            lambda a: _forward(a["params"], a["X"], last=network.relu)),
    Mistake("softmax_everywhere", "every layer applies softmax: the hidden layers use ReLU",
            lambda a: _forward(a["params"], a["X"], hidden=network.softmax)),
    Mistake("no_hidden_relu", "the hidden layers apply no ReLU: Ak = relu(Zk) for k < L",
            lambda a: _forward(a["params"], a["X"], hidden=lambda Z: Z)),
    Mistake("sigmoid_hidden", "the hidden layers apply the sigmoid: this network's hidden "
            "layers use ReLU", lambda a: _forward(a["params"], a["X"], hidden=_sigmoid)),
    Mistake("softmax_rows", "the softmax normalises along the rows (axis=1): each column, one "
            "example, must sum to 1", lambda a: _forward(a["params"], a["X"], last=_rows)),
    Mistake("no_bias", "the biases are left out: Zk = Wk @ A(k-1) + bk",
            lambda a: _forward(a["params"], a["X"], bias=False)),
    Mistake("one_layer_short", "the loop stops one layer short: range(1, L) leaves out layer L; "
            "range(1, L + 1) runs them all",
            lambda a: _forward(a["params"], a["X"], layers=network.depth(a["params"]) - 1)),
    Mistake("two_layers", "only W1 and W2 are used: loop over all L = len(params) // 2 layers",
            lambda a: _forward(a["params"], a["X"], layers=2)),
)


def forward_matches(learner, args: dict, what: str = "") -> tuple:
    """The learner's (AL, caches) on `args`; AL compared with the grader's forward pass."""
    params, X = args["params"], args["X"]
    got = expect_tuple(call_explained(learner, (params, X)), ("AL", "caches"), "forward_deep")
    expected = network.forward(params, X)[-1][1]
    rtol, atol = tolerance(X, *params.values())
    try:
        expect_array(got[0], expected, f"AL (value 1 of 2 returned by forward_deep, for a "
                     f"{shapes_of(params)} network, X of shape {X.shape}{what})",
                     rtol=rtol, atol=atol)
    except CheckFailed as failure:
        causes = known_causes(learner, {"params": params, "X": X}, (got[0],), (expected,))
        if not causes and isinstance(got[0], np.ndarray) and got[0].dtype.kind == "f" \
                and not np.isfinite(got[0]).all():  # from finite inputs: exp overflowed
            causes = [OVERFLOW]
        raise CheckFailed(str(failure) + (f"\nLikely cause: {'; '.join(causes)}" if causes
                                          else ""), causes) from None
    return got


@pytest.mark.parametrize("layers", LAYERS, ids=LAYER_IDS)
def check_depths(learner, rng, layers):
    """AL matches the reference for 1, 2 and 3 hidden layers of odd widths"""
    forward_matches(learner, deep_inputs(rng, layers, 7))


def check_mnist_sized(learner, rng):
    """the chapter's 784-128-64-10 network"""
    forward_matches(learner, deep_inputs(rng, (784, 128, 64, 10), 13))


def check_one_example(learner, rng):
    """a batch of one example (m = 1)"""
    forward_matches(learner, deep_inputs(rng, LAYERS[1], 1))


def check_float32(learner, rng):
    """works for float32 parameters and inputs"""
    forward_matches(learner, deep_inputs(rng, LAYERS[1], 7, np.float32))


def check_large_scores(learner, rng):
    """stays finite when the last layer's scores are in the thousands"""
    args = deep_inputs(rng, LAYERS[0], 7)
    args["params"]["W2"] = args["params"]["W2"] * 1e3
    forward_matches(learner, args, ", W2 times 1000")


def check_untouched(learner, rng):
    """leaves params and X unchanged"""
    dicts_untouched(learner, deep_inputs(rng, LAYERS[1], 7))
