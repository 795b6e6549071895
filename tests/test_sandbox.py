"""The worker's confinement (grader/sandbox.py) and the grader's side of the protocol when
learner code turns it against the grader: the submission and the grader's own limits.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import (AS_ROOT, REPO, SOLUTIONS, grade_json, grader_env, hidden_grader,
                      make_submission, run_grader, write_file)
from grader import sandbox
from grader.worker import REFERENCE_WORK_LIMIT, _work

# --------------------------------------------------------------------------- pieces


def test_rules_cover_everything_but_the_hidden_folder_and_never_follow_links(tmp_path):
    hidden = tmp_path / "repo"
    for folder in (hidden / "grader", tmp_path / "venv", tmp_path / "other"):
        folder.mkdir(parents=True)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "into-repo").symlink_to(hidden / "grader")
    (tmp_path / "elsewhere").symlink_to(Path.home())  # /usr/tmp -> ../var/tmp, say
    assert set(sandbox._all_but(tmp_path, [hidden])) == {tmp_path / "venv", tmp_path / "other"}
    assert set(sandbox._all_but(tmp_path / "other", [hidden])) == {tmp_path / "other"}


@pytest.mark.skipif(not AS_ROOT, reason="file modes bind every user but root")
def test_a_file_in_a_folder_others_may_only_pass_through_is_readable_by_them(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="nn-grader-modes-"))
    try:
        file = write_file(folder / "reference.py", "x = 1\n")
        file.chmod(0o644)
        folder.chmod(0o711)  # no listing, but a known name can be opened
        assert sandbox._readable_by_others(file)
        folder.chmod(0o700)
        assert not sandbox._readable_by_others(file)
    finally:
        shutil.rmtree(folder)


def test_reference_work_counts_numbers_and_integer_arguments_however_given():
    Y = np.arange(13)
    assert _work([np.ones((10, 7))]) == 71
    assert _work([Y, 10]) == (13 + 1 + 10) * 10  # one_hot(Y, 10)
    assert _work([Y, np.array(10)]) == (13 + 1 + 10) * 10  # num_classes as a 0-d array
    assert _work([[np.ones(5), [np.ones(5)]], {"k": np.int64(3)}]) == (10 + 1 + 3) * 3
    assert _work([[1] * 2_000_000, 10]) > REFERENCE_WORK_LIMIT  # labels as a list of ints
    assert _work([np.zeros(1), 10**4]) > REFERENCE_WORK_LIMIT  # np.eye(10**4) is 10**8


# --------------------------------------------------------------------------- the grader's limits

def test_asking_the_reference_for_gigabytes_is_refused(tmp_path):
    sub = make_submission(tmp_path / "sub", {"backward_prop.py": """
        import numpy as np
        from .one_hot import one_hot


        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            one_hot(np.arange(30000), np.array(30000))  # 7 GB, were the grader to make it
        """})
    started = time.perf_counter()
    run = grade_json(sub, tmp_path / "t", "backward_prop")
    assert time.perf_counter() - started < 20
    message = run.exercise("backward_prop")["message"]
    assert run.statuses == {"backward_prop": "error"}, run.describe()
    assert "one_hot() was asked for more than 10,000,000 numbers" in message, message


STOPS_READING = {
    # the grader's answer to a reference request (8 MB, more than a pipe holds) is never read
    "forward_prop": """
        import time

        import numpy as np

        import grader.wire
        from .relu import relu


        def forward_prop(W1, b1, W2, b2, X):
            grader.wire.receive = lambda stream: time.sleep(10**6)
            relu(np.ones((1000, 1000)))
        """,
    # from the moment the file is loaded, no request is read (the inputs are over 64 kB)
    "backward_prop": """
        import time

        import grader.wire


        def backward_prop(*args):
            return None

        grader.wire.receive = lambda stream: time.sleep(10**6)
        """,
}


@pytest.mark.parametrize("name", STOPS_READING)
def test_a_worker_that_stops_reading_cannot_hang_the_grader(tmp_path, name):
    sub = make_submission(tmp_path / "sub", {f"{name}.py": STOPS_READING[name]})
    run = run_grader([name, "--submission", str(sub), "--no-train", "--json", "--timeout", "2"],
                     tmp_path / "t", timeout=40)  # hung, it would raise TimeoutExpired
    assert run.statuses == {name: "error"}, run.describe()
    assert "did not finish within 2 s" in run.exercise(name)["message"], run.describe()


# --------------------------------------------------------------------------- failing closed

# Runs `python -m grader` inside 16 Landlock layers that restrict nothing: the most a process
# may have, so the worker cannot add its own.
NESTED = """
import ctypes, os, runpy, sys
from pathlib import Path
from grader import sandbox

