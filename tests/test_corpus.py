"""Real learner code: files in the styles public repositories show (tests/corpus/), several bugs
at once, and single bugs that no table of the grader lists. Every bug must be named, no cause
may be wrong, correct idioms pass, statuses do not depend on the seed, and the network trains
whenever its functions run."""

from __future__ import annotations

import importlib.util
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import NAMES, SOLUTIONS, Prefetched, grade_json, mktemp, run_grader, selected_params

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Expect:
    statuses: dict[str, str]
    told: dict[str, tuple[str, ...]] = field(default_factory=dict)  # exercise -> fragments
    not_told: dict[str, tuple[str, ...]] = field(default_factory=dict)  # wrong causes
    notes: tuple[str, ...] = ()  # about the file as a whole
    training: tuple[str, ...] = ()  # its status, then fragments of its message


P, F, E = "passed", "failed", "error"
FILES = {
    "kaggle_notebook.py": Expect(
        dict(relu=P, relu_deriv=P, softmax=F, one_hot=F, forward_prop=P, backward_prop=E,
             update_params=P),
        told={"relu": ("defines ReLU, not relu",), "relu_deriv": ("defines ReLU_deriv",),
              "softmax": ("Subtract each column's max",), "one_hot": ("Y.max()+1 rows",
                                                                    "without num_classes"),
              "backward_prop": ("uses m, which nothing inside it defines", "m = X.shape[1]")},
        not_told={"softmax": ("axis=1",), "one_hot": ("transposed",)},
        # Its first line that fails: the CSV of the learner's machine, or without matplotlib
        # (the learner install), its import two lines before.
        notes=("kaggle_notebook.py, line 5 could not run here", "FileNotFoundError")
        if importlib.util.find_spec("matplotlib") else
        ("kaggle_notebook.py, line 3 could not run here", "No module named 'matplotlib'"),
        training=("skipped", "backward_prop is stopped by an error")),
    "global_m_constant.py": Expect(
        dict.fromkeys(NAMES, P) | {"backward_prop": F},
        told={"backward_prop": ("divided by 42000 instead of m", "db1 uses np.sum(dZ1)",
                                "db2 is a scalar")},
        not_told={"backward_prop": ("not divided by m", "W2.T"), "update_params": ("in place",)},
        training=("failed", "backward_prop fails its checks", "656 times too small")),
    "video_version.py": Expect(
        dict.fromkeys(NAMES, P) | {"softmax": F, "backward_prop": F},
        told={"relu_deriv": ("defines deriv_ReLU",), "softmax": ("Subtract each column's max",),
              "one_hot": ("without num_classes", "not asked: your one_hot takes no num_classes"),
              "backward_prop": ("defines back_prop", "without W1", "db1 uses np.sum(dZ1)",
                                "db2 is a scalar"),
              "update_params": ("learning_rate for alpha",)},
        not_told={"backward_prop": ("divided by", "W2.T")},
        training=("passed", "although softmax and backward_prop fail their checks")),
    "two_wrong_lines.py": Expect(
        dict.fromkeys(NAMES, F) | {"relu": P, "relu_deriv": P},
        told={"relu": ("x for Z",), "softmax": ("changed its input Z in place",),
              "one_hot": ("one_hot is transposed",),
              "forward_prop": ("Z2 uses Z1 where the formula has A1",
                               "A2 uses A1 where the formula has Z2"),
              "backward_prop": ("W2.T",), "update_params": ("b1 uses dW1",)},
        not_told={"softmax": ("overflow", "axis"), "backward_prop": ("divided by",)},
        training=("error", "one_hot")),
    # Staticmethods of a class, called as NN.softmax: checked with the reference in their place.
    "class_network.py": Expect(
        dict.fromkeys(NAMES, P) | {"softmax": F, "one_hot": F},
        told={"softmax": ("divides by the sum of all elements",),
              "one_hot": ("Y.max()+1 rows",), "relu": ("defines ReLU, not relu",)},
        training=("failed", "softmax and one_hot fail their checks")),
    "almost_right.py": Expect(
        dict.fromkeys(NAMES, P),
        told={"backward_prop": ("m given as X.shape[1]",)},
        training=("passed",)),
}


def _everything_said(run, name: str) -> str:
    ex = run.exercise(name)
    return "\n".join([ex["message"], ex["diagnosis"], ex["note"]]
                     + [c["message"] for c in ex["checks"]])


@pytest.fixture(scope="module")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """graded((file, seed, train)) -> Run; the selected ones are graded in parallel."""

    def job(key):
        file, seed, train = key
        root = mktemp(tmp_path_factory, file.replace(".", "_"))
        args = ["--submission", str(CORPUS / file), "--json", "--seed", str(seed)]
        return run_grader(args + ([] if train else ["--no-train"]), root)

    keys = [(f, s, s == 0) for f in selected_params(request, "file") for s in (0, 1)]
    return Prefetched(keys, job).__getitem__


