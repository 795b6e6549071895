"""Adopting the grader for a class (issue 7): Gradescope's results.json and autograder zip, the
GitHub Classroom workflow, batch grading, the student copy, and submissions that try to cheat
their way through any of these.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import (MAX_SCORE, AS_ROOT, EXERCISES, NAMES, POINTS, REPO, SOLUTIONS, Run, grader_env,
                      grade_json, hidden_grader, make_submission, run_grader, write_file)

from grader import sandbox
from grader.catalog import CHAPTERS

own_user = pytest.mark.skipif(not AS_ROOT, reason="only a grader running as root (Gradescope, "
                              "CI, Docker) gives its worker a user id of its own")
notebooks = pytest.mark.skipif(importlib.util.find_spec("grader.notebook") is None,
                               reason="grading notebooks is not in this version of the grader")

FAKE_JSON = '{"score": 10.0, "max_score": 10.0, "tests": []}'


def one_file(*, replace: dict[str, str] | None = None) -> str:
    """All seven solutions in one .py file, with `replace` (name -> source of that function)."""
    parts = ["import numpy as np\n"]
    for name in NAMES:
        source = (SOLUTIONS / f"{name}.py").read_text()
        parts.append(re.sub(r"^(from \S+ import .*|import numpy as np)\n", "", source, flags=re.M))
    text = "\n".join(parts)
    for name, source in (replace or {}).items():
        text = re.sub(rf"^def {name}\(.*?(?=^def |\Z)", source.strip() + "\n\n\n", text,
                      flags=re.M | re.S)
    return text


def notebook(source: str) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": source}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


SOFTMAX_ROWS = """
def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)
"""


# --------------------------------------------------------------------------- Gradescope

TOP_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format",
              "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
              "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output",
               "output_format", "tags", "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def assert_gradescope_format(data: dict) -> None:
    """results.json as https://gradescope-autograders.readthedocs.io/en/latest/specs/ has it."""
    assert set(data) <= TOP_FIELDS, set(data) - TOP_FIELDS
    assert type(data["score"]) in (int, float) and type(data["execution_time"]) in (int, float)
    assert isinstance(data["output"], str) and data["visibility"] in VISIBILITY
    assert data["stdout_visibility"] in VISIBILITY and isinstance(data["extra_data"], dict)
    for test in data["tests"]:
        assert set(test) <= TEST_FIELDS, set(test) - TEST_FIELDS
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
        assert 0 <= test["score"] <= test["max_score"]
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
    assert data["score"] == sum(t["score"] for t in data["tests"])
    assert sum(t["max_score"] for t in data["tests"]) == MAX_SCORE
    assert len(data["tests"]) == len(NAMES) + 1  # one per exercise, and training


def test_gradescope_results_json(tmp_path):
    sub = write_file(tmp_path / "mine.py", one_file(replace={
        "softmax": SOFTMAX_ROWS,
        "relu": "def relu(Z):\n    raise NotImplementedError\n",
        "one_hot": "def one_hot(Y, num_classes=10):\n    print('debugging one_hot')\n"
                   "    return 1 / 0\n"}))
    results = tmp_path / "results.json"
    run = run_grader(["--submission", str(sub), "--json", "--seed", "0", "--gradescope",
                      str(results)], tmp_path / "t")
    assert run.returncode == 1, run.describe()
    data = json.loads(results.read_text())
    assert_gradescope_format(data)
    assert data["score"] == run.json["score"] == MAX_SCORE - 4
    tests = {t["name"].split(":")[0]: t for t in data["tests"]}
    assert tests["relu"]["status"] == "failed" and "Not started" in tests["relu"]["output"]
    assert tests["softmax"]["score"] == 0 and "axis" in tests["softmax"]["output"]
    assert all(message in tests["softmax"]["output"] for message in run.messages("softmax"))
    assert "ZeroDivisionError" in tests["one_hot"]["output"]
    assert "debugging one_hot" in tests["one_hot"]["output"]
    assert tests["forward_prop"] == dict(tests["forward_prop"], status="passed", score=2.0)
    training = tests["training"]
    assert training["max_score"] == 0 and training["status"] == "failed"
    assert "every function of the network must run first" in training["output"]
    assert f"Score {MAX_SCORE - 4:g}/{MAX_SCORE:g}" in data["output"] and "--seed 0" in data["output"]


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    """The zip from `gradescope-bundle`, unpacked as Gradescope does into autograder/source."""
    tmp = tmp_path_factory.mktemp("bundle")
    run = run_grader(["gradescope-bundle", str(tmp / "autograder.zip")], tmp / "t")
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(tmp / "autograder.zip") as z:
        z.extractall(tmp / "source")  # like Gradescope's unzip, which keeps the file modes
        for info in z.infolist():
            os.chmod(tmp / "source" / info.filename, info.external_attr >> 16 & 0o777)
    return tmp / "source"


