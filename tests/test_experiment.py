"""`python -m grader experiment`: the learner's own network trained with the learner's
settings, its curve and accuracy, and its hidden units seen as images."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SOLUTIONS, make_submission, run_grader

from grader import data as data_module
from grader.catalog import CHAPTERS
from grader.training import Data, Disguise, first_params, run_training
from grader.worker import Worker

VERDICT = CHAPTERS[0].verdict


def test_an_experiment_trains_the_learners_network_the_way_asked(tmp_path):
    run = run_grader(["experiment", "--submission", str(SOLUTIONS), "--hidden", "16",
                      "--epochs", "3", "--alpha", "0.1"], tmp_path)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "784 -> 16 ReLU -> 10 softmax" in out and "alpha 0.1, 3 epochs of batches of 64" in out
    assert "Learning curve" in out and "Dev accuracy 0." in out and "test accuracy 0." in out
    assert "What each hidden unit looks for" in out and "unit 16" in out and "unit 17" not in out


def test_an_experiment_with_failing_functions_says_so_and_still_trains(tmp_path):
    wrong = (SOLUTIONS / "update_params.py").read_text().replace("W1 - alpha * dW1",
                                                                 "W1 + alpha * dW1")
    sub = make_submission(tmp_path / "sub", {"update_params.py": wrong})
    run = run_grader(["experiment", "--submission", str(sub), "--epochs", "1"], tmp_path / "t")
    assert "update_params fails its checks" in run.stdout, run.stdout + run.stderr


@pytest.mark.parametrize("args, said", [
    (["--hidden", "0"], "is not between 0 and 1024"),
    (["--alpha", "fast"], "is not a number"),
    (["--full-batch", "--batch-size", "32"], "not allowed with argument"),
])
def test_experiment_usage_errors_are_one_sentence(tmp_path, args, said):
    run = run_grader(["experiment", *args], tmp_path)
    assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_the_trained_first_layer_comes_back_in_the_images_own_pixel_order():
    """Pixels that are 0 in every training image never move their weights: in the real order,
    exactly those columns of W1 are still the first parameters'."""
    data = Data.load(data_module.TRAIN_CSV, data_module.TEST_CSV)
    with Worker(SOLUTIONS) as worker:
        result = run_training(worker, data, VERDICT)
    start = first_params(VERDICT, VERDICT.settings)[0]
    blank = (data.X_train == 0).all(axis=1)
    moved = ~np.isclose(result.params["W1"], start).all(axis=0)
    assert blank.sum() > 30 and not moved[blank].any() and moved[~blank].mean() > 0.9


def test_real_params_undoes_the_disguise():
    rng = np.random.default_rng(1)
    params = {"W1": rng.normal(size=(10, 784)), "b1": rng.normal(size=(10, 1)),
              "W2": rng.normal(size=(10, 10)), "b2": rng.normal(size=(10, 1))}
    disguise = Disguise.draw(VERDICT)
    sent = dict(zip(params, disguise.params_of(list(params.values()))))
    back = disguise.real_params(sent)
    assert all(np.array_equal(back[k], params[k]) for k in params)


def test_figures_of_an_experiment_can_be_drawn_again_but_never_over_the_learners(tmp_path):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "figs"
    args = ["experiment", "--submission", str(SOLUTIONS), "--epochs", "1", "--figures",
            str(folder)]
    for _ in range(2):
        run = run_grader(args, tmp_path / "t")
        assert run.returncode == 0 and "wrote" in run.stdout and "hidden_units.png" in run.stdout, \
            run.stderr
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "hidden_units.png").write_bytes(b"my own drawing")
    run = run_grader([*args[:-1], str(mine)], tmp_path / "t2")
    assert run.returncode == 2 and "already exists; pass --force" in run.stderr
    assert (mine / "hidden_units.png").read_bytes() == b"my own drawing"


def test_once_everything_passes_the_report_points_to_the_next_chapter_then_experiments(tmp_path):
    run = run_grader(["--submission", str(SOLUTIONS)], tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Well done! Next: chapter 2, train it yourself: python -m grader --chapter 2" in \
        " ".join(run.stdout.split()), run.stdout
    last = CHAPTERS[-1]
    run = run_grader(["--chapter", str(last.number), "--submission", str(SOLUTIONS)], tmp_path)
    assert run.returncode == 0, run.stderr
    assert (f"Well done! That was the last chapter. Next: python -m grader --chapter "
            f"{last.number} --figures DIR draws what your network learnt, and python -m grader "
            "experiment --help") in " ".join(run.stdout.split()), run.stdout


def test_compare_trains_the_same_network_with_each_optimiser(tmp_path, submission):
    run = run_grader(["experiment", "--compare", "--submission", str(SOLUTIONS), "--epochs", "2"],
                     tmp_path / "t1")
    assert run.returncode == 0, run.stderr
    out = " ".join(run.stdout.split())
    for words in ("SGD", "momentum (beta 0.9)", "Adam"):
        assert words in out
    assert "training with your momentum_step, alpha 0.01" in out
    final = next(line for line in run.stdout.splitlines() if line.strip().startswith("final"))
    assert all(float(a) > 0.7 for a in final.split()[1:]), final
    # An optimiser not written yet is said, and the others still train.
    folder = submission({"momentum_step.py": "def momentum_step(params, grads, velocity, alpha, "
                                             "beta=0.9):\n    raise NotImplementedError()\n"})
    run = run_grader(["experiment", "--compare", "--submission", str(folder), "--epochs", "1"],
                     tmp_path / "t2")
    assert run.returncode == 0, run.stderr
    assert "momentum (beta 0.9): not trained, momentum_step is not started" in \
        " ".join(run.stdout.split())


def test_compare_draws_the_curves(tmp_path):
    pytest.importorskip("matplotlib")
    run = run_grader(["experiment", "--compare", "--submission", str(SOLUTIONS), "--epochs", "1",
                      "--figures", str(tmp_path / "figs")], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "figs" / "optimisers.png").read_bytes()[:4] == b"\x89PNG"
