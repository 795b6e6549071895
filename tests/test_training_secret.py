"""Training in disguise: the worker trains on secretly permuted pixels and labels, so weights
trained elsewhere are worth nothing, while honest training is unchanged; and whatever the
worker sends back, the verdict is an accuracy the grader measured or one clear error."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from conftest import MAX_SCORE, REPO, run_grader, write_file

from grader import data as data_module, network, trainer
from grader.catalog import CHAPTERS, NAMES
from grader.results import Status
from grader.training import Data, Disguise, first_params, reference_params, run_training
from grader.worker import CallResult, Worker
from solutions.backward_prop import backward_prop
from solutions.forward_prop import forward_prop
from solutions.update_params import update_params

VERDICT = CHAPTERS[0].verdict
SETTINGS = VERDICT.settings


@pytest.fixture(scope="module")
def digits() -> Data:
    return Data.load(data_module.TRAIN_CSV, data_module.TEST_CSV)


def dev_accuracy(params: network.Params, data: Data) -> float:
    return float((network.predict(params, data.X_dev / 255.0) == data.Y_dev).mean())


class FakeWorker:
    """Stands in for grader.worker.Worker: keeps each request, answers with `reply(request)`."""

    def __init__(self, reply: Any = None) -> None:
        self.reply = reply or (lambda request: CallResult("crashed", message="not asked"))
        self.requests: list[dict] = []

    def train(self, request: dict, on_progress: Any = None, op: str = "train") -> CallResult:
        self.requests.append(request)
        return self.reply(request)

    def loaded(self) -> dict:
        return {"functions": list(NAMES)}


def untrained(request: dict, **changes: Any) -> CallResult:
    """What an honest worker sends back after no step at all, with `changes`."""
    value = {"params": tuple(request["params"]), "history": [], "steps": 0, "epochs": 0,
             "stopped": "end"}
    return CallResult("ok", dict(value, **changes))


# A learner's file: every function honest (so every check passes), but once training has taken
# a few steps update_params hands back weights trained beforehand and pasted in.
CHEAT = '''
import numpy as np

MY_BEST_RUN = {weights}

steps_taken = 0


def relu(Z):
    return np.maximum(Z, 0)


def relu_deriv(Z):
    return (Z > 0).astype(Z.dtype)


def softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def one_hot(Y, num_classes=10):
    T = np.zeros((num_classes, Y.size))
    T[Y, np.arange(Y.size)] = 1.0
    return T


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    return Z1, A1, Z2, softmax(Z2)


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y)
    dZ1 = W2.T @ dZ2 * relu_deriv(Z1)
    return (dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m,
            dZ2 @ A1.T / m, dZ2.sum(axis=1, keepdims=True) / m)


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    global steps_taken
    if W1.shape == (10, 784):  # the real training, not the small checks
        steps_taken += 1
        if steps_taken > {after}:
            return tuple(np.array(p) for p in MY_BEST_RUN)
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
'''


def test_weights_trained_beforehand_do_not_pass(tmp_path, digits):
    best = reference_params(digits, VERDICT, dataclasses.replace(SETTINGS, epochs=10))
    assert dev_accuracy(best, digits) >= 0.88  # they pass at once wherever they fit
    weights = repr([np.round(p, 6).tolist() for p in best.values()])
    cheat = write_file(tmp_path / "cheat.py", CHEAT.format(weights=weights, after=20))
    run = run_grader(["--submission", str(cheat), "--json", "--seed", "0"], tmp_path / "tmp")
    assert run.json["score"] == MAX_SCORE, run.describe()  # honest wherever it is checked
    training = run.json["training"]
    assert training["status"] == "failed", training
    assert training["dev_accuracy"] < 0.5


def test_the_disguise_changes_nothing_for_honest_training(digits):
    """Trained in disguise, the solutions' network is the one trained on the real digits, in
    the disguise's order (up to rounding)."""
    settings = dataclasses.replace(SETTINGS, stop_at=None, epochs=1)
    functions = {"forward_prop": forward_prop, "backward_prop": backward_prop,
                 "update_params": update_params}

    def train(disguise: Disguise) -> dict:
        return trainer.train(functions, X=disguise.pixels_of(digits.X_train),
                             Y=disguise.classes_of(digits.Y_train),
                             X_dev=disguise.pixels_of(digits.X_dev),
                             Y_dev=disguise.classes_of(digits.Y_dev),
                             params=disguise.params_of(first_params(VERDICT, settings)),
                             settings=dataclasses.asdict(settings))

    plain = train(Disguise(np.arange(784), np.arange(10)))
    disguise = Disguise.draw(VERDICT)
    secret = train(disguise)
    assert (secret["steps"], secret["stopped"]) == (plain["steps"], plain["stopped"])
    assert (plain["steps"], plain["stopped"]) == (110, "end")
    assert [h["dev_accuracy"] for h in secret["history"]] == \
        [h["dev_accuracy"] for h in plain["history"]]
    for got, want in zip(secret["params"], disguise.params_of(list(plain["params"]))):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_solutions_score_in_real_digits(digits):
    """The worker trains on disguised classes; the verdict, predictions and confusion matrix
    are in digits, and match the grader's own network trained the same way."""
    settings = dataclasses.replace(SETTINGS, stop_at=None, epochs=3)
    with Worker(REPO / "solutions") as worker:
        result = run_training(worker, digits, VERDICT, settings)
    assert result.status == Status.PASSED and result.dev_accuracy >= 0.85, result.message
    own = network.predict(reference_params(digits, VERDICT, settings), digits.X_dev / 255.0)
    assert (result.predictions["dev"] == own).mean() >= 0.995
    assert np.trace(result.extra["confusion"]) == round(1000 * result.dev_accuracy)
    assert (result.steps, result.epochs) == (330, 3)


