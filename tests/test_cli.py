"""The command line (CONTRACT.md section 3): usage errors, --json, naming exercises, hint."""

from __future__ import annotations

import json
import re

import pytest

from conftest import (MAX_SCORE, EXERCISES, NAMES, REPO, SOLUTIONS, make_submission, run_grader,
                      write_file)


def assert_usage_error(run, *mentions: str) -> None:
    """Exit 2, one plain sentence on stderr naming the problem, nothing on stdout."""
    assert run.returncode == 2, f"exit {run.returncode}\n{run.stdout[:500]}\n{run.stderr[-1500:]}"
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{run.stderr}"
    for mention in mentions:
        assert mention in lines[0], f"{mention!r} not in {lines[0]!r}"
    assert run.stdout.strip() == "", run.stdout


# --------------------------------------------------------------------------- usage errors

def test_unknown_exercise(cli):
    run = cli("relux", "--submission", str(SOLUTIONS), "--no-train", "--json")
    assert_usage_error(run, "relux")


def test_unknown_exercise_among_known_ones(cli):
    run = cli("relu", "gradients", "--submission", str(SOLUTIONS), "--json")
    assert_usage_error(run, "gradients")


def test_missing_submission_path(cli, tmp_path):
    missing = tmp_path / "nowhere" / "my_code.py"
    run = cli("--submission", str(missing), "--no-train", "--json")
    assert_usage_error(run, "my_code.py")


def test_txt_submission(cli, tmp_path):
    txt = write_file(tmp_path / "answers.txt", "def relu(Z):\n    return Z\n")
    run = cli("--submission", str(txt), "--no-train", "--json")
    assert_usage_error(run, "answers.txt")