syscall = sandbox._syscall()
ctypes.CDLL(None).prctl(sandbox.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
for _ in range(16):
    attr = sandbox._RulesetAttr(sandbox.EXECUTE, 0, 0)
    ruleset = syscall(sandbox.CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(24), 0)
    sandbox._allow(syscall, ruleset, Path("/"), sandbox.EXECUTE)
    assert syscall(sandbox.RESTRICT_SELF, ruleset, 0) == 0
    os.close(ruleset)
runpy.run_module("grader", run_name="__main__", alter_sys=True)
"""


@hidden_grader
def test_a_worker_that_cannot_be_confined_stops_grading_with_one_sentence(tmp_path):
    proc = subprocess.run([sys.executable, "-c", NESTED, "--submission", str(SOLUTIONS),
                           "--no-train", "--json"], cwd=REPO, env=grader_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert proc.stderr.startswith("error: the grader could not confine the process that runs "
                                  "learner code (landlock_restrict_self failed"), proc.stderr
    assert "NN_GRADER_LANDLOCK=0" in proc.stderr and "Traceback" not in proc.stderr


def test_learner_code_exiting_with_the_sandbox_status_is_only_its_own_error(tmp_path):
    sub = write_file(tmp_path / "mine.py", "import os\nos._exit(70)\n")
    run = grade_json(sub, tmp_path / "t")
    assert run.returncode == 1 and set(run.statuses.values()) == {"error"}, run.describe()
    assert "exit code 70" in run.exercise("relu")["message"], run.describe()


# --------------------------------------------------------------------------- a whole class

STEAL = """
import os
import sys
from pathlib import Path

# The grader that runs this submission was started as `python -m grader --submission PATH`.
argv = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().split(b"\\0")
mine = Path(argv[argv.index(b"--submission") + 1].decode())
sys.path.insert(0, str(mine.parent / "alice"))
from relu import relu
from relu_deriv import relu_deriv
from softmax import softmax
from one_hot import one_hot
from update_params import update_params
"""


@hidden_grader
def test_in_a_batch_no_submission_reads_another(tmp_path):
    """The class folder is outside every temporary folder, as on an instructor's machine."""
    home = Path(tempfile.mkdtemp(prefix="nn-grader-class-", dir="/var/tmp"))
    try:
        home.chmod(0o755)
        make_submission(home / "class" / "alice", {})
        write_file(home / "class" / "bob.py", STEAL)
        out = tmp_path / "grades.csv"
        proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(home / "class"),
                               "--out", str(out), "--no-train"], cwd=REPO, capture_output=True,
                              text=True, env=grader_env(tmp_path), timeout=120)
        assert out.exists(), proc.stderr
        with out.open() as f:
            scores = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
        assert scores == {"alice": 10.0, "bob": 0.0}, proc.stderr
    finally:
        shutil.rmtree(home)


@hidden_grader
@pytest.mark.parametrize("where", ["/var/tmp", "/tmp"])  # open to every user: only Landlock
def test_nothing_outside_the_system_python_and_the_submission_is_readable(tmp_path, where):
    probe = textwrap.dedent(f"""
        import os
        os.listdir({where!r})
        """)
    run = grade_json(write_file(tmp_path / "probe.py", probe), tmp_path / "t", "relu")
    assert "PermissionError" in run.exercise("relu")["message"], run.describe()


@hidden_grader
def test_another_copy_of_the_grader_on_the_path_is_not_readable_either(tmp_path):
    """A second copy (installed, or another checkout) on sys.path is hidden like the first."""
    site = Path(tempfile.mkdtemp(prefix="nn-grader-site-", dir="/var/tmp"))  # others may read
    try:
        site.chmod(0o755)
        shutil.copytree(REPO / "grader", site / "grader",
                        ignore=shutil.ignore_patterns("__pycache__"))
        reference = site / "grader" / "network.py"
        cheat = write_file(tmp_path / "cheat.py", f"exec(open({str(reference)!r}).read())\n")
        env = dict(grader_env(tmp_path), PYTHONPATH=str(site))
        proc = subprocess.run([sys.executable, "-m", "grader", "--submission", str(cheat),
                               "--json", "--no-train"], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=60)
    finally:
        shutil.rmtree(site)
    assert '"score": 0.0' in proc.stdout, proc.stdout[-3000:]
    assert "PermissionError" in proc.stdout or "FileNotFoundError" in proc.stdout, proc.stdout[-3000:]


