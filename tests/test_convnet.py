"""Chapter 5's math, before its exercises: the grader's own convolution and max-pooling
(grader.convnet: sliding windows, tensordot, the windows' shares of dX added back by col2im,
argmax) agree with the textbook solutions (im2col window offset by window offset, matmul, col2im) and with finite
differences, and the worker's ConvNet passes (grader.trainer) give the grader's gradients."""

from __future__ import annotations

import importlib
from dataclasses import asdict

import numpy as np
import pytest

from grader import convnet, network, trainer
from grader.catalog import TrainingSettings

SOLVED = {name: getattr(importlib.import_module(f"solutions.{name}"), name) for name in (
    "im2col", "conv_forward", "conv_backward", "maxpool_forward", "maxpool_backward", "relu",
    "relu_deriv", "softmax", "adam_step")}

# (m, C, H, W, F, k, stride, pad): C > 1, non-square, m = 1, strides 1 to 3, padding 0 to 2
CONVS = [(2, 3, 7, 5, 4, 3, 1, 1), (1, 2, 8, 9, 3, 2, 2, 0), (3, 1, 6, 6, 2, 3, 2, 1),
         (2, 2, 5, 7, 3, 5, 1, 2), (2, 3, 9, 8, 2, 3, 3, 0)]


@pytest.mark.parametrize("m, C, H, W, F, k, stride, pad", CONVS)
def test_conv_agrees_with_the_textbook_and_finite_differences(m, C, H, W, F, k, stride, pad):
    rng = np.random.default_rng(5)
    X, Wt, b = rng.normal(size=(m, C, H, W)), rng.normal(size=(F, C, k, k)), rng.normal(size=F)
    assert np.allclose(convnet.im2col(X, k, k, stride, pad), SOLVED["im2col"](X, k, k, stride, pad))
    out = convnet.conv_forward(X, Wt, b, stride, pad)
    assert out.shape == (m, F, convnet.out_size(H, k, stride, pad), convnet.out_size(W, k, stride, pad))
    assert np.allclose(out, SOLVED["conv_forward"](X, Wt, b, stride, pad))
    dout = rng.normal(size=out.shape)
    mine = convnet.conv_backward(dout, X, Wt, stride, pad)
    for got, want in zip(mine, SOLVED["conv_backward"](dout, X, Wt, stride, pad)):
        assert got.shape == want.shape and np.allclose(got, want)
    # the loss sum(out * dout): its finite differences by every X, W and b
    for i, (array, grad) in enumerate(zip((X, Wt, b), mine)):
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            old = array[index]
            values = []
            for step in (1e-6, -1e-6):
                array[index] = old + step
                values.append((convnet.conv_forward(X, Wt, b, stride, pad) * dout).sum())
            array[index] = old
            numeric[index] = (values[0] - values[1]) / 2e-6
        assert np.allclose(numeric, grad, atol=1e-6), ("dX", "dW", "db")[i]


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_pooling_sends_ties_to_the_first_maximum(size, stride):
    rng = np.random.default_rng(6)
    X = rng.integers(0, 3, (2, 3, 7, 8)).astype(float)  # ties in most windows
    out = convnet.maxpool_forward(X, size, stride)
    assert np.array_equal(out, SOLVED["maxpool_forward"](X, size, stride))
    dout = rng.normal(size=out.shape)
    got = convnet.maxpool_backward(dout, X, size, stride)
    assert np.allclose(got, SOLVED["maxpool_backward"](dout, X, size, stride))
    # one window by hand: all four equal, so its gradient goes to its top-left corner
    tie = np.ones((1, 1, 2, 2))
    assert np.array_equal(convnet.maxpool_backward(np.array([[[[5.0]]]]), tie, 2, 2),
                          [[[[5.0, 0.0], [0.0, 0.0]]]])


def test_the_workers_conv_passes_give_the_graders_gradients():
    rng = np.random.default_rng(7)
    shapes = convnet.shapes((3, 4), (64, 10))  # 8x8 images: two blocks, 2x2 maps
    assert shapes["W3"] == (10, 4 * 2 * 2)
    params = {k: rng.normal(0, 0.5, s) for k, s in shapes.items()}
    X, Y = rng.random((64, 5)), rng.integers(0, 10, 5)
    step, probabilities = trainer._conv_passes(SOLVED)
    AL, grads = step(list(params.values()), X, Y)
    layers = convnet.forward(params, X)
    assert np.allclose(AL, layers[-1][2]) and np.allclose(probabilities(list(params.values()), X),
                                                         AL)
    expected = convnet.backward(params, layers, Y)
    for (name, want), got in zip(expected.items(), grads):
        assert got.shape == want.shape and np.allclose(got, want), name
    # and the grader's gradients are those of the loss
    h, name, index = 1e-6, "W1", (1, 0, 2, 1)
    for sign in (1, -1):
        params[name][index] += sign * h
        loss = network.cross_entropy(convnet.forward(params, X)[-1][2], Y)
        params[name][index] -= sign * h
        expected[name][index] -= sign * loss / (2 * h)
    assert abs(expected[name][index]) < 1e-6


def test_the_worker_trains_a_convnet_in_float32():
    rng = np.random.default_rng(8)
    shapes = convnet.shapes((4,), (64, 10))
    Y = rng.integers(0, 2, 200)  # which half of the 8x8 image is the brighter one
    X = rng.integers(0, 100, (64, 200))
    X[:32] += 150 * (Y == 0)
    X[32:] += 150 * (Y == 1)
    X = X.astype(np.uint8)
    params = [rng.normal(0, 0.1, s) if k[0] == "W" else np.zeros(s) for k, s in shapes.items()]
    settings = TrainingSettings("mini-batch", alpha=1e-2, epochs=10, eval_every=10,
                                batch_size=32, optimizer="adam", passes="conv", dtype="float32")
    out = trainer.train(SOLVED, X=X, Y=Y, X_dev=X, Y_dev=Y, params=params,
                        settings=asdict(settings))
    assert out["stopped"] == "end" and all(p.dtype == np.float32 for p in out["params"])
    assert out["history"][-1]["dev_accuracy"] > 0.8
