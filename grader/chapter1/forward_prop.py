"""forward_prop(W1, b1, W2, b2, X) -> (Z1, A1, Z2, A2)."""

import pytest

from grader import network
from grader.checking import (BATCH_SIZES, DTYPES, leaves_inputs_untouched, matches_reference,
                             network_inputs)
from grader.diagnosis import Mistake
from grader.edits import formula


def reference(W1, b1, W2, b2, X):
    (Z1, A1), (Z2, A2) = network.forward(network.as_params(W1, b1, W2, b2), X)
    return Z1, A1, Z2, A2


PROGRAM = formula("forward_prop", """
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2
    """)


def _wrong(a: dict, *, act=network.relu, out=network.softmax, bias1=True, bias2=True,
           relu_out=False) -> tuple:
    Z1 = a["W1"] @ a["X"] + (a["b1"] if bias1 else 0)
    A1 = act(Z1)
    Z2 = a["W2"] @ A1 + (a["b2"] if bias2 else 0)
    return Z1, A1, Z2, out(network.relu(Z2) if relu_out else Z2)


MISTAKES = (
    Mistake("no_b1", "Z1 leaves out the bias: Z1 = W1 X + b1", lambda a: _wrong(a, bias1=False)),
    Mistake("no_b2", "Z2 leaves out the bias: Z2 = W2 A1 + b2", lambda a: _wrong(a, bias2=False)),
    Mistake("no_relu", "A1 is Z1: the hidden layer needs A1 = relu(Z1)",
            lambda a: _wrong(a, act=lambda Z: Z)),
    Mistake("no_softmax", "A2 is Z2: the output layer needs A2 = softmax(Z2)",
            lambda a: _wrong(a, out=lambda Z: Z)),
    Mistake("relu_on_output", "relu is applied to Z2 before softmax; the output layer is "
            "softmax(Z2) alone", lambda a: _wrong(a, relu_out=True)),
    Mistake("b2_after_softmax", "b2 is added after softmax (softmax(W2 A1) + b2): the bias "
            "belongs inside, A2 = softmax(W2 A1 + b2), so that each column of A2 sums to 1",
            lambda a: _b2_after_softmax(_wrong(a), a["b2"])),
)


def _b2_after_softmax(right: tuple, b2) -> tuple:
    Z1, A1, Z2, _ = right
    return Z1, A1, Z2, network.softmax(Z2 - b2) + b2


@pytest.mark.parametrize("m", BATCH_SIZES, ids=lambda m: f"m={m}")
def check_random(learner, rng, m):
    """returns Z1, A1, Z2, A2 matching the reference"""
    matches_reference(learner, network_inputs(rng, m))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def check_dtypes(learner, rng, dtype):
    """works for float32 and float64 inputs"""
    matches_reference(learner, network_inputs(rng, 7, dtype))


def check_untouched(learner, rng):
    """leaves W1, b1, W2, b2 and X unchanged"""
    leaves_inputs_untouched(learner, network_inputs(rng, 7))