@pytest.mark.parametrize("file", list(FILES))
def test_learner_file(graded, file):
    expect = FILES[file]
    run = graded((file, 0, True))
    assert run.statuses == expect.statuses, run.describe()
    for name, fragments in expect.told.items():
        said = _everything_said(run, name)
        for fragment in fragments:
            assert fragment in said, f"{name} is not told {fragment!r}:\n{said}"
    for name, fragments in expect.not_told.items():
        diagnosis = run.exercise(name)["diagnosis"]
        for fragment in fragments:
            assert fragment not in diagnosis, f"{name} is wrongly told {fragment!r}: {diagnosis}"
    notes = "\n".join(run.json["notes"])
    for fragment in expect.notes:
        assert fragment in notes, notes
    training = run.json["training"]
    assert training["status"] == expect.training[0], training
    for fragment in expect.training[1:]:
        assert fragment in training["message"], training["message"]


@pytest.mark.parametrize("file", list(FILES))
def test_statuses_do_not_depend_on_the_seed(graded, file):
    assert graded((file, 1, False)).statuses == graded((file, 0, True)).statuses


# --------------------------------------------------------------------------- single bugs

# (exercise, the solution's text, the bug, what the learner must be told). None of these is in
# a hand-written table: the edit search over each exercise's formula names them.
SINGLE_BUGS = {
    "z1_for_a1": ("forward_prop", "Z2 = W2 @ A1 + b2", "Z2 = W2 @ Z1 + b2",
                  "Z2 uses Z1 where the formula has A1"),
    "softmax_of_a1": ("forward_prop", "softmax(Z2)", "softmax(A1)", "A2 uses A1"),
    "a2_for_a1_in_dw2": ("backward_prop", "dW2 = dZ2 @ A1.T / m", "dW2 = dZ2 @ A2.T / m",
                         "dW2 uses A2 where the formula has A1"),
    "relu_deriv_of_z2": ("backward_prop", "relu_deriv(Z1)", "relu_deriv(Z2)", "dZ1 uses Z2"),
    "dw1_from_dz2": ("backward_prop", "dW1 = dZ1 @ X.T / m", "dW1 = dZ2 @ X.T / m",
                     "dW1 uses dZ2 where the formula has dZ1"),
    "dw2_transposed": ("backward_prop", "dW2 = dZ2 @ A1.T / m", "dW2 = (dZ2 @ A1.T / m).T",
                       "dW2 is transposed"),
    "b1_with_dw1": ("update_params", "b1 - alpha * db1", "b1 - alpha * dW1", "b1 uses dW1"),
    "leaky_relu": ("relu", "np.maximum(Z, 0)", "np.where(Z > 0, Z, 0.01 * Z)", "leaky_relu(Z)"),
    "sigmoid_for_relu": ("relu", "np.maximum(Z, 0)", "1 / (1 + np.exp(-Z))", "sigmoid(Z)"),
    "tanh_hidden": ("forward_prop", "A1 = relu(Z1)", "A1 = np.tanh(Z1)", "A1 uses np.tanh(Z1)"),
    "python_max": ("relu", "np.maximum(Z, 0)", "max(0, Z)", "Python's max"),
    "relu_deriv_ones": ("relu_deriv", "(Z > 0).astype(Z.dtype)", "np.ones_like(Z)",
                        "1.0 everywhere"),
    "softmax_axis1_no_keepdims": ("softmax", "E / E.sum(axis=0, keepdims=True)",
                                  "E / E.sum(axis=1)", "np.sum(E, axis=1)"),
    "dot_x_w1": ("forward_prop", "W1 @ X + b1", "np.dot(X, W1) + b1", "Z1 uses X @ W1"),
    "db1_without_m": ("backward_prop", "db1 = dZ1.sum(axis=1, keepdims=True) / m",
                      "db1 = dZ1.sum(axis=1, keepdims=True)", "db1 is not divided by m"),
    "m_twice": ("backward_prop", "dZ2 = A2 - one_hot(Y)", "dZ2 = (A2 - one_hot(Y)) / m",
                "divided by m twice"),
    "db2_over_axis0": ("backward_prop", "db2 = dZ2.sum(axis=1, keepdims=True) / m",
                       "db2 = dZ2.sum(axis=0, keepdims=True) / m", "db2 uses np.sum(dZ2, axis=0"),
    "update_adds_w1": ("update_params", "W1 - alpha * dW1", "W1 + alpha * dW1",
                       "W1 uses W1 + alpha * dW1"),
    "softmax_whole_sum": ("softmax", "E / E.sum(axis=0, keepdims=True)", "E / E.sum()",
                          "softmax uses np.sum(E"),
    "relu_deriv_at_zero": ("relu_deriv", "(Z > 0)", "(Z >= 0)", "Z >= 0"),
    "b2_after_softmax": ("forward_prop", "A2 = softmax(Z2)", "A2 = softmax(W2 @ A1) + b2",
                         "b2 is added after softmax"),
    # shape errors: the edit that raises the same error, with the same shapes, in the same line
    "dw1_dot_x": ("backward_prop", "dW1 = dZ1 @ X.T / m", "dW1 = 1 / m * dZ1.dot(X)",
                  "dW1 uses X where the formula has X.T"),
    "dw2_dot_a1": ("backward_prop", "dW2 = dZ2 @ A1.T / m", "dW2 = 1 / m * dZ2.dot(A1)",
                   "dW2 uses A1 where the formula has A1.T"),
    "z1_with_x_transposed": ("forward_prop", "W1 @ X + b1", "W1.dot(X.T) + b1",
                             "Z1 uses X.T where the formula has X"),
    "dw1_transposed_in_update": ("update_params", "W1 = W1 - alpha * dW1",
                                 "W1 = W1 - alpha * dW1.T", "W1 uses dW1.T"),
    "relu_deriv_of_z1_transposed": ("backward_prop", "relu_deriv(Z1)", "relu_deriv(Z1.T)",
                                    "dZ1 uses Z1.T"),
}