def test_gradescope_bundle_contents(autograder):
    names = {str(p.relative_to(autograder)) for p in autograder.rglob("*") if p.is_file()}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "README.md", "grader/cli.py",
            "data/train.csv.gz", "exercises/relu.py"} <= names
    assert not {n for n in names if n.split("/")[0] in ("solutions", "tests", "bench")}
    for script in ("setup.sh", "run_autograder"):
        assert os.access(autograder / script, os.X_OK)
        assert (autograder / script).read_text().startswith("#!/usr/bin/env bash\n")
    assert "pip install -e /autograder/source" in (autograder / "setup.sh").read_text()


def run_autograder(source: Path, files: dict[str, str], tmp: Path,
                   env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    """Gradescope's layout in `tmp`: the unpacked zip, the submission, results/; run it."""
    root = tmp / "autograder"
    shutil.copytree(source, root / "source", symlinks=True)
    for name, text in files.items():
        write_file(root / "submission" / name, text)
    (root / "submission").mkdir(parents=True, exist_ok=True)
    (root / "results").mkdir()
    env = dict(grader_env(tmp), AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable,
               **(env or {}))
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, text=True,
                          capture_output=True, timeout=120, cwd=tmp)
    results = root / "results" / "results.json"
    return proc, json.loads(results.read_text()) if results.exists() else {}


UPLOADS = {  # what a student uploads: files, and the score they earn
    "solution files": ({f"{n}.py": (SOLUTIONS / f"{n}.py").read_text() for n in NAMES},
                       MAX_SCORE),
    "one file with a bug": ({"network.py": one_file(replace={"softmax": SOFTMAX_ROWS})},
                            MAX_SCORE - 2),
    "a repository upload": ({f"my-repo/exercises/{n}.py": (SOLUTIONS / f"{n}.py").read_text()
                             for n in NAMES} | {"my-repo/README.md": "mine\n"}, MAX_SCORE),
    "a notebook": ({"network.ipynb": notebook(one_file())}, MAX_SCORE),
}


@pytest.mark.parametrize("upload", [pytest.param(u, marks=notebooks) if u == "a notebook" else u
                                    for u in UPLOADS])
def test_run_autograder(autograder, tmp_path, upload):
    files, score = UPLOADS[upload]
    proc, data = run_autograder(autograder, files, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]  # results.json was written
    assert_gradescope_format(data)
    assert data["score"] == score
    assert ("training passed" in data["output"]) == (score == MAX_SCORE)


