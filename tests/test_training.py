"""Training the learner's own network: the verdict, its diagnosis, and the files it writes."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import NAMES, SOLUTIONS, run_grader

from grader import data as data_module
from grader.catalog import CHAPTERS, TrainingSettings
from grader.results import Status
from grader.training import Data, run_training
from grader.worker import Worker

VERDICT = CHAPTERS[0].verdict
MINI_BATCH, FULL_BATCH = VERDICT.settings, VERDICT.variants["full-batch"]
PASSED, FAILED, ERROR = Status.PASSED, Status.FAILED, Status.ERROR

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def digits(cache_dir) -> Data:
    old = os.environ.get("NN_GRADER_CACHE")
    os.environ["NN_GRADER_CACHE"] = str(cache_dir)
    try:
        return Data.load(data_module.TRAIN_CSV, data_module.TEST_CSV)
    finally:
        if old is None:
            del os.environ["NN_GRADER_CACHE"]
        else:
            os.environ["NN_GRADER_CACHE"] = old


def submission(tmp_path: Path, **files: str) -> Path:
    """A copy of solutions/ with some files replaced."""
    folder = tmp_path / "submission"
    shutil.copytree(REPO / "solutions", folder)
    for name, source in files.items():
        (folder / f"{name}.py").write_text(source)
    return folder


def train(folder: Path, digits: Data, base: TrainingSettings = MINI_BATCH, **settings) -> object:
    with Worker(folder) as worker:
        return run_training(worker, digits, VERDICT, dataclasses.replace(base, **settings))


def grade(*args: str, cache: Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", NN_GRADER_CACHE=str(cache))
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_solutions_reach_target(digits):
    result = train(REPO / "solutions", digits)
    assert result.status == PASSED
    assert result.dev_accuracy >= 0.85  # stopped early once safely past 0.80
    assert 0.80 <= result.test_accuracy <= 1.0
    assert 0 < result.steps <= 5 * 110 and result.epochs >= 1
    assert result.history and result.history[-1]["step"] == result.steps
    assert np.array(result.extra["confusion"]).sum() == 1000


def test_training_is_deterministic(digits):
    first, second = (train(REPO / "solutions", digits) for _ in range(2))
    assert (first.dev_accuracy, first.steps) == (second.dev_accuracy, second.steps)


def test_update_that_adds_the_gradient_is_diagnosed(tmp_path, digits):
    folder = submission(tmp_path, update_params=(
        "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
        "    return W1 + alpha * dW1, b1 + alpha * db1, W2 + alpha * dW2, b2 + alpha * db2\n"))
    result = train(folder, digits)
    assert result.status == FAILED
    assert result.dev_accuracy < 0.80
    assert "step" in result.message
    assert "adding the gradient" in result.message or "NaN" in result.message


def test_unstable_softmax_is_diagnosed(tmp_path, digits):
    # Without the max-shift, exp overflows once the scores grow; a large step makes them grow.
    folder = submission(tmp_path, softmax=(
        "import numpy as np\n\n"
        "def softmax(Z):\n"
        "    E = np.exp(Z)\n"
        "    return E / E.sum(axis=0, keepdims=True)\n"))
    result = train(folder, digits, alpha=50.0)
    assert result.status == FAILED
    assert "NaN or infinite at step" in result.message
    assert "softmax overflowing" in result.message


def test_network_that_never_learns_is_diagnosed(tmp_path, digits):
    folder = submission(tmp_path, update_params=(
        "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
        "    return W1, b1, W2, b2\n"))
    result = train(folder, digits)
    assert result.status == FAILED
    assert "stayed flat" in result.message
    assert result.steps == MINI_BATCH.epochs * 110  # it ran every epoch, no early stop


def test_training_error_is_reported(tmp_path, digits):
    folder = submission(tmp_path, forward_prop=(
        "def forward_prop(W1, b1, W2, b2, X):\n"
        "    raise RuntimeError('boom')\n"))
    result = train(folder, digits)
    assert result.status == ERROR
    assert "RuntimeError: boom" in result.message and "forward_prop.py, line 2" in result.message


def test_parameters_of_the_wrong_shape_are_refused(tmp_path, digits):
    folder = submission(tmp_path, update_params=(
        "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
        "    return W1 - alpha * dW1, (b1 - alpha * db1).ravel(), W2 - alpha * dW2, b2\n"))
    result = train(folder, digits)
    assert result.status in (ERROR, FAILED)
    assert "b1" in result.message or "raised" in result.message


def test_full_batch_matches_the_notebook_method(digits):
    result = train(REPO / "solutions", digits, FULL_BATCH, epochs=30)
    assert result.steps == 30 and result.epochs == 30
    assert result.extra["method"] == "full-batch"


def test_end_to_end_json(cache_dir):
    run = grade("--submission", "solutions", "--json", "--seed", "1", cache=cache_dir)
    assert run.returncode == 0, run.stderr
    training = json.loads(run.stdout)["training"]
    assert training["status"] == "passed" and training["dev_accuracy"] >= 0.80
    assert {"test_accuracy", "seconds", "epochs", "steps"} <= set(training)


def test_kaggle_predictions_written_and_never_overwritten(tmp_path, cache_dir):
    pixels, _ = data_module.load_pixels(data_module.TEST_CSV)
    test_csv = tmp_path / "test.csv"
    header = ",".join(f"pixel{i}" for i in range(784))
    np.savetxt(test_csv, pixels[:50], fmt="%d", delimiter=",", header=header, comments="")
    out = tmp_path / "preds.csv"
    args = ("--submission", str(REPO / "solutions"), "--test", str(test_csv), "--predictions",
            str(out))
    run = grade(*args, cache=cache_dir)
    assert run.returncode == 0, run.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "ImageId,Label" and len(lines) == 51
    assert lines[1].startswith("1,") and all(0 <= int(x.split(",")[1]) <= 9 for x in lines[1:])
    assert str(out) in run.stdout

    out.write_text("my own work\n")
    again = grade(*args, cache=cache_dir)
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert out.read_text() == "my own work\n"
    assert grade(*args, "--force", cache=cache_dir).returncode == 0
    assert out.read_text().startswith("ImageId,Label")


def test_bad_train_file_is_a_usage_error(tmp_path, cache_dir):
    bad = tmp_path / "train.csv"
    bad.write_text("label,pixel0\n3,abc\n")
    run = grade("--submission", "solutions", "--train", str(bad), cache=cache_dir)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and str(bad.name) in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_dead_relus_are_diagnosed(tmp_path, digits):
    folder = submission(tmp_path, update_params=(
        "def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):\n"
        "    return W1 - alpha * dW1, b1 - alpha * db1 - 10.0, W2 - alpha * dW2, b2 - alpha * db2\n"))
    result = train(folder, digits)
    assert result.status == FAILED
    assert "hidden units are dead" in result.message


def test_the_data_is_blamed_before_code_that_passes_its_checks(digits):
    """Labels that do not belong to their images: no network learns, so the code is not told
    to check its gradients."""
    shuffled = dataclasses.replace(digits, Y_train=np.random.default_rng(0).permutation(
        digits.Y_train))
    result = train(REPO / "solutions", shuffled)
    assert result.status == FAILED
    assert "the data is the problem, not your code" in result.message, result.message
    assert "gradients" not in result.message and "update_params" not in result.message


def test_a_training_error_blames_only_the_function_it_names(tmp_path):
    """forward_prop passes its checks but breaks on the 1,000 columns of the dev set;
    relu_deriv fails its own checks, yet has nothing to do with that error."""
    source = "\n".join((SOLUTIONS / f"{n}.py").read_text().split("\n\n\n", 1)[-1]
                       for n in NAMES)
    source = "import numpy as np\n\n" + source.replace(
        "    Z1 = W1 @ X + b1\n", "    if X.shape[1] > 500:\n"
                                 "        raise MemoryError('too many columns for my laptop')\n"
                                 "    Z1 = W1 @ X + b1\n").replace(
        "(Z > 0)", "(Z >= 0)")
    sub = tmp_path / "mine.py"
    sub.write_text(source)
    run = run_grader(["--submission", str(sub), "--json", "--seed", "0"], tmp_path / "t")
    assert run.statuses["forward_prop"] == "passed" and run.statuses["relu_deriv"] == "failed", \
        run.describe()
    message = run.json["training"]["message"]
    assert "in forward_prop: raise MemoryError" in message, message
    assert "relu_deriv" not in message, message