def test_a_missing_function_called_while_files_load_says_why_it_is_missing(tmp_path):
    sub = make_submission(tmp_path / "sub", {
        "relu.py": "def relu(Z)\n    return Z\n",  # a syntax error: relu is stood in for
        "forward_prop.py": (SOLUTIONS / "forward_prop.py").read_text()
        + "\nprint(relu([-1.0, 2.0]))  # the learner's own try-out\n",
    })
    run = grade_json(sub, tmp_path / "t", "relu", "forward_prop")
    # The try-out line costs only itself: forward_prop is graded, and the note says why it failed
    assert run.statuses == {"relu": "error", "forward_prop": "passed"}, run.describe()
    [note] = run.json["notes"]
    assert "RuntimeError: relu() is missing: relu.py could not be loaded: SyntaxError" in note


def test_reference_work_counts_default_arguments_too():
    from grader.worker import Worker

    header, value = Worker._answer("one_hot", ((np.zeros(2_000_000, np.int8),), {}), ("one_hot",))
    assert header["type"] == "ValueError" and value is None, header  # 10 classes by default
    assert "more than 10,000,000 numbers" in header["message"]
    header, value = Worker._answer("one_hot", ((np.array([0, 2]),), {}), ("one_hot",))
    assert header == {"status": "ok"} and value[0].shape == (10, 2) and value[1] == []


# --------------------------------------------------------------------------- symbolic links

def test_locating_a_submission_never_follows_links(tmp_path):
    from grader.locate import find as locate

    (tmp_path / "mallory").mkdir()
    (tmp_path / "mallory" / "work").symlink_to(SOLUTIONS)
    (tmp_path / "mallory" / "mine.py").symlink_to(REPO / "grader" / "network.py")
    (tmp_path / "eve").symlink_to(SOLUTIONS)
    assert locate(tmp_path / "mallory") is None and locate(tmp_path / "eve") is None
    write_file(tmp_path / "mallory" / "real" / "relu.py", "def relu(Z):\n    return Z\n")
    assert locate(tmp_path / "mallory") == tmp_path / "mallory" / "real"


@hidden_grader
@pytest.mark.parametrize("target", [REPO / "grader" / "network.py", SOLUTIONS])
def test_a_submission_that_is_a_link_is_read_with_the_workers_rights(tmp_path, target):
    link = tmp_path / ("mine.py" if target.suffix else "mine")
    link.symlink_to(target)
    run = grade_json(link, tmp_path / "t")
    assert run.json["score"] == 0 and set(run.statuses.values()) == {"error"}, run.describe()
    assert "PermissionError" in run.exercise("relu")["message"], run.describe()


@pytest.mark.skipif(not AS_ROOT, reason="only a grader running as root reads what learners cannot")
def test_a_hard_link_in_a_submission_is_read_with_the_workers_rights(tmp_path):
    secret = Path(tempfile.mkdtemp(prefix="nn-grader-secret-"))  # same file system as tmp_path
    try:
        write_file(secret / "relu.py", "TOKEN = 's3cr3t'\n").chmod(0o600)
        sub = tmp_path / "sub"
        sub.mkdir()
        os.link(secret / "relu.py", sub / "relu.py")
        run = grade_json(sub, tmp_path / "t", "relu")
    finally:
        shutil.rmtree(secret)
    assert run.statuses == {"relu": "error"}, run.describe()
    # Unreadable with the worker's rights, or not even there: its /tmp is its own.
    assert "s3cr3t" not in run.stdout, run.describe()
    assert "PermissionError" in run.stdout or "FileNotFoundError" in run.stdout, run.describe()


@pytest.mark.skipif(not AS_ROOT, reason="only a grader running as root reads what learners cannot")
def test_a_hard_link_to_the_reference_is_not_copied_by_the_grader(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    # Not a solution file: other tests grade solutions/ meanwhile, and would see the link too.
    os.link(REPO / "grader" / "network.py", sub / "relu.py")  # one file system here
    try:
        run = grade_json(sub, tmp_path / "t", "relu")
    finally:
        (sub / "relu.py").unlink()
    assert run.statuses == {"relu": "error"}, run.describe()
    message = run.exercise("relu")["message"]  # not readable, or not there (in its own /tmp)
    assert "PermissionError" in message or "FileNotFoundError" in message, run.describe()


def test_a_worker_that_cannot_start_is_the_graders_error_not_the_learners(monkeypatch, tmp_path):
    """Before the worker says it is ready no learner code has run: its death is the set-up's."""
    from grader import worker

    python = write_file(tmp_path / "python", """
        #!/bin/sh
        echo "ModuleNotFoundError: No module named 'numpy'" >&2
        exit 1
        """)
    python.chmod(0o755)
    monkeypatch.setattr(worker.sys, "executable", str(python))
    with worker.Worker(SOLUTIONS) as w, pytest.raises(sandbox.SandboxError) as raised:
        w.loaded()
    message = str(raised.value)
    assert "could not start the process that runs learner code" in message, message
    assert "No module named 'numpy'" in message and "os._exit" not in message