def test_folder_without_python_files(cli, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.md").write_text("nothing here\n")
    run = cli("--submission", str(folder), "--no-train", "--json")
    assert_usage_error(run, "empty")


@pytest.mark.parametrize("value", ["0", "-1", "0.0", "abc", "nan"])
def test_bad_timeout(cli, value):
    run = cli("relu", "--submission", str(SOLUTIONS), "--json", f"--timeout={value}")
    assert_usage_error(run, "timeout")


SLOW_RELU = """
import time
import numpy as np


def relu(Z):
    time.sleep(0.05)  # the grader has to wait for the reply
    return np.maximum(Z, 0)
"""


@pytest.mark.parametrize("value", ["inf", "1e300"])
def test_huge_timeout_is_refused_or_works(cli, tmp_path, value):
    sub = make_submission(tmp_path / "sub", {"relu.py": SLOW_RELU})
    run = cli("relu", "--submission", str(sub), "--json", f"--timeout={value}")
    if run.returncode == 2:
        assert_usage_error(run, "timeout")
    else:
        assert (run.returncode, run.statuses) == (0, {"relu": "passed"}), run.describe()


def test_unknown_option(cli):
    run = cli("--submision", str(SOLUTIONS), "--json")
    assert_usage_error(run)


def test_hint_for_unknown_exercise(cli):
    run = cli("hint", "sofmax")
    assert_usage_error(run, "sofmax")


# --------------------------------------------------------------------------- --json

def test_json_is_the_only_thing_on_stdout(cli):
    run = cli("--submission", str(SOLUTIONS), "--no-train", "--json", "--seed", "3")
    assert run.returncode == 0, run.describe()
    data = json.loads(run.stdout)  # raises on anything before or after the document
    assert data["score"] == MAX_SCORE and data["max_score"] == MAX_SCORE and data["seed"] == 3
    assert [e["name"] for e in data["exercises"]] == list(NAMES)
    for ex in data["exercises"]:
        assert set(ex) >= {"name", "status", "message", "checks"}
        assert ex["status"] in ("passed", "failed", "not_started", "error")
        for check in ex["checks"]:
            assert set(check) >= {"name", "status", "message"}
            assert check["status"] in ("passed", "failed")
    assert set(data["training"]) >= {"status", "dev_accuracy", "test_accuracy", "seconds"}
    assert data["training"]["status"] == "skipped"


def test_json_without_seed_reports_the_seed_it_used(cli):
    run = cli("relu", "--submission", str(SOLUTIONS), "--json")
    data = run.json
    assert isinstance(data["seed"], int) and data["seed"] >= 0
    assert run.returncode == 0


def test_json_for_the_stubs(cli):
    run = cli("--submission", str(EXERCISES), "--no-train", "--json", "--seed", "0")
    assert run.returncode == 1
    assert {e["status"] for e in run.json["exercises"]} == {"not_started"}


def test_report_without_json_has_no_colour_codes_with_no_color(cli):
    run = cli("relu", "softmax", "--submission", str(SOLUTIONS), "--seed", "0")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "\x1b[" not in run.stdout + run.stderr
    assert "relu" in run.stdout + run.stderr
    with pytest.raises(ValueError):
        json.loads(run.stdout)  # the readable report, not JSON


# --------------------------------------------------------------------------- naming exercises

def test_naming_exercises_grades_only_those(cli):
    run = cli("softmax", "relu", "--submission", str(SOLUTIONS), "--json", "--seed", "0")
    assert run.returncode == 0, run.describe()
    assert sorted(run.statuses) == ["relu", "softmax"]
    assert set(run.statuses.values()) == {"passed"}
    assert run.json["score"] == 3.0 and run.json["max_score"] == 3.0
    assert run.json["training"]["status"] == "skipped"  # no --no-train needed with names


def test_naming_a_failing_exercise_exits_1(cli, tmp_path):
    sub = make_submission(tmp_path / "sub", {"relu.py": "def relu(Z):\n    return Z\n"})
    run = cli("relu", "relu_deriv", "--submission", str(sub), "--json", "--seed", "0")
    assert run.returncode == 1
    assert run.statuses == {"relu": "failed", "relu_deriv": "passed"}
    assert run.json["score"] == 1.0 and run.json["max_score"] == 2.0


def test_single_file_with_a_syntax_error_is_graded_not_refused(cli, tmp_path):
    """A learner's broken file is an error in the report (exit 1), not a usage error (exit 2)."""
    sub = write_file(tmp_path / "mine.py", "import numpy as np\n\ndef relu(Z)\n    return Z\n")
    run = cli("--submission", str(sub), "--no-train", "--json", "--seed", "0")
    assert run.returncode == 1, run.describe()
    assert set(run.statuses.values()) == {"error"}
    assert all("line 3" in e["message"] for e in run.json["exercises"]), run.describe()


def test_empty_py_file_is_not_started(cli, tmp_path):
    sub = write_file(tmp_path / "empty.py", "")
    run = cli("--submission", str(sub), "--no-train", "--json", "--seed", "0")
    assert run.returncode == 1
    assert set(run.statuses.values()) == {"not_started"}


def test_notebook_submission(cli, tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# My network"}]
    for name in NAMES:
        source = (SOLUTIONS / f"{name}.py").read_text()
        source = re.sub(r"^from \.\w+ import \w+\n", "", source, flags=re.M)
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None,
                      "outputs": [], "source": source})
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "network.ipynb"
    path.write_text(json.dumps(nb))
    run = cli("--submission", str(path), "--no-train", "--json", "--seed", "0")
    assert run.returncode == 0, run.describe()
    assert set(run.statuses.values()) == {"passed"}


# --------------------------------------------------------------------------- hint

def _words(text: str) -> str:
    return " ".join(re.sub(r"[|│┃╭╮╰╯─━+]", " ", text).split())


def test_hint_softmax(cli):
    from grader.catalog import BY_NAME

    run = cli("hint", "softmax")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    shown = _words(run.stdout + run.stderr)
    assert _words(BY_NAME["softmax"].hints[0]) in shown, shown
    assert "softmax" in shown


