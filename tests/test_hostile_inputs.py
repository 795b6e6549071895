"""Hostile inputs: submissions shaped to crash the grader itself (JSON nested 200,000 deep,
folders nested 1,500 deep, FIFOs, links that loop, names that are not text) and bugs of the
grader's own. Each becomes that submission's error, in the result every caller expects: one
sentence and exit 2 on the command line, a results.json for Gradescope, a row for batch; never
a traceback, a hang or a copy left in the temporary folder.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import NAMES, REPO, SOLUTIONS, grader_env, make_submission, run_grader, write_file
from grader import staging

DEPTH = 1500


@pytest.fixture
def deep():
    """deep(folder) nests folders d/d/d/... DEPTH deep in it, and returns it; they are removed
    bottom up after the test (os.makedirs and some Pythons' shutil.rmtree recurse a level at
    a time)."""
    made: list[Path] = []

    def _deep(folder: Path) -> Path:
        fd = os.open(folder, os.O_RDONLY)
        try:
            for _ in range(DEPTH):
                os.mkdir("d", dir_fd=fd)
                inner = os.open("d", os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = inner
        finally:
            os.close(fd)
        made.append(folder)
        return folder

    yield _deep
    for folder in made:
        for level in range(DEPTH, 0, -1):
            os.rmdir(folder / Path(*["d"] * level))


def deep_json(depth: int = 200_000) -> str:
    return "[" * depth + "]" * depth


def assert_one_sentence(run, *mentions: str) -> None:
    """Exit 2, one line on stderr naming the problem, no traceback, nothing on stdout."""
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode == 2 and len(lines) == 1 and run.stdout == "", \
        f"exit {run.returncode}\n{run.stdout[:500]}\n{run.stderr[-1500:]}"
    for mention in mentions:
        assert mention in lines[0], f"{mention!r} not in {lines[0]!r}"


def run_python(code: str, args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    """`python -c CODE ARGS` in the repository, its temporary files under `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=grader_env(tmp),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


# A bug of the grader's own, planted before it runs.
ENGINE_BUG = """
import grader.engine

def grade_submission(*args, **kwargs):
    raise KeyError("planted")

grader.engine.grade_submission = grade_submission
"""
FIND_BUG = """
import grader.autograder

def find(path):
    raise KeyError("planted")

grader.autograder.find = find
"""
MAIN = """
import sys
from grader.cli import main
sys.exit(main(sys.argv[1:]))
"""
AUTOGRADE = """
import sys
from pathlib import Path
from grader.autograder import autograde
sys.exit(autograde(Path(sys.argv[1])))
"""


# --------------------------------------------------------------------------- notebooks

def test_a_notebook_nested_200000_deep_is_one_sentence(cli, tmp_path):
    path = write_file(tmp_path / "deep.ipynb", deep_json())
    assert_one_sentence(cli("--submission", str(path), "--no-train", "--json"), "deep.ipynb",
                        "nested too deeply")


@pytest.mark.parametrize("content, mentions", [
    ("[1, 2]", ["not a JSON object"]),
    ('{"nbformat": ' + "9" * 5000 + ', "cells": []}', ["number too long"]),
    ('{"cells": []}' + " " * (21 * 2**20), ["larger than 20 MB", "clear its outputs"]),
])
def test_a_notebook_that_is_not_one_says_why(cli, tmp_path, content, mentions):
    path = write_file(tmp_path / "work.ipynb", content)
    assert_one_sentence(cli("--submission", str(path), "--no-train", "--json"), "work.ipynb",
                        *mentions)


@pytest.mark.parametrize("name", ["pipe.ipynb", "pipe.py", "zero.ipynb"])
def test_a_fifo_or_device_as_the_submission_is_refused_at_once(cli, tmp_path, name):
    path = tmp_path / name
    if name.startswith("zero"):
        path.symlink_to("/dev/zero")  # read to its end, it never ends
    else:
        os.mkfifo(path)  # opened to read, it waits for a writer
    assert_one_sentence(cli("--submission", str(path), "--no-train", "--json", timeout=30),
                        name, "neither a file nor a folder")


def test_a_nested_notebook_in_a_folder_is_that_files_problem(grade, tmp_path):
    write_file(tmp_path / "sub" / "mine.ipynb", deep_json())
    run = grade(tmp_path / "sub")
    assert run.returncode == 1 and run.statuses == dict.fromkeys(NAMES, "error"), run.describe()
    assert run.exercise("relu")["message"] == \
        "mine.ipynb is not a notebook: its JSON is nested too deeply to read", run.describe()


def test_a_progress_file_nested_deep_is_forgotten_like_a_damaged_one(tmp_path):
    state = tmp_path / "state"
    write_file(state / "progress.json", deep_json())
    proc = subprocess.run([sys.executable, "-m", "grader", "progress"], cwd=REPO, timeout=60,
                          env=dict(grader_env(tmp_path), NN_GRADER_STATE=str(state)),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0 and "0/" in proc.stdout, proc.stderr[-2000:]


# --------------------------------------------------------------------------- staging

@pytest.fixture
def staged_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder staging makes its copies in, for these tests."""
    folder = tmp_path / "staging"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def test_staging_a_folder_1500_deep_is_a_staging_error_leaving_nothing(tmp_path, deep,
                                                                         staged_in):
    sub = deep(make_submission(tmp_path / "sub", {}))
    with pytest.raises(staging.StagingError, match="nested more than 32 deep"):
        staging.stage(sub, as_root=False)
    assert list(staged_in.iterdir()) == []


@pytest.mark.parametrize("limit, value, files, message", [
    ("MAX_ENTRIES", 100, {f"notes{i}.txt": "" for i in range(101)}, "more than 100 files"),
    ("MAX_MB", 1, {"weights.txt": "0" * 2**21}, "more than 1 MB"),
])
def test_staging_too_much_is_a_staging_error_leaving_nothing(tmp_path, monkeypatch, staged_in,
                                                             limit, value, files, message):
    monkeypatch.setattr(staging, limit, value)
    sub = make_submission(tmp_path / "sub", files)
    with pytest.raises(staging.StagingError, match=message):
        staging.stage(sub, as_root=False)
    assert list(staged_in.iterdir()) == []


def test_odd_entries_are_staged_without_blocking_or_failing(tmp_path, monkeypatch, staged_in):
    """A folder the grader may not list is staged as a link, for the worker to be refused in
    its turn; a FIFO and a socket are left out, unopened; a link that loops stays a link;
    names with control characters, or that are not text, are copied as they are."""
    odd = ["\x1b[2Jnotes.txt", os.fsdecode(b"\xff.txt")]  # a terminal escape; not UTF-8
    sub = make_submission(tmp_path / "sub", dict.fromkeys(odd, ""))
    (sub / "private").mkdir()
    (sub / "loop").symlink_to("loop")
    os.mkfifo(sub / "pipe.py")
    private, scandir = str(sub / "private"), os.scandir

    def refusing(path: str | Path = ".") -> Any:
        if os.fspath(path) == private:
            raise PermissionError(13, "Permission denied", private)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(sub / "s"))
        root = staging.stage(sub, as_root=False)
    copy = root / "submission" / "sub"
    solutions = [p.name for p in SOLUTIONS.iterdir() if p.name != "__pycache__"]
    assert sorted(p.name for p in copy.iterdir()) == sorted(
        [*solutions, "private", "loop", *odd])
    assert os.readlink(copy / "private") == private and os.readlink(copy / "loop") == "loop"
    assert (copy / "relu.py").read_bytes() == (SOLUTIONS / "relu.py").read_bytes()


# --------------------------------------------------------------------------- the command line

def test_a_folder_1500_deep_is_one_sentence(cli, tmp_path, deep):
    sub = deep(make_submission(tmp_path / "sub", {}))
    assert_one_sentence(cli("--submission", str(sub), "--no-train", "--json"),
                        "nested more than 32 deep")


def test_a_grader_bug_is_one_sentence_and_the_json_still_comes(tmp_path):
    results = tmp_path / "results.json"
    proc = run_python(ENGINE_BUG + MAIN, ["--submission", str(SOLUTIONS), "--no-train", "--json",
                                          "--seed", "4", "--gradescope", str(results)],
                      tmp_path / "t")
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert "internal error (KeyError: 'planted'" in lines[0] and "please report" in lines[0]
    data = json.loads(proc.stdout)
    assert data["score"] == 0 and data["seed"] == 4 and "KeyError" in data["error"]
    assert [(e["name"], e["status"]) for e in data["exercises"]] == \
        [(name, "error") for name in NAMES]
    gradescope = json.loads(results.read_text())
    assert gradescope["score"] == 0 and "internal error" in gradescope["output"]


# --------------------------------------------------------------------------- Gradescope

def autograde(root: Path, tmp: Path, bug: str = "") -> tuple[subprocess.CompletedProcess, dict]:
    """`python -m grader.autograder ROOT`, with a `bug` planted first; its results.json."""
    (root / "results").mkdir(parents=True)
    proc = run_python(bug + AUTOGRADE, [str(root)], tmp)
    results = root / "results" / "results.json"
    return proc, json.loads(results.read_text()) if results.exists() else {}


def test_gradescope_grades_a_folder_1500_deep_as_zero_saying_why(tmp_path, deep):
    root = tmp_path / "autograder"
    deep(make_submission(root / "submission", {}))
    proc, data = autograde(root, tmp_path / "t")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert data["score"] == 0 and "nested more than" in data["output"], data


def test_gradescope_grades_a_notebook_nested_200000_deep_as_zero_saying_why(tmp_path):
    root = tmp_path / "autograder"
    write_file(root / "submission" / "work.ipynb", deep_json())
    proc, data = autograde(root, tmp_path / "t")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert data["score"] == 0 and "nested too deeply" in data["output"], data


@pytest.mark.parametrize("bug", [ENGINE_BUG, FIND_BUG], ids=["grading", "finding"])
def test_gradescope_gets_a_results_json_whatever_the_grader_raises(tmp_path, bug):
    root = tmp_path / "autograder"
    make_submission(root / "submission", {})
    proc, data = autograde(root, tmp_path / "t", bug)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert data["score"] == 0, data
    assert data["output"].startswith("The grader could not grade this submission because of "
                                     "an internal error (KeyError: 'planted'"), data["output"]


# --------------------------------------------------------------------------- batch

def test_batch_grades_everyone_beside_hostile_entries(tmp_path, deep):
    class_dir = tmp_path / "class"
    write_file(class_dir / "alice.py", (SOLUTIONS / "relu.py").read_text())
    write_file(class_dir / os.fsdecode(b"b\xffb.py"), (SOLUTIONS / "relu.py").read_text())
    deep(make_submission(class_dir / "deep", {}))
    write_file(class_dir / "notebook.ipynb", deep_json())
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(class_dir), "--out", str(out), "--no-train", "--jobs", "2",
                      "--seed", "1"], tmp_path / "t")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    with out.open(encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert {name: (row["status"], float(row["score"])) for name, row in rows.items()} == {
        "alice": ("graded", 1.0), "b\\udcffb": ("graded", 1.0), "deep": ("error", 0.0),
        "notebook": ("error", 0.0)}
    assert "nested more than" in rows["deep"]["message"]
    assert "nested too deeply" in rows["notebook"]["message"]


@pytest.mark.parametrize("printed", [
    deep_json(),
    '{"score": 10.0, "max_score": 10.0}',
    '{"score": 10.0, "max_score": 10.0, "training": {}, "exercises": [{"name": 1}]}',
    '{"score": 10.0, "max_score": 10.0, "training": [], "exercises": []}',
])
def test_batch_takes_only_a_whole_result_from_a_grader(printed):
    """Learner code that reaches the grader's stdout could print anything there."""
    from grader.batch import _result

    assert _result(printed) is None
