"""Chapter 5, a small ConvNet: learner files in the styles of public repositories
(tests/corpus/chapter5/, see MANIFEST.md there) are told each of their bugs and pass with every
correct idiom (loops, stride tricks, einsum, sliding_window_view); the speed lesson; the
grader's loop trains the ConvNet built from the learner's functions; training that runs out of
time stops and is scored; a network not trained from the grader's start earns no pass."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest

from conftest import SOLUTIONS, assert_each_bug_told, run_grader, summary
from grader import convnet, trainer
from grader.catalog import BY_NUMBER
from grader.training import TRACE, first_params, param_shapes, trace_of_start

CORPUS = Path(__file__).parent / "corpus" / "chapter5"
CHAPTER = BY_NUMBER[5]
CHAPTER_5 = tuple(ex.name for ex in CHAPTER.exercises)
P, F, E = "passed", "failed", "error"


def _grade(submission: Path, tmp: Path, *extra: str, seed: int = 1, timeout: float = 120.0):
    return run_grader(["--chapter", "5", "--submission", str(submission), "--json", "--seed",
                       str(seed), *extra], tmp, timeout=timeout)


# file -> (status of each exercise that does not pass, fragments each one must be told)
FILES = {
    "loops.py": ({}, {"conv_forward": ["vectorise it", "loop over the output pixels"]}),
    "stride_tricks.py": ({}, {}),
    "einsum.py": ({}, {}),
    "sliding_window.py": ({}, {}),
    "cs231n_style.py": ({}, {}),  # CS231n's im2col_indices beside im2col is its own helper
    "flipped_kernel.py": ({"conv_forward": F}, {"conv_forward": ["the filters are flipped"]}),
    # conv_forward is right: its speed lesson, with the file's own im2col, only says so.
    "one_sided_pad_and_db.py": ({"im2col": F, "conv_backward": F}, {
        "im2col": ["on one side only"], "conv_backward": ["wrong axes"],
        "conv_forward": ["could not be timed with your own functions"]}),
    "crop_minus_zero.py": ({"conv_backward": F, "maxpool_backward": F}, {
        "conv_backward": ["-0 is 0"], "maxpool_backward": ["every maximum of a window"]}),
    "stride_backward.py": ({"conv_backward": F, "maxpool_forward": F}, {
        "conv_backward": ["the stride is ignored", "dW is right"],
        "maxpool_forward": ["each window is averaged"]}),
    "reshape_no_transpose.py": ({"im2col": F, "conv_forward": F}, {
        "im2col": ["order (i, j, c)"], "conv_forward": ["reshaped straight"]}),
    "mask_reused.py": ({"conv_backward": F, "maxpool_backward": F}, {
        "conv_backward": ["divided by m"], "maxpool_backward": ["the mask of the first window"]}),
    "several_bugs.py": ({"im2col": F, "conv_forward": F, "maxpool_backward": F}, {
        "im2col": ["order (i, j, c)"], "conv_forward": ["the filters are flipped"],
        "maxpool_backward": ["every maximum of a window"]}),
}


def test_every_corpus_file_is_listed():
    assert sorted(p.name for p in CORPUS.glob("*.py")) == sorted(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_learner_file_is_told_each_of_its_bugs(tmp_path, name):
    statuses, fragments_of = FILES[name]
    run = run_grader([*CHAPTER_5, "--submission", str(CORPUS / name), "--json", "--seed", "1"],
                     tmp_path)
    assert_each_bug_told(run, CHAPTER_5, statuses, fragments_of)


@pytest.mark.parametrize("seed", [0, 2**32 - 1])
def test_the_solutions_pass_whatever_the_seed(tmp_path, seed):
    run = _grade(SOLUTIONS, tmp_path, "--no-train", seed=seed)
    assert run.returncode == 0, summary(run)
    assert run.json["score"] == run.json["max_score"] == CHAPTER.max_score
    speed = [c["message"] for c in run.exercise("conv_forward")["checks"] if "loop" in c["name"]]
    assert speed and "x faster" in speed[0] and "ms" in speed[0], speed


def test_the_convnet_trains_with_the_learners_functions(tmp_path):
    run = _grade(SOLUTIONS, tmp_path, seed=0, timeout=240)
    assert run.returncode == 0, run.stderr
    training = run.json["training"]
    assert training["status"] == P, training["message"]
    assert training["dev_accuracy"] >= CHAPTER.verdict.target + 0.004, training
    assert training["seconds"] < CHAPTER.verdict.settings.seconds, training


def test_training_that_runs_out_of_time_stops_and_is_scored():
    """With no time at all, the worker's loop stops after its first step and says so."""
    settings = replace(CHAPTER.verdict.settings, seconds=0.0, epochs=1)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (784, 200)).astype(np.uint8)
    Y = rng.integers(0, 10, 200)
    functions = {"conv_forward": convnet.conv_forward, "conv_backward": convnet.conv_backward,
                 "maxpool_forward": convnet.maxpool_forward,
                 "maxpool_backward": convnet.maxpool_backward,
                 "relu": lambda Z: np.maximum(Z, 0), "relu_deriv": lambda Z: (Z > 0) * 1.0,
                 "softmax": lambda Z: np.exp(Z - Z.max(0)) / np.exp(Z - Z.max(0)).sum(0),
                 "adam_step": lambda p, g, m, v, t, alpha: (
                     {k: p[k] - alpha * g[k] for k in p}, m, v)}
    out = trainer.train(functions, X=X, Y=Y, X_dev=X[:, :50], Y_dev=Y[:50],
                        params=first_params(CHAPTER.verdict, settings), settings=asdict(settings))
    assert out["stopped"] == "time:1" and out["steps"] == 1


def test_a_network_not_trained_from_the_start_is_told():
    verdict = CHAPTER.verdict
    start = first_params(verdict, verdict.settings)
    names = list(param_shapes(verdict))
    rng = np.random.default_rng(5)
    # Honest training moves each weight but keeps it near its start.
    moved = {n: p * 1.5 + rng.normal(0, 1.5 * p.std() + 1e-3, p.shape)
             for n, p in zip(names, start)}
    assert trace_of_start(moved, start) is None
    pasted = {n: rng.normal(0, p.std() + 1e-3, p.shape) for n, p in zip(names, start)}
    said = trace_of_start(pasted, start)
    assert said and "cosine" in said and str(TRACE) in said, said


def test_a_copy_of_the_graders_convolution_is_flagged():
    """The student copy ships grader/convnet.py: a conv_forward copied from it is the grader's
    reference to the similarity column, however it is renamed and laid out."""
    import inspect
    import re

    from grader import similarity
    from grader.locate import functions

    source = re.sub(r"\bwin\b", "patches", inspect.getsource(convnet.conv_forward))
    mark = similarity.fingerprint(functions(source)["conv_forward"])
    assert similarity.known(CHAPTER)["conv_forward"].get(mark) == "the grader's reference"
