"""Chapter 3, better optimisers and a wider network: real learner files (tests/corpus/chapter3/)
are told each of their bugs and their correct functions pass whatever the convention they
follow (deeplearning.ai's names, CS231n's per-array functions, the Adam paper's folded step,
updates in place), and the grader's loop trains 784-128-10 with the learner's adam_step."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SOLUTIONS, assert_each_bug_told, run_grader, summary
from grader.catalog import BY_NUMBER

CORPUS = Path(__file__).parent / "corpus" / "chapter3"
CHAPTER_3 = tuple(ex.name for ex in BY_NUMBER[3].exercises)
P, F, E = "passed", "failed", "error"


def _grade(submission: Path, tmp: Path, *extra: str, seed: int = 1):
    return run_grader(["--chapter", "3", "--submission", str(submission), "--json", "--seed",
                       str(seed), *extra], tmp)


# file -> (status of each exercise, fragments each one must be told)
FILES = {
    "dlai_copy_dicts.py": ({}, {}),
    "keras_like_comprehensions.py": ({}, {}),
    "cs231n_config_correct.py": ({}, {}),
    "saito_inplace_class.py": ({"weight_decay": F}, {"weight_decay": (
        "the biases' gradients get lam b too",)}),
    "mutating_weight_decay.py": ({"weight_decay": F}, {"weight_decay": (
        "changed its input grads['W1'] in place",)}),
    "dlai_averaged_momentum.py": ({"momentum_step": F, "adam_step": F}, {
        "momentum_step": ("the averaged form v = beta v + (1 - beta) g",),
        "adam_step": ("eps is inside the square root", "v for m, s for v")}),
    "dlai_dW_keys.py": (dict.fromkeys(CHAPTER_3, E), dict.fromkeys(
        CHAPTER_3, ("grads['W1'], not grads['dW1']",))),
    "cs231n_sutskever_velocity.py": ({"momentum_step": F, "adam_step": F}, {
        "momentum_step": ("v = beta v - alpha g, p = p + v (CS231n's)",),
        "adam_step": ("counts steps from 0",)}),
    "blog_adam_no_square.py": ({"momentum_step": F, "adam_step": F}, {
        "momentum_step": ("move by alpha times the gradient, not the velocity",),
        "adam_step": ("['b1'] has 6 non-finite element(s)",)}),
    "kaggle_no_bias_correction.py": (dict.fromkeys(CHAPTER_3, F), {
        "momentum_step": ("the velocity returned is the one given",),
        "adam_step": ("without bias correction",), "weight_decay": ("lam W / 2 is added",)}),
    "holberton_per_variable.py": ({"adam_step": F, "weight_decay": F}, {
        "adam_step": ("beta1 and beta2 are swapped",),
        "weight_decay": ("lam W is subtracted",)}),
}


def test_every_corpus_file_is_listed():
    assert sorted(p.name for p in CORPUS.glob("*.py")) == sorted(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_learner_file_is_told_each_of_its_bugs(tmp_path, name):
    statuses, fragments_of = FILES[name]
    run = _grade(CORPUS / name, tmp_path, "--no-train")
    assert_each_bug_told(run, CHAPTER_3, statuses, fragments_of)


@pytest.mark.parametrize("seed", [0, 2**32 - 1])
def test_the_solutions_pass_whatever_the_seed(tmp_path, seed):
    run = _grade(SOLUTIONS, tmp_path, "--no-train", seed=seed)
    assert run.returncode == 0, summary(run)
    assert run.json["score"] == run.json["max_score"] == BY_NUMBER[3].max_score


def test_the_papers_folded_adam_is_accepted(tmp_path, submission):
    folder = submission({"adam_step.py": """
        import numpy as np

        def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            rate = alpha * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            for k in params:
                m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
                v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
                params[k] = params[k] - rate * m[k] / (np.sqrt(v[k]) + eps)
            return params, m, v
        """})
    run = _grade(folder, tmp_path, "adam_step")
    assert run.exercise("adam_step")["status"] == P, summary(run)


def test_the_wider_network_trains_with_the_learners_adam(tmp_path):
    run = _grade(SOLUTIONS, tmp_path)
    assert run.returncode == 0, run.stderr
    training = run.json["training"]
    assert training["status"] == P and training["dev_accuracy"] >= BY_NUMBER[3].verdict.target
    assert training["steps"] > 1000


def test_an_adam_without_bias_correction_is_related_to_the_training(tmp_path, submission):
    folder = submission({"adam_step.py": (CORPUS.parent.parent.parent / "solutions" /
                                          "adam_step.py").read_text().replace(
        "m_hat = new_m[key] / (1 - beta1 ** t)", "m_hat = new_m[key]").replace(
        "v_hat = new_v[key] / (1 - beta2 ** t)", "v_hat = new_v[key]")})
    run = _grade(folder, tmp_path)
    training = run.json["training"]
    assert training["status"] in (P, F), training
    assert "adam_step fails its checks" in training["message"], training["message"]
    assert "without bias correction" in training["message"]


def test_a_chapter_without_a_full_batch_variant_says_so(tmp_path):
    run = run_grader(["--chapter", "3", "--full-batch", "--submission", str(SOLUTIONS)],
                     tmp_path)
    assert run.returncode == 2 and "trains only one way" in run.stderr
