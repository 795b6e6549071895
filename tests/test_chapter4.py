"""Chapter 4, deeper networks, dropout and gradient checking: real learner files
(tests/corpus/chapter4/) are told each of their bugs, their correct functions pass whatever the
convention they follow (deeplearning.ai's helpers and dW keys, CS231n's f(x) and scaled mask,
flat views, A > 0 for the derivative), and the grader's loop trains 784-128-64-10 with the
learner's forward_deep, backward_deep and adam_step."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SOLUTIONS, assert_each_bug_told, run_grader, summary
from grader.catalog import BY_NUMBER
from grader.chapter4.numerical_gradient import CAUSES

CORPUS = Path(__file__).parent / "corpus" / "chapter4"
CHAPTER_4 = tuple(ex.name for ex in BY_NUMBER[4].exercises)
P, F, N = "passed", "failed", "not_started"


def _grade(submission: Path, tmp: Path, *extra: str, seed: int = 1):
    return run_grader(["--chapter", "4", "--submission", str(submission), "--json", "--seed",
                       str(seed), *extra], tmp)


# file -> (status of each exercise, fragments each one must be told)
FILES = {
    "textbook_deriv_on_A.py": ({}, {}),
    "dlai_helpers_dW_keys.py": ({"dropout": N, "numerical_gradient": N}, {
        "forward_deep": ("defines L_model_forward", "in another order"),
        "backward_deep": ("defines L_model_backward",)}),
    "cs231n_numerical_nditer.py": ({"forward_deep": N, "backward_deep": N, "dropout": F}, {
        "numerical_gradient": ("defines eval_numerical_gradient",),
        "dropout": ("drawn with np.random instead of the rng given",)}),
    "blog_off_by_one_layers.py": ({"forward_deep": F, "backward_deep": F, "dropout": N,
                                   "numerical_gradient": N}, {
        "forward_deep": ("the last layer gets ReLU before its softmax",
                         "the softmax overflows"),
        "backward_deep": ("could not be judged", "forward_deep is wrong")}),
    "forum_m_twice_no_restore.py": ({"backward_deep": F, "dropout": N,
                                     "numerical_gradient": F}, {
        "backward_deep": ("divided by m twice", "layer 2 is the first that is off"),
        "numerical_gradient": ("x is not restored after each element",
                               "the 3rd time f was called")}),
    "kaggle_flipped_dropout_one_sided.py": ({"forward_deep": N, "backward_deep": N,
                                             "dropout": F, "numerical_gradient": F}, {
        "dropout": ("not divided by keep_prob", "probability of dropping a unit"),
        "numerical_gradient": ("one-sided differences",)}),
    "saito_fixed_step_no_h.py": ({"forward_deep": N, "backward_deep": N, "dropout": N,
                                  "numerical_gradient": F}, {
        "numerical_gradient": ("without h", "use the h passed in")}),
    "forum_L_in_params_dA_kept.py": ({"forward_deep": F, "dropout": N,
                                      "numerical_gradient": N}, {
        "forward_deep": ("changed the keys of its input params",)}),
    "medium_db_no_keepdims.py": ({"backward_deep": F, "dropout": F, "numerical_gradient": F}, {
        "backward_deep": ("grads['b1'] should have shape (17, 1)", "keepdims=True"),
        "dropout": ("multiplied by keep_prob",),
        "numerical_gradient": ("another step than h", "moved by 0.0001, where h = 0.001")}),
}


def test_every_corpus_file_is_listed():
    assert sorted(p.name for p in CORPUS.glob("*.py")) == sorted(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_learner_file_is_told_each_of_its_bugs(tmp_path, name):
    statuses, fragments_of = FILES[name]
    run = _grade(CORPUS / name, tmp_path, "--no-train")
    assert_each_bug_told(run, CHAPTER_4, statuses, fragments_of)


@pytest.mark.parametrize("seed", [0, 2**32 - 1])
def test_the_solutions_pass_whatever_the_seed(tmp_path, seed):
    run = _grade(SOLUTIONS, tmp_path, "--no-train", seed=seed)
    assert run.returncode == 0, summary(run)
    assert run.json["score"] == run.json["max_score"] == BY_NUMBER[4].max_score


def test_the_deep_network_trains_with_the_learners_functions(tmp_path):
    run = _grade(SOLUTIONS, tmp_path)
    assert run.returncode == 0, run.stderr
    training = run.json["training"]
    assert training["status"] == P and training["dev_accuracy"] >= BY_NUMBER[4].verdict.target
    assert training["steps"] > 2000


def test_a_dlai_network_with_dW_keys_trains(tmp_path, submission):
    """Gradients keyed dW1, db1 (with dA1 beside them) train as well as W1, b1."""
    folder = submission({"network.py": (CORPUS / "dlai_helpers_dW_keys.py").read_text() + (
        SOLUTIONS / "adam_step.py").read_text()}, base=None)
    run = _grade(folder / "network.py", tmp_path)
    training = run.json["training"]
    assert training["status"] == P, training


def test_training_stops_with_the_name_of_an_unwritten_helper(tmp_path, submission):
    """forward_deep calls relu, still a stub: training says so instead of a traceback."""
    folder = submission({"relu.py": "def relu(Z):\n    raise NotImplementedError\n"})
    run = _grade(folder, tmp_path)
    training = run.json["training"]
    assert training["status"] == "skipped" and "relu" in training["message"], training


NUMERICAL = """import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
{body}
    return grad
