"""The assignment file (grader/assignment.py): read strictly, and honoured by grading, batch, the
gradebook's exports, the class report, the Gradescope bundle and the Classroom release."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, SOLUTIONS, grader_env, run_grader

from grader.assignment import load
from grader.catalog import EXERCISES
from grader.release import WITHHELD, without_last_hints
from grader.usage import UsageError

CORPUS = REPO / "tests" / "corpus"

WEEK_1 = """\
title = "Week 1: the network"
chapter = 1
exercises = ["relu", "softmax", "forward_prop"]
seed = 4242

[points]
softmax = 3

[training]
points = 2
target = 0.8

[gradescope]
visibility = "after_published"
checks = { relu = "hidden" }
training = "after_due_date"

[release]
last_hint = false
"""


@pytest.fixture
def week_1(tmp_path: Path) -> Path:
    path = tmp_path / "week1.toml"
    path.write_text(WEEK_1)
    return path


BAD = {  # file text -> what the one-sentence error says
    "chapter = 9": "chapter = 9 is not one of 1, 2, 3, 4, 5",
    "title = 'x'": "chapter is missing",
    "chapter = 1\npionts = 3": "has no key 'pionts' (the keys are chapter,",
    "chapter = 1\n[training]\npoint = 3": "[training] has no key 'point'",
    "chapter = 1\nexercises = ['init_params']": "'init_params' is not an exercise of chapter 1 "
                                                "(relu, ",
    "chapter = 1\nexercises = []": "exercises must be a list of exercise names",
    "chapter = 1\nexercises = ['relu', 'relu']": "names one exercise twice",
    "chapter = 1\nexercises = ['relu']\n[points]\nsoftmax = 2":
        "[points] softmax is not one of the assignment's exercises",
    "chapter = 1\n[points]\nrelu = -1": "[points] relu = -1 is not a number from 0 to 1000",
    "chapter = 1\n[points]\nrelu = true": "[points] relu = True is not a number",
    "chapter = 1\nseed = -3": "seed = -3 is neither \"fresh\" nor an integer",
    "chapter = 1\nseed = 4294967296": "is neither \"fresh\" nor an integer",
    "chapter = 1\n[training]\ntarget = 1.5": "[training] target = 1.5 is not a number from 0 to 1",
    "chapter = 1\n[training]\ntarget = nan": "[training] target = nan is not a number",
    "chapter = 1\n[limits]\nmemory_mb = 100": "memory_mb = 100 is not a whole number from 512",
    "chapter = 1\n[limits]\ncall_seconds = 0": "call_seconds = 0 is not a number above 0",
    "chapter = 1\n[gradescope]\nchecks = 'secret'": "[gradescope] checks = 'secret' is not one "
                                                    "of visible, hidden, after_due_date",
    "chapter = 1\n[gradescope]\nchecks = {relu = 3}": "[gradescope] checks: relu = 3",
    "chapter = 1\n[gradescope]\nchecks = {init_params = 'hidden'}": "checks: init_params is not",
    "chapter = 1\n[release]\nlast_hint = 'no'": "[release] last_hint must be true or false",
    "chapter = 1\ntraining = 3": "[training] must be a table",
    "chapter = [": "is not a TOML file",
}


@pytest.mark.parametrize("text", BAD)
def test_a_wrong_file_is_one_sentence_that_names_the_key(tmp_path, text):
    path = tmp_path / "a.toml"
    path.write_text(text + "\n")
    with pytest.raises(UsageError) as err:
        load(path)
    assert BAD[text] in str(err.value) and str(path) in str(err.value)


def test_what_is_left_out_is_the_chapter_s(tmp_path):
    (tmp_path / "a.toml").write_text("chapter = 2\n")
    rules = load(tmp_path / "a.toml")
    assert [ex.name for ex in rules.exercises] == [ex.name for ex in rules.chapter.exercises]
    assert rules.max_score == rules.chapter.max_score and rules.seed is None
    assert rules.verdict is rules.chapter.verdict and rules.last_hint


def test_the_command_line_refuses_what_contradicts_it(week_1, tmp_path):
    for args, said in ((["--chapter", "2"], "is an assignment of chapter 1: leave out --chapter 2"),
                       (["--seed", "3"], "gives everyone the seed 4242: leave out --seed 3")):
        run = run_grader(["--assignment", str(week_1), *args], tmp_path / "t")
        assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr
    for path, said in ((tmp_path / "none.toml", "does not exist"), (tmp_path, "is a folder")):
        run = run_grader(["--assignment", str(path)], tmp_path / "t")
        assert run.returncode == 2 and said in run.stderr


def test_grading_by_it_counts_its_exercises_points_target_and_seed(week_1, tmp_path):
    results = tmp_path / "results.json"
    run = run_grader(["--assignment", str(week_1), "--submission", str(SOLUTIONS), "--json",
                      "--gradescope", str(results)], tmp_path / "t", cwd=tmp_path)
    assert run.returncode == 0, run.describe()
    data = run.json
    assert data["seed"] == 4242
    assert [(e["name"], e["max_score"]) for e in data["exercises"]] == [
        ("relu", 1), ("softmax", 3), ("forward_prop", 2)]
    training = data["training"]
    assert training["target"] == 0.8 and training["status"] == "passed"
    assert (training["score"], training["max_score"]) == (2, 2)
    assert (data["score"], data["max_score"]) == (8, 8)
    gradescope = json.loads(results.read_text())
    assert gradescope["score"] == 8 and gradescope["visibility"] == "after_published"
    seen = {t["name"].split(":")[0]: (t["visibility"], t["max_score"]) for t in gradescope["tests"]}
    assert seen == {"relu": ("hidden", 1), "softmax": ("visible", 3),
                    "forward_prop": ("visible", 2), "training": ("after_due_date", 2)}
    assert "80% accuracy" in gradescope["tests"][-1]["name"]


def test_without_it_training_earns_nothing(tmp_path):
    run = run_grader(["--submission", str(SOLUTIONS), "--json", "--seed", "1"], tmp_path / "t")
    assert run.returncode == 0, run.describe()
    assert run.json["training"]["max_score"] == 0 and run.json["max_score"] == 10


def test_batch_grades_by_it_and_keeps_it_in_the_gradebook(week_1, tmp_path):
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    shutil.copy(SOLUTIONS / "softmax.py", class_dir / "bob.py")  # softmax only: 3 points
    shutil.copytree(SOLUTIONS, class_dir / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", "class", "--assignment", str(week_1), "--out", "grades.csv",
                      "--jobs", "2"], tmp_path / "t", cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "mean score 5.50/8" in run.stdout
    with out.open() as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert list(rows["alice"])[:7] == ["student", "score", "max_score", "status", "relu",
                                       "softmax", "forward_prop"]
    assert (rows["alice"]["score"], rows["alice"]["max_score"]) == ("8.0", "8.0")
    assert rows["bob"]["score"] == "3.0" and rows["bob"]["softmax"] == "passed"
    book = json.loads(out.with_suffix(".json").read_text())
    assert book["seed"] == 4242 and book["max_score"] == 8
    assert book["assignment"]["points"] == {"relu": 1, "softmax": 3, "forward_prop": 2}

    export = run_grader(["export", "grades.json", "points.csv"], tmp_path / "t", cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    with (tmp_path / "points.csv").open() as f:
        table = list(csv.reader(f))
    assert table[0] == ["student", "relu", "softmax", "forward_prop", "training", "chapter 1",
                        "max_score", "status"]
    assert table[1] == ["(points possible)", "1.0", "3.0", "2.0", "2.0", "8.0", "8.0", ""]
    assert table[2][:6] == ["alice", "1.0", "3.0", "2.0", "2.0", "8.0"]
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,id\nalice,11\nbob,12\n")
    canvas = run_grader(["export", "grades.json", "canvas.csv", "--format", "canvas",
                         "--roster", str(roster)], tmp_path / "t", cwd=tmp_path)
    assert canvas.returncode == 0, canvas.stderr
    with (tmp_path / "canvas.csv").open() as f:
        table = list(csv.reader(f))
    assert table[0][-1] == "Week 1: the network" and table[1][-1] == "8.0"

    report = run_grader(["class-report", "grades.json"], tmp_path / "t", cwd=tmp_path)
    assert report.returncode == 0 and "mean score 5.50/8" in report.stdout, report.stderr
    assert "one_hot" not in report.stdout  # not counted, so not reported

    # A merge under another assignment, or none, would mix two scales in one gradebook.
    other = tmp_path / "other.toml"
    other.write_text(WEEK_1.replace("softmax = 3", "softmax = 2"))
    for args, said in ((["--assignment", str(other)], "whose exercises, points or target differ"),
                       ([], "pass --assignment with its file to merge")):
        merge = run_grader(["batch", "class", "--out", "grades.csv", "--merge", *args],
                           tmp_path / "t", cwd=tmp_path)
        assert merge.returncode == 2 and said in merge.stderr, merge.stderr
    shutil.copy(SOLUTIONS / "relu.py", class_dir / "bob.py")
    merge = run_grader(["batch", "class", "--out", "grades.csv", "--merge", "--assignment",
                        str(week_1), "--no-train"], tmp_path / "t", cwd=tmp_path, timeout=300)
    assert merge.returncode == 0, merge.stderr


def unzipped(bundle: Path, into: Path) -> Path:
    with zipfile.ZipFile(bundle) as z:
        z.extractall(into)
        for info in z.infolist():
            (into / info.filename).chmod(info.external_attr >> 16 & 0o777)
    return into


def test_the_gradescope_bundle_carries_it_and_grades_by_it(week_1, tmp_path):
    bundle = tmp_path / "autograder.zip"
    run = run_grader(["gradescope-bundle", str(bundle), "--assignment", str(week_1)],
                     tmp_path / "t")
    assert run.returncode == 0 and "graded by" in run.stdout and "8 points" in run.stdout, run.stderr
    root = tmp_path / "autograder"
    source = unzipped(bundle, root / "source")
    assert (source / "assignment.toml").read_text() == WEEK_1
    (root / "submission").mkdir()
    shutil.copy(CORPUS / "two_wrong_lines.py", root / "submission" / "nn.py")
    (root / "results").mkdir()
    env = dict(grader_env(tmp_path), AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(source / "run_autograder")], env=env, text=True,
                          capture_output=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads((root / "results" / "results.json").read_text())
    assert [t["name"].split(":")[0] for t in data["tests"]] == ["relu", "softmax",
                                                                "forward_prop", "training"]
    assert [t["visibility"] for t in data["tests"]] == ["hidden", "visible", "visible",
                                                        "after_due_date"]
    assert data["extra_data"]["seed"] == 4242 and data["extra_data"]["max_score"] == 8
    assert data["score"] == sum(t["score"] for t in data["tests"])

    # A submission that cannot be graded still gets the assignment's tests, at 0.
    shutil.rmtree(root / "submission")
    (root / "submission").mkdir()
    proc = subprocess.run(["bash", str(source / "run_autograder")], env=env, text=True,
                          capture_output=True, timeout=180, cwd=tmp_path)
    data = json.loads((root / "results" / "results.json").read_text())
    assert proc.returncode == 0 and data["score"] == 0
    assert [(t["name"].split(":")[0], t["max_score"]) for t in data["tests"]] == [
        ("relu", 1), ("softmax", 3), ("forward_prop", 2), ("training", 2)]


def test_the_release_grades_by_it_and_leaves_out_the_last_hint(week_1, tmp_path):
    copy = tmp_path / "copy"
    run = run_grader(["release", str(copy), "--assignment", str(week_1)], tmp_path / "t")
    assert run.returncode == 0 and "without the last hint level" in run.stdout, run.stderr
    assert (copy / "assignment.toml").read_text() == WEEK_1
    workflow = (copy / ".github" / "workflows" / "classroom.yml").read_text()
    assert "command: python -m grader softmax --assignment assignment.toml\n" in workflow
    assert "command: python -m grader --assignment assignment.toml\n" in workflow
    assert "python -m grader one_hot" not in workflow
    steps = workflow.split("    - name: ")
    points = {s.split("\n")[0]: s.split("max-score: ")[1].split("\n")[0] for s in steps
              if "max-score: " in s}
    assert points == {"relu": "1", "softmax": "3", "forward_prop": "2", "training1": "2"}
    catalog = (copy / "grader" / "catalog.py").read_text()
    check = ("from grader.catalog import EXERCISES; import sys; "
             f"sys.exit(any(ex.hints[2] != {WITHHELD!r} or not ex.hints[1] for ex in EXERCISES))")
    assert subprocess.run([sys.executable, "-c", check], cwd=copy,
                          env=grader_env(tmp_path)).returncode == 0
    assert all(ex.hints[2] not in catalog for ex in EXERCISES if len(ex.hints[2]) > 40)
    hint = run_grader(["hint", "relu", "--all"], tmp_path / "t", cwd=copy)
    assert hint.returncode == 0 and "not in this course's copy" in hint.stdout
    assert "np.maximum(Z, 0)" not in hint.stdout  # relu's last level
    graded = run_grader(["relu", "--assignment", "assignment.toml", "--json"], tmp_path / "t",
                        cwd=copy)
    assert graded.returncode == 1 and graded.json["seed"] == 4242  # the stub: not started


def test_every_hint_tuple_is_found_where_the_release_edits_it():
    source = (REPO / "grader" / "catalog.py").read_text()
    assert without_last_hints(source).count(repr(WITHHELD)) == len(EXERCISES)
    with pytest.raises(ValueError):
        without_last_hints(source.replace("hints=(", "hints=HINTS or (", 1))


@pytest.mark.parametrize("where", ["README.md", "grader/assignment.py"])
def test_the_documented_example_is_a_valid_file(tmp_path, where):
    text = (REPO / where).read_text()
    start = text.index('title = "')
    indent = text[text.rindex("\n", 0, start) + 1:start]
    lines = []
    for line in text[start - len(indent):].splitlines():
        if not line.startswith(indent) and line.strip():
            break
        if not line.strip() and lines and lines[-1] == "":
            break
        lines.append(line[len(indent):])
    (tmp_path / "a.toml").write_text("\n".join(lines))
    rules = load(tmp_path / "a.toml")
    assert rules.title and rules.chapter.number in (1, 2) and not rules.last_hint