def test_hint_without_exercise(cli):
    run = cli("hint")
    assert run.returncode == 0, run.stderr
    assert (run.stdout + run.stderr).strip()


# --------------------------------------------------------------------------- --figures

def test_figures_can_be_written_again_but_never_over_the_users_own(cli, tmp_path):
    pytest.importorskip("matplotlib", reason="--figures needs the plots or dev extras")
    figs = tmp_path / "figs"
    args = ("--submission", str(SOLUTIONS), "--figures", str(figs), "--seed", "1")
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in figs.glob("*.png")) == ["confusion_matrix.png", "dev_digits.png",
                                                          "training_curve.png"]
    again = cli(*args)  # the README's own example, run twice
    assert again.returncode == 0, again.stderr
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "training_curve.png").write_bytes(b"my own picture")
    refused = cli("--submission", str(SOLUTIONS), "--figures", str(mine))
    assert_usage_error(refused, "training_curve.png already exists", "--force")
    assert (mine / "training_curve.png").read_bytes() == b"my own picture"


@pytest.mark.parametrize("extra, says", [(("relu",), "for named exercises"),
                                         (("--no-train",), "with --no-train")])
def test_figures_without_training_is_a_usage_error(cli, tmp_path, extra, says):
    run = cli("--submission", str(SOLUTIONS), "--figures", str(tmp_path / "f"), *extra)
    assert_usage_error(run, "--figures draws the training", says)


def test_figures_into_a_file_is_a_usage_error(cli, tmp_path):
    file = tmp_path / "figs.png"
    file.write_bytes(b"")
    assert_usage_error(cli("--submission", str(SOLUTIONS), "--figures", str(file)),
                       "that is a file, not a folder")


@pytest.mark.parametrize("command", [(), ("hint",), ("reset",)], ids=["grade", "hint", "reset"])
def test_an_unknown_exercise_suggests_the_nearest_one_everywhere(cli, command):
    assert_usage_error(cli(*command, "sofmax"), "unknown exercise 'sofmax'",
                       "did you mean softmax?", "relu, relu_deriv")


def test_the_notebooks_name_of_an_exercise_is_that_exercise(cli):
    run = cli("ReLU_deriv", "--submission", str(SOLUTIONS), "--json", "--seed", "0")
    assert run.returncode == 0 and [e["name"] for e in run.json["exercises"]] == ["relu_deriv"]


def test_verbose_shows_every_failed_check(cli, tmp_path):
    mine = write_file(tmp_path / "mine.py", """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z)
            return E / E.sum(axis=1, keepdims=True)
        """)
    def checks_shown(run) -> int:  # "| x <check name>", not a wrapped "x |expected|"
        return len(re.findall(r"^\| x [a-z]", run.stdout, flags=re.M))

    short = cli("softmax", "--submission", str(mine), "--seed", "0")
    words = " ".join(short.stdout.replace("|", " ").split())  # as read, across the panel's lines
    assert checks_shown(short) == 2, short.stdout
    assert f"python -m grader softmax --submission {mine} -v shows them all" in words, words
    every = cli("softmax", "--submission", str(mine), "--seed", "0", "-v")
    assert checks_shown(every) == 11 and "shows them all" not in every.stdout, every.stdout


def test_a_note_that_wraps_stays_indented_under_its_exercise(tmp_path):
    run = run_grader(["--submission", str(REPO / "tests" / "corpus" / "video_version.py"),
                      "--no-train"], tmp_path)
    lines = run.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "defines ReLU, not relu" in line)
    assert lines[start].startswith("      ") and lines[start + 1].startswith("      "), \
        "\n".join(lines[start - 1:start + 3])
    passed = next(i for i, line in enumerate(lines) if line.startswith("PASS  forward_prop"))
    assert lines[passed + 1].startswith("      checked with the reference softmax: your softmax "
                                        "still fails"), "\n".join(lines[passed:passed + 2])