def test_run_autograder_without_a_submission(autograder, tmp_path):
    proc, data = run_autograder(autograder, {"notes.txt": "I ran out of time\n"}, tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "holds no .py file" in proc.stderr
    assert data["score"] == 0 and "could not be graded" in data["output"]
    assert data["tests"] and all(t["status"] == "failed" for t in data["tests"])


# A submission that plants its own results.json, prints Gradescope's format, rewrites the
# grader it can find, and exits 0 early: the grader's results.json is the one that counts.
RESULTS_CHEAT = f"""
import glob
import os
import sys

FAKE = {FAKE_JSON!r}
print(FAKE)
sys.__stdout__.write(FAKE)
for path in glob.glob("/autograder/results") + [os.environ.get("AUTOGRADER_ROOT", "") + "/results"]:
    try:
        with open(os.path.join(path, "results.json"), "w") as f:
            f.write(FAKE)
    except OSError:
        pass
try:
    import grader.compare
    with open(grader.compare.__file__, "a") as f:
        f.write("\\nexpect_array = lambda got, *a, **k: got\\n")
except OSError:
    pass


def relu(Z):
    os._exit(0)
"""


def test_run_autograder_with_a_cheating_submission(autograder, tmp_path):
    proc, data = run_autograder(autograder, {"cheat.py": RESULTS_CHEAT}, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_gradescope_format(data)
    assert data["score"] == 0 and FAKE_JSON not in json.dumps(data)
    if AS_ROOT:  # as Gradescope runs it; as yourself, your code can write what you can
        source = tmp_path / "autograder" / "source"
        assert (source / "grader" / "compare.py").read_bytes() == \
            (autograder / "grader" / "compare.py").read_bytes()


IMPORT_REFERENCE = ("from grader.network import relu, relu_deriv, softmax, one_hot\n"
                    "from grader.chapter1.forward_prop import reference as forward_prop\n")


@own_user
def test_run_autograder_hides_the_reference_without_landlock(autograder, tmp_path):
    """Gradescope's kernel may lack Landlock: the source folder is then root's alone."""
    reference = tmp_path / "autograder" / "source" / "grader" / "network.py"
    proc, data = run_autograder(autograder, {"cheat.py": f"exec(open({str(reference)!r}).read())\n"},
                                tmp_path, env={"NN_GRADER_LANDLOCK": "0"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert data["score"] == 0, json.dumps(data, indent=1)[:3000]
    # The line that read it could not run: not readable, or not even there (its own /tmp).
    assert "PermissionError" in data["output"] or "FileNotFoundError" in data["output"]
    assert (tmp_path / "autograder" / "source").stat().st_mode & 0o777 == 0o700


# --------------------------------------------------------------------------- the student copy

@pytest.fixture(scope="module")
def student_copy(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student"
    run = run_grader(["release", str(out)], tmp_path_factory.mktemp("t"))
    assert run.returncode == 0, run.stderr
    return out


def test_release_is_the_repository_without_solutions_and_tests(student_copy):
    names = {str(p.relative_to(student_copy)) for p in student_copy.rglob("*") if p.is_file()}
    assert not {n for n in names if n.split("/")[0] in ("solutions", "tests", "bench", ".ci")}
    assert {"README.md", "pyproject.toml", "grader/cli.py", "data/test.csv.gz",
            ".github/workflows/classroom.yml"} <= names
    for name in NAMES:
        assert (student_copy / "exercises" / f"{name}.py").read_text() == \
            (EXERCISES / f"{name}.py").read_text()


def test_release_grades_its_stubs(student_copy, tmp_path):
    run = run_grader(["--no-train", "--json", "--seed", "0"], tmp_path, cwd=student_copy)
    assert run.returncode == 1, run.describe()
    assert set(run.statuses.values()) == {"not_started"}
    assert run.json["score"] == 0


def test_release_refuses_a_non_empty_folder_or_one_inside_the_repository(tmp_path):
    out = tmp_path / "taken"
    write_file(out / "keep.txt", "mine\n")
    run = run_grader(["release", str(out)], tmp_path / "t")
    assert run.returncode == 2 and "not an empty folder" in run.stderr, run.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    run = run_grader(["release", str(REPO / "student-copy")], tmp_path / "t")
    assert run.returncode == 2 and "inside the repository" in run.stderr, run.stderr
    assert not (REPO / "student-copy").exists()


def test_release_refuses_filled_in_exercises(tmp_path):
    filled = make_submission(tmp_path / "filled", {}, base=EXERCISES)
    shutil.copy(SOLUTIONS / "softmax.py", filled / "softmax.py")
    check = ("import sys\nfrom pathlib import Path\nfrom grader.release import check_stubs\n"
             "try:\n    check_stubs(Path(sys.argv[1]))\nexcept Exception as err:\n"
             "    print(type(err).__name__, err)\n")
    said = {}
    for folder in (filled, EXERCISES):
        proc = subprocess.run([sys.executable, "-c", check, str(folder)], cwd=REPO, text=True,
                              env=grader_env(tmp_path), capture_output=True, timeout=60)
        assert "Traceback" not in proc.stderr, proc.stderr
        said[folder] = proc.stdout
    assert said[filled].startswith("UsageError") and "softmax.py is not a stub" in said[filled]
    assert said[EXERCISES] == ""  # the repository's own stubs


# --------------------------------------------------------------------------- GitHub Classroom

def workflow_steps() -> list[dict[str, str]]:
    """The grading steps of the workflow: id, command and max-score of each."""
    from grader.release import classroom_workflow

    text = classroom_workflow()
    steps = re.findall(r"^    - name: .*\n      id: (\S+)\n      uses: classroom-resources/"
                       r"autograding-command-grader@v1\n      with:\n(?:        .*\n)*?"
                       r"        command: (.*)\n(?:        .*\n)*?        max-score: (\d+)",
                       text, flags=re.M)
    return [{"id": i, "command": c, "max_score": float(m)} for i, c, m in steps]


def test_classroom_workflow_is_wired_to_the_reporter():
    steps = workflow_steps()
    assert [s["id"] for s in steps] == [name for c in CHAPTERS for name in (
        *(ex.name for ex in c.exercises), f"training{c.number}")]
    assert {s["id"]: s["max_score"] for s in steps} == {ex.name: ex.points for c in CHAPTERS
                                                        for ex in c.exercises} \
        | {f"training{c.number}": 0.0 for c in CHAPTERS}
    from grader.release import classroom_workflow

    text = classroom_workflow()
    runners = re.search(r"runners: (.*)", text).group(1).split(",")
    assert runners == [s["id"] for s in steps]
    for step in steps:
        env = f'{step["id"].upper()}_RESULTS: "${{{{steps.{step["id"]}.outputs.result}}}}"'
        assert env in text


def _run_command(command: str, cwd: Path, tmp: Path) -> subprocess.CompletedProcess:
    args = command.split()
    assert args[:3] == ["python", "-m", "grader"], command
    return subprocess.run([sys.executable, *args[1:]], cwd=cwd, env=grader_env(tmp), text=True,
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


def test_classroom_commands_award_the_points(student_copy, tmp_path):
    """The workflow's own commands, run in a student's repository: each passes (exit 0, and
    nothing on stderr, which older versions of the command grader also count as failing)
    exactly when its exercise does."""
    repo = tmp_path / "student-repo"
    shutil.copytree(student_copy, repo)
    for name in NAMES:
        shutil.copy(SOLUTIONS / f"{name}.py", repo / "exercises" / f"{name}.py")
    (repo / "exercises" / "softmax.py").write_text(
        "import numpy as np\n" + SOFTMAX_ROWS)
    steps = workflow_steps()
    with ThreadPoolExecutor(2) as pool:
        procs = list(pool.map(lambda s: _run_command(s["command"], repo, tmp_path / s["id"]),
                              steps))
    points = {}
    for step, proc in zip(steps, procs):
        passed = proc.returncode == 0 and not proc.stderr
        assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
        points[step["id"]] = step["max_score"] if passed else 0.0
    # The later chapters' stubs earn nothing, and no chapter trains: softmax is wrong in the
    # first, the network's functions of the others are not started.
    later = {ex.name: 0.0 for c in CHAPTERS[1:] for ex in c.exercises}
    assert points == dict(POINTS, softmax=0.0) | later | {
        f"training{c.number}": 0.0 for c in CHAPTERS}


# --------------------------------------------------------------------------- batch

def test_locate_finds_what_to_grade(tmp_path):
    from grader.locate import find as locate

    single = write_file(tmp_path / "alice.py", "x = 1\n")
    assert locate(single) == single
    assert locate(write_file(tmp_path / "notes.txt", "")) is None
    upload = make_submission(tmp_path / "bob" / "nn-main" / "exercises", {})
    write_file(tmp_path / "bob" / "__MACOSX" / "exercises" / "relu.py", "junk\n")
    write_file(tmp_path / "bob" / "nn-main" / "setup.py", "")
    assert locate(tmp_path / "bob") == upload
    write_file(tmp_path / "carol" / "work.ipynb", "{}")
    write_file(tmp_path / "carol" / "scratch" / "helper.txt", "")
    assert locate(tmp_path / "carol") == tmp_path / "carol" / "work.ipynb"
    write_file(tmp_path / "dave" / "a.py", "")
    write_file(tmp_path / "dave" / "b.py", "def relu(Z):\n    raise NotImplementedError\n")
    # Nothing written in either: the first is graded (all not started), and the other is said.
    from grader.locate import choose
    assert choose(tmp_path / "dave").said(tmp_path / "dave") == (
        "graded a.py; not graded: b.py (0 exercises written, 0 in what is graded)")
    write_file(tmp_path / "dave" / "b.py", "import numpy as np\n\ndef relu(Z):\n"
               "    return np.maximum(Z, 0)\n")
    assert locate(tmp_path / "dave") == tmp_path / "dave" / "b.py"  # the one with work in it


HOSTILE_BATCH = {
    # an endless loop at import: the whole submission past the time limit
    "loops.py": "while True:\n    pass\n",
    # memory: 3 GB in relu, beyond the worker's limit
    "hog.py": one_file(replace={"relu": "def relu(Z):\n    BIG = np.ones((20000, 20000))\n"
                                        "    return np.maximum(Z, 0)\n"}),
    # a fake result on the grader's stdout, then exit 0
    "liar.py": f"import os, sys\nsys.__stdout__.write({FAKE_JSON!r})\nos._exit(0)\n",
}


def test_batch(tmp_path):
    class_dir = tmp_path / "class"
    make_submission(class_dir / "alice", {})
    write_file(class_dir / "bob.py", one_file(replace={"softmax": SOFTMAX_ROWS}))
    make_submission(class_dir / "carol", {}, base=EXERCISES)
    make_submission(class_dir / "dave" / "repo" / "exercises", {})
    write_file(class_dir / "erin.txt", "not a submission\n")
    for name, source in HOSTILE_BATCH.items():
        write_file(class_dir / name, source)
    out = tmp_path / "grades.csv"
    started = time.perf_counter()
    run = run_grader(["batch", str(class_dir), "--out", str(out), "--jobs", "2",
                      "--time-limit", "6", "--timeout", "2", "--seed", "3"], tmp_path / "t")
    seconds = time.perf_counter() - started
    assert run.returncode == 1, run.stderr  # one submission timed out
    assert run.stdout.count("\n") == 1 and "Graded 7 submissions" in run.stdout, run.stdout
    with out.open() as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert list(rows) == ["alice", "bob", "carol", "dave", "hog", "liar", "loops"]
    score = {name: (row["status"], float(row["score"])) for name, row in rows.items()}
    assert score == {"alice": ("graded", 10.0), "bob": ("graded", 8.0), "carol": ("graded", 0.0),
                     "dave": ("graded", 10.0), "hog": ("graded", 9.0), "liar": ("graded", 0.0),
                     "loops": ("timeout", 0.0)}
    assert rows["bob"]["softmax"] == "failed" and rows["bob"]["relu"] == "passed"
    assert rows["carol"]["relu"] == "not_started" and rows["alice"]["training"] == "passed"
    assert float(rows["alice"]["dev_accuracy"]) >= 0.8
    assert rows["hog"]["relu"] == "error" and "6 s" in rows["loops"]["message"]
    for name in ("alice", "bob", "carol", "dave", "hog", "liar"):  # unaffected by the others
        assert float(rows[name]["seconds"]) < 5, rows[name]
    assert seconds < 30
    full = json.loads(out.with_suffix(".json").read_text())
    assert full["seed"] == 3 and len(full["submissions"]) == 7
    graded = [s for s in full["submissions"] if s["status"] == "graded"]
    assert {s["grading"]["seed"] for s in graded} == {3}
    hog = next(s for s in graded if s["student"] == "hog")
    assert "MemoryError" in hog["grading"]["exercises"][0]["message"]


@own_user
def test_batch_without_landlock_warns_until_the_grader_is_closed_to_others(tmp_path):
    """As root on a kernel without Landlock, only file modes keep the reference from workers."""
    # Where every user may look, and not under /tmp, which a worker may see only as its own.
    base = next((d for d in ("/srv", "/opt", "/var/lib", "/mnt") if os.path.isdir(d)
                 and os.access(d, os.W_OK) and sandbox.reachable(d)), None)
    if base is None:
        pytest.skip("no folder open to every user outside /tmp")
    repo = Path(tempfile.mkdtemp(prefix="nn-grader-open-", dir=base))
    try:
        repo.chmod(0o755)
        shutil.copytree(REPO / "grader", repo / "grader",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(REPO / "pyproject.toml", repo)
        reference = repo / "grader" / "network.py"
        write_file(tmp_path / "class" / "mallory.py", f"exec(open({str(reference)!r}).read())\n")

        def batch() -> tuple[str, float]:
            out = tmp_path / "grades.csv"
            proc = subprocess.run(
                [sys.executable, "-m", "grader", "batch", str(tmp_path / "class"), "--out",
                 str(out), "--no-train", "--force"], cwd=repo, capture_output=True, text=True,
                env=dict(grader_env(tmp_path), NN_GRADER_LANDLOCK="0"), timeout=120)
            with out.open() as f:
                return proc.stderr, float(next(csv.DictReader(f))["score"])

        stderr, score = batch()
        assert f"can read the grader's reference solutions in {repo}" in stderr, stderr
        assert score == 5  # the warning is not idle: relu, relu_deriv, softmax, one_hot
        repo.chmod(0o700)
        stderr, score = batch()
        assert "warning" not in stderr and score == 0, stderr
    finally:
        shutil.rmtree(repo)


def test_batch_usage_errors(tmp_path):
    missing = run_grader(["batch", str(tmp_path / "nowhere")], tmp_path / "t")
    assert missing.returncode == 2 and "nowhere" in missing.stderr
    make_submission(tmp_path / "class" / "alice", {})
    write_file(tmp_path / "grades.csv", "old grades\n")
    taken = run_grader(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "grades.csv")],
                       tmp_path / "t")
    assert taken.returncode == 2 and "--force" in taken.stderr
    assert (tmp_path / "grades.csv").read_text() == "old grades\n"
    for bad in (["--jobs", "0"], ["--memory", "10"], ["--time-limit", "-1"]):
        run = run_grader(["batch", str(tmp_path / "class"), *bad], tmp_path / "t")
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr


# --------------------------------------------------------------------------- integrity

def grade_file(tmp_path: Path, source: str, *args: str, cwd: Path = REPO, env: dict | None = None,
               name: str = "cheat.py") -> Run:
    sub = write_file(tmp_path / name, source)
    tmp = tmp_path / "t"
    tmp.mkdir(exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", "--submission", str(sub), "--json",
                           "--no-train", "--seed", "0", *args], cwd=cwd,
                          env=dict(grader_env(tmp), **(env or {})), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    return Run(list(args), proc.returncode, proc.stdout, proc.stderr,
               time.perf_counter() - started)


READ_SOLUTIONS = """
import pathlib
import grader

try:
    from solutions import relu, relu_deriv, softmax, one_hot, forward_prop, backward_prop, \\
        update_params
except ImportError:
    pass
root = pathlib.Path(grader.__file__).resolve().parents[1]
for name in ("relu", "relu_deriv", "softmax", "one_hot", "forward_prop", "backward_prop",
             "update_params"):
    path = root / "solutions" / f"{name}.py"
    if path.exists():
        exec(path.read_text().replace("from .", "from solutions."))
"""


def test_reading_the_solutions_of_a_student_copy_finds_nothing(student_copy, tmp_path):
    run = grade_file(tmp_path, READ_SOLUTIONS, cwd=student_copy)
    assert run.returncode == 1 and run.json["score"] == 0, run.describe()
    assert set(run.statuses.values()) <= {"not_started", "error"}, run.describe()


FIND_REFERENCE = """
import gc
import sys


def _reference(name):
    module = sys.modules.get("grader.network")
    if module is None:
        try:
            import grader.network as module
        except Exception:
            pass
    found = getattr(module, name, None)
    for obj in gc.get_objects() if found is None else ():
        if getattr(obj, "__module__", "") == "grader.network" and \\
                getattr(obj, "__name__", "") == name:
            found = obj
    return found
""" + "".join(f"""

def {name}(*args):
    return _reference("{name}")(*args)
""" for name in NAMES)


def test_the_worker_holds_no_reference_solution(tmp_path):
    run = grade_file(tmp_path, FIND_REFERENCE)
    assert run.json["score"] == 0, run.describe()
    assert set(run.statuses.values()) == {"error"}, run.describe()


@hidden_grader
def test_importing_the_graders_reference_earns_nothing(tmp_path):
    run = grade_file(tmp_path, IMPORT_REFERENCE)
    assert run.json["score"] == 0, run.describe()
    # How the import fails depends on how the grader is installed: it finds no module, or
    # finds the file and may not read it.
    assert re.search(r"No module named 'grader.network'|PermissionError: .*network.py",
                     run.exercise("relu")["message"]), run.describe()


@hidden_grader
@pytest.mark.parametrize("where", ["grader/network.py", "solutions/softmax.py", ".git/HEAD",
                                   "tests/test_grading.py"])
def test_reading_the_graders_files_is_refused(tmp_path, where):
    run = grade_file(tmp_path, f"""
import pathlib
import grader

text = (pathlib.Path(grader.__file__).resolve().parents[1] / {where!r}).read_text()
""")
    assert run.statuses == dict.fromkeys(NAMES, "not_started"), run.describe()
    assert "PermissionError" in run.json["notes"][0], run.describe()


CAPTURE = """
_captured = []


def forward_prop(W1, b1, W2, b2, X):
    _captured.append(relu)  # while forward_prop is checked: the grader's relu
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    return Z1, A1, Z2, softmax(Z2)


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    _captured[0](W1)  # after it: refused
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
"""


def test_the_grader_answers_only_for_the_call_in_progress(tmp_path):
    source = one_file(replace={"relu": "def relu(Z):\n    return Z\n"})
    source = re.sub(r"^def forward_prop\(.*?(?=^def )|^def update_params\(.*?(?=^def |\Z)", "",
                    source, flags=re.M | re.S) + CAPTURE
    run = grade_file(tmp_path, source)
    assert run.statuses == dict.fromkeys(NAMES, "passed") | {"relu": "failed",
                                                            "update_params": "error"}
    assert "the grader's relu cannot be used here" in run.exercise("update_params")["message"]


PATCH_PYTEST = """
import sys
import pytest
import _pytest.outcomes
import _pytest.runner

pytest.main = lambda *a, **k: 0
pytest.fail = pytest.skip = lambda *a, **k: None
_pytest.runner.call_and_report = lambda item, when, log=True, **k: None
for name in list(sys.modules):
    if name.startswith("grader.chapter"):
        del sys.modules[name]
"""


def test_patching_pytest_earns_nothing(tmp_path):
    from test_hostile import WRONG  # seven wrong functions of the right shapes

    run = grade_file(tmp_path, PATCH_PYTEST + WRONG)
    assert run.returncode == 1 and run.json["score"] == 0, run.describe()
    assert set(run.statuses.values()) == {"failed"}, run.describe()


def test_huge_memory_is_refused_and_costs_only_that_exercise(tmp_path):
    run = grade_file(tmp_path, one_file(replace={
        "relu": "def relu(Z):\n    return np.ones((100000, 100000)) * 0 + np.maximum(Z, 0)\n",
        "softmax": "def softmax(Z):\n    hoard = []\n    while True:\n"
                   "        hoard.append(np.ones(10**7))\n"}), env={"NN_GRADER_MEMORY_MB": "700"})
    assert run.statuses == dict.fromkeys(NAMES, "passed") | {"relu": "error", "softmax": "error"}
    assert "MemoryError" in run.exercise("relu")["message"]
    assert "MemoryError" in run.exercise("softmax")["message"]
    assert run.seconds < 30


def test_sleeping_past_the_limit_costs_only_that_exercise(tmp_path):
    run = grade_file(tmp_path, one_file(replace={
        "relu_deriv": "def relu_deriv(Z):\n    import time\n    time.sleep(3600)\n"}),
        "--timeout", "1")
    assert run.statuses == dict.fromkeys(NAMES, "passed") | {"relu_deriv": "error"}
    assert "did not finish within 1 s" in run.exercise("relu_deriv")["message"]
    assert run.seconds < 20


ESCAPE = """
import os
import time

_children = []


def relu(Z):
    if not _children:  # one process, in a session of its own, that would outlive the worker
        pid = os.fork()
        if pid == 0:
            os.setsid()
            time.sleep(600)
            os._exit(0)
        _children.append(pid)
        print(f"child {pid}")
    return np.maximum(Z, 0)
"""


@own_user
def test_processes_a_submission_starts_die_with_its_worker(tmp_path):
    results = tmp_path / "results.json"
    run = grade_file(tmp_path, one_file(replace={"relu": ESCAPE}), "relu", "--gradescope",
                     str(results))
    assert run.statuses == {"relu": "passed"}, run.describe()
    output = json.loads(results.read_text())["tests"][0]["output"]
    pid = int(re.search(r"child (\d+)", output).group(1))
    status = Path(f"/proc/{pid}/status")
    state = status.read_text().split("State:")[1].split()[0] if status.exists() else "gone"
    assert state in ("gone", "Z"), f"the submission's process {pid} is still running ({state})"


def test_batch_says_what_it_did_not_grade_and_writes_no_formulas(tmp_path):
    (tmp_path / "class").mkdir()
    write_file(tmp_path / "class" / "=HYPERLINK(evil).py", "def relu(Z):\n    return Z\n")
    (tmp_path / "class" / "carol.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (tmp_path / "class" / "notes.txt").write_text("I ran out of time\n")
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(tmp_path / "class"), "--out", str(out), "--no-train"],
                     tmp_path / "t")
    assert "Not graded (1): notes.txt: not a .py file" in run.stderr, run.stderr
    with out.open() as f:
        row, carol = list(csv.DictReader(f))
    assert row["student"] == "'=HYPERLINK(evil)"  # text in a spreadsheet, not a formula
    assert carol["status"] == "error" and "no .py file" in carol["message"], carol  # empty zip
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["not_graded"] == {"notes.txt": "not a .py file, a folder, an .ipynb notebook "
                                  "or a .zip"}
    assert meta["submissions"][0]["student"] == "=HYPERLINK(evil)"  # JSON keeps the name


def test_a_student_with_several_entries_is_one_row_graded_on_the_newest(tmp_path):
    folder = tmp_path / "class"
    wrong = "def relu(Z):\n    return Z\n"
    right = "import numpy as np\n\ndef relu(Z):\n    return np.maximum(Z, 0)\n"
    for name, source, age in (("bob.py", wrong, 100), ("bob.ipynb", notebook(right), 10),
                              ("bob.py.py", wrong, 50)):
        write_file(folder / name, source)
        os.utime(folder / name, (time.time() - age, time.time() - age))
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(folder), "--out", str(out), "--no-train"], tmp_path / "t")
    with out.open() as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"bob", "bob.py"}, rows  # bob.py.py is another student's file
    assert rows["bob"]["relu"] == "passed" and rows["bob"]["path"].endswith("bob.ipynb")
    assert "bob.py: an older entry of bob: bob.ipynb is newer and is graded" in run.stderr, \
        run.stderr


def test_regrading_with_force_keeps_the_old_gradebook(tmp_path):
    folder = tmp_path / "class"
    write_file(folder / "ann.py", "def relu(Z):\n    return Z\n")
    out = tmp_path / "grades.csv"
    first = run_grader(["batch", str(folder), "--out", str(out), "--no-train"], tmp_path / "t")
    assert first.returncode in (0, 1) and "Graded 1 submission in" in first.stdout, first.stderr
    before = out.read_text()
    again = run_grader(["batch", str(folder), "--out", str(out), "--no-train"], tmp_path / "t")
    assert again.returncode == 2 and "or --force to back it up" in again.stderr
    forced = run_grader(["batch", str(folder), "--out", str(out), "--no-train", "--force"],
                        tmp_path / "t")
    backups = sorted(tmp_path.glob("grades.backup-*.csv"))
    assert len(backups) == 1 and backups[0].read_text() == before, forced.stderr
    assert f"moved the existing {out} to {backups[0]}" in forced.stderr
    assert len(list(tmp_path.glob("grades.backup-*.json"))) == 1


def test_a_grader_that_ends_without_a_result_is_run_once_more(tmp_path, monkeypatch):
    """A grader that ends with no result and not with its own refusal (exit status 2) is the
    machine's failure, never the code's (which runs in the worker): graded again, the second
    run counts and is said; twice is an error that names the status, never a silent zero."""
    from grader import batch
    from grader.limits import Limits

    fine = {"score": MAX_SCORE, "max_score": MAX_SCORE, "training": {"status": "skipped"},
            "exercises": [{"name": n, "status": "passed", "message": ""} for n in NAMES]}
    lost = (None, "exit status 255", 255)
    refused = (None, "error: the notebook is not JSON", 2)
    sub = tmp_path / "alice.py"
    sub.write_text((SOLUTIONS / "relu.py").read_text())
    for replies, status, said in (([lost, (fine, "", 0)], batch.GRADED, "graded twice: the first "
                                   "run's grader ended without a result (exit status 255)"),
                                  ([lost, lost], batch.ERROR, "exit status 255"),
                                  ([refused], batch.ERROR, "the notebook is not JSON")):
        calls = iter(replies)
        monkeypatch.setattr(batch.Batch, "_run_grader", lambda self, command, env: next(calls))
        row = batch.Batch(0, train=False, limits=Limits()).grade("alice", sub)
        assert row["status"] == status and said in row["message"], row
        assert next(calls, None) is None  # every reply was asked for: no third run


def test_a_downloaded_copy_of_an_exercise_file_is_graded_as_that_file(tmp_path):
    """A browser saves a second download as 'softmax (1).py': forward_prop's own
    `from .softmax import softmax` must still find it."""
    sub = make_submission(tmp_path / "upload", {})
    (sub / "softmax.py").rename(sub / "softmax (1).py")
    run = grade_json(sub, tmp_path / "t")
    assert run.statuses == dict.fromkeys(NAMES, "passed"), run.describe()
    assert run.exercise("softmax")["note"] == \
        "softmax (1).py is graded as softmax.py: rename it softmax.py"


def test_a_worker_that_ends_while_loading_is_graded_once_more(tmp_path, monkeypatch):
    """Two of 40 notebooks once got 0 with "loading your code ended the process" and passed
    when graded alone: such a result is graded again, the second counts and is said; code that
    ends the process every time keeps its error."""
    from grader import batch
    from grader.limits import Limits

    died = {"score": 0.0, "max_score": MAX_SCORE, "training": {"status": "skipped"},
            "exercises": [{"name": n, "status": "error", "message": "loading your code ended "
                           "the process with exit code 1 (os._exit or a crash)"} for n in NAMES]}
    fine = {"score": MAX_SCORE, "max_score": MAX_SCORE, "training": {"status": "skipped"},
            "exercises": [{"name": n, "status": "passed", "message": ""} for n in NAMES]}
    sub = tmp_path / "alice.py"
    sub.write_text((SOLUTIONS / "relu.py").read_text())
    for replies, score, said in (([died, fine], MAX_SCORE, "graded twice"),
                                 ([died, died], 0.0, None), ([fine], MAX_SCORE, None)):
        calls = iter(replies)
        monkeypatch.setattr(batch.Batch, "_run_grader",
                            lambda self, command, env: (next(calls), "", 0))
        row = batch.Batch(0, train=False, limits=Limits()).grade("alice", sub)
        assert row["status"] == batch.GRADED and row["score"] == score, row
        assert (said in row["message"]) if said else "graded twice" not in row["message"], row
        assert next(calls, None) is None  # every reply was asked for: no third run