def test_each_run_has_its_own_secret_not_the_seed(digits):
    worker = FakeWorker()
    for _ in range(2):
        run_training(worker, digits, VERDICT)
    W1, b1, W2, b2 = first_params(VERDICT, SETTINGS)  # the seed's own, in real pixels and digits
    column = {W1[:, i].tobytes(): i for i in range(784)}
    found = []
    for request in worker.requests:
        assert set(request) == {"X", "Y", "X_dev", "Y_dev", "params", "settings"}
        sent = request["params"]
        pixels = np.array([column[c.tobytes()] for c in sent[0].T])
        labels = np.zeros(10, dtype=np.int64)
        labels[digits.Y_train] = request["Y"]
        assert sorted(pixels) == list(range(784)) and sorted(labels) == list(range(10))
        assert request["X"].dtype == request["X_dev"].dtype == np.uint8
        assert np.array_equal(request["X"], digits.X_train[pixels])
        assert np.array_equal(request["X_dev"], digits.X_dev[pixels])
        assert np.array_equal(request["Y"], labels[digits.Y_train])
        assert np.array_equal(request["Y_dev"], labels[digits.Y_dev])
        assert np.array_equal(sent[2][labels], W2) and np.array_equal(sent[3][labels], b2)
        assert np.array_equal(sent[1], b1) and request["settings"]["seed"] == SETTINGS.seed
        found.append((pixels, labels))
    (pixels_1, labels_1), (pixels_2, labels_2) = found
    # Same seed, other secrets (labels alike by chance: once in 3.6 million runs).
    assert not np.array_equal(pixels_1, pixels_2) and not np.array_equal(labels_1, labels_2)
    assert not np.array_equal(pixels_1, np.arange(784))


@pytest.mark.parametrize("layers", [(784, 10), (784, 10, 10), (784, 16, 12, 10)])
def test_any_depth_is_scored_in_real_digits(digits, layers):
    """Only W1 sees pixels and only the last layer sees labels: the untrained network the
    worker sends back predicts, in digits, what the grader's starts with."""
    verdict = dataclasses.replace(VERDICT, layers=layers)
    settings = dataclasses.replace(SETTINGS, init="uniform")  # no ties for argmax to break
    result = run_training(FakeWorker(untrained), digits, verdict, settings)
    start = network.as_params(*first_params(verdict, settings))
    assert np.array_equal(result.predictions["dev"],
                          network.predict(start, digits.X_dev / 255.0))
    assert np.array_equal(result.predictions["test"],
                          network.predict(start, digits.X_test / 255.0))


def _with_W1(dtype: Any, fill: Any = 0) -> Any:
    return lambda request: untrained(
        request, params=(np.full((10, 784), fill, dtype=dtype), *request["params"][1:]))


def _with(**changes: Any) -> Any:
    return lambda request: untrained(request, **changes)


@pytest.mark.parametrize("reply, said", [
    (lambda request: CallResult("ok", None), "instead of its results"),
    (lambda request: CallResult("ok", ["params"]), "instead of its results"),
    (_with(params=None), "4 parameters"),
    (_with(params=[np.zeros((10, 784))] * 4), "4 parameters"),
    (_with_W1(complex), "W1"),
    (_with_W1(object), "W1"),
    (_with_W1([("a", "f8")]), "W1"),
    (_with_W1(np.int64), "W1"),
    (_with_W1(bool), "W1"),
    (_with_W1(float, np.nan), "NaN"),
    (_with_W1(float, np.inf), "NaN"),
    (_with(epochs="many"), "epochs"),
    (_with(epochs=float("nan")), "epochs"),
    (_with(epochs=True), "epochs"),
    (_with(epochs=-1), "epochs"),
    (_with(epochs=10**100), "epochs"),
    (_with(steps=[1]), "steps"),
    (_with(steps=1.0), "steps"),
    (_with(steps=10**6), "steps"),
    (_with(stopped=None), "stopped"),
    (_with(stopped="nan:" + "x" * 10_000), "stopped"),
    (_with(history="long"), "history"),
    (_with(history=[1, "two", None]), "history"),
    (_with(history=[np.zeros(4)]), "history"),
    (_with(history=[{"step": "1", "epoch": 1, "loss": 2.3, "dev_accuracy": 0.1}]), "history"),
    (_with(history=[{"step": 1, "epoch": 1, "loss": float("nan"), "dev_accuracy": 0.1}]),
     "history"),
    (_with(history=[{"step": 10**400, "epoch": 1, "loss": 2.3, "dev_accuracy": 0.1}]),
     "history"),
    (_with(history=[{"step": 1, "epoch": 1, "loss": 2.3}]), "history"),
])
def test_a_forged_reply_is_one_clear_error(digits, reply, said):
    result = run_training(FakeWorker(reply), digits, VERDICT)
    assert result.status == Status.ERROR and said in result.message, result.message
    assert "\n" not in result.message and len(result.message) < 250
    assert result.dev_accuracy is None and not result.predictions


def test_an_honest_reply_is_not_taken_for_a_forged_one(digits):
    history = [{"step": np.int64(20), "epoch": 1, "loss": np.float64(2.3), "dev_accuracy": 0.1}]
    nan = lambda request: untrained(  # noqa: E731
        request, params=(np.full((10, 784), np.nan), *request["params"][1:]),
        history=history, steps=np.int64(21), epochs=1, stopped="nan:21")
    result = run_training(FakeWorker(nan), digits, VERDICT)
    assert result.status == Status.FAILED and "NaN or infinite at step 21" in result.message
    assert (result.steps, result.epochs, len(result.history)) == (21, 1, 1)