"""
CENTRAL = """        x[i] = old + h
        up = f()
        x[i] = old - h
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * h)"""
NUMERICAL_BUGS = {
    "never_called": "        grad[i] = 0.0",
    "copy_changed": CENTRAL.replace("x[i] = old + h", "y = x.copy(); y[i] = old + h").replace(
        "x[i] = old - h", "y[i] = old - h"),
    "not_restored": CENTRAL.replace("        x[i] = old\n", ""),
    "step_ignored": CENTRAL.replace("h", "1e-5"),
    "one_sided": CENTRAL.replace("x[i] = old - h", "x[i] = old").replace("(2 * h)", "h"),
}


@pytest.mark.parametrize("cause", sorted(NUMERICAL_BUGS))
def test_what_the_evaluations_of_f_show_is_named(tmp_path, submission, cause):
    folder = submission({"numerical_gradient.py": NUMERICAL.format(
        body=NUMERICAL_BUGS[cause])})
    run = _grade(folder, tmp_path, "numerical_gradient")
    assert run.exercise("numerical_gradient")["status"] == F, summary(run)
    assert CAUSES[cause] in run.exercise("numerical_gradient")["diagnosis"], summary(run)


def test_a_default_step_too_large_is_named(tmp_path, submission):
    """A default of 1e-4 still gives the gradient to 1e-6 and passes; 1e-2 does not."""
    source = NUMERICAL.format(body=CENTRAL).replace("h=1e-5", "h=1e-2")
    run = _grade(submission({"numerical_gradient.py": source}), tmp_path, "numerical_gradient")
    assert CAUSES["default_step"] in run.exercise("numerical_gradient")["diagnosis"], summary(run)


def test_a_gradient_check_that_passes_copies_to_f_is_accepted(tmp_path, submission):
    """f(x_plus) with a changed copy is CS231n's other idiom: f given an array evaluates it."""
    body = """        plus, minus = x.copy(), x.copy()
        plus[i], minus[i] = old + h, old - h
        grad[i] = (f(plus) - f(minus)) / (2 * h)"""
    run = _grade(submission({"numerical_gradient.py": NUMERICAL.format(body=body)}), tmp_path,
                 "numerical_gradient")
    assert run.exercise("numerical_gradient")["status"] == P, summary(run)


def test_a_loop_over_len_params_layers_is_told_to_halve_it(tmp_path, submission):
    source = (SOLUTIONS / "forward_deep.py").read_text().replace("len(params) // 2",
                                                                  "len(params)")
    run = _grade(submission({"forward_deep.py": source}), tmp_path, "forward_deep")
    assert run.exercise("forward_deep")["status"] == "error", summary(run)
    assert "L = len(params) // 2" in run.exercise("forward_deep")["diagnosis"], summary(run)