@pytest.fixture(scope="module")
def single(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    def job(bug):
        exercise, old, new, _ = SINGLE_BUGS[bug]
        root = mktemp(tmp_path_factory, bug)
        folder = root / "sub"
        shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
        file = folder / f"{exercise}.py"
        source = file.read_text()
        assert old in source, (bug, old)
        file.write_text(("import numpy as np\n" if "np." in new else "")
                        + source.replace(old, new, 1))
        return grade_json(folder, root / "tmp", exercise, seed=3)

    return Prefetched(selected_params(request, "bug"), job).__getitem__


@pytest.mark.parametrize("bug", list(SINGLE_BUGS))
def test_a_single_bug_nobody_listed_is_named(single, bug):
    exercise, _, _, told = SINGLE_BUGS[bug]
    run = single(bug)
    ex = run.exercise(exercise)
    assert ex["status"] in ("failed", "error"), run.describe()
    assert told in ex["diagnosis"], f"{bug}: {ex['diagnosis'] or ex['message']}"
    assert ex["diagnosis"].count(" uses ") <= 1, ex["diagnosis"]  # that one, and nothing else


def test_a_shape_error_that_no_edit_makes_is_given_no_cause(grade, submission):
    """np.max(Z1, 0) for np.maximum: A1 loses a dimension, and Z2's product fails. No edit of
    the formula raises that very error, so no cause is guessed."""
    source = (SOLUTIONS / "forward_prop.py").read_text().replace("A1 = relu(Z1)",
                                                                 "A1 = np.max(Z1, 0)")
    run = grade(submission({"forward_prop.py": "import numpy as np\n" + source}), "forward_prop")
    ex = run.exercise("forward_prop")
    assert ex["status"] == "error" and ex["diagnosis"] == "", ex


# --------------------------------------------------------------------------- reporting

def test_global_m_does_not_hide_another_bug(grade, submission):
    sub = submission({"backward_prop.py": """
        import numpy as np
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        m = 42000

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            dZ2 = A2 - one_hot(Y)
            dW2 = 1 / m * dZ2.dot(A1.T)
            db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
            dZ1 = W2.dot(dZ2) * relu_deriv(Z1)
            dW1 = 1 / m * dZ1.dot(X.T)
            db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
            return dW1, db1, dW2, db2
        """})
    diagnosis = grade(sub, "backward_prop").exercise("backward_prop")["diagnosis"]
    assert "divided by 42000 instead of m" in diagnosis and "W2.T" in diagnosis, diagnosis


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5", "many"])
def test_a_seed_outside_numpys_range_is_a_usage_error(cli, seed):
    run = cli("--submission", str(SOLUTIONS), "--no-train", "--seed", seed)
    assert run.returncode == 2 and "0 to 2**32 - 1" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_a_file_that_does_not_parse_is_one_panel_and_the_next_step(cli, tmp_path):
    mine = tmp_path / "mine.py"
    mine.write_text("import numpy as np\n\n\ndef relu(Z):\n    return np.maximum(Z, 0)\n\n\n"
                    "def softmax(Z)\n    return Z\n")
    run = cli("--submission", str(mine), "--no-train")
    assert run.returncode == 1
    assert run.stdout.count("could not be loaded") == 1, run.stdout  # one panel, not seven
    assert re.search(r"\|\s+def softmax\(Z\)\s+\|\n\|\s+\^\s+\|", run.stdout), run.stdout
    assert f"Next: fix line 8 of {mine}" in run.stdout, run.stdout


def test_numpy_warnings_name_the_learners_line(grade, submission):
    sub = submission({"softmax.py": """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z)
            return E / E.sum(axis=0, keepdims=True)
        """})
    ex = grade(sub, "softmax").exercise("softmax")
    assert "softmax.py, line 4: RuntimeWarning: overflow encountered in exp" in ex["warnings"], ex
    assert "nn-grader-" not in str(ex)  # no temporary path of the grader's


def test_a_function_under_a_name_nobody_uses_is_named(grade, submission):
    sub = submission({"relu.py": """
        import numpy as np

        def my_relu(Z):
            return np.maximum(Z, 0)
        """})
    ex = grade(sub, "relu").exercise("relu")
    assert ex["status"] == "not_started" and "relu.py defines my_relu, not relu" in ex["note"], ex
