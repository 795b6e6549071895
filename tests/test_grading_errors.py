"""Learner code that raises, exits, loops, crashes or prints: that exercise is `error`, with the
reason in its message; every other exercise is graded as usual and stdout stays one JSON document.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import (MAX_SCORE, mktemp, NAMES, POINTS, REPO, grader_env, Prefetched, grade_json, make_submission, selected_params,
                      write_file)

ALL_PASSED = {name: "passed" for name in NAMES}


@dataclass(frozen=True)
class Case:
    id: str
    exercise: str  # the one file replaced in a copy of solutions/
    source: str
    fragments: tuple[str, ...]  # all in the exercise's message
    timeout: float | None = None
    max_seconds: float = 30.0


CASES = [
    Case("raises_value_error", "softmax", """
        import numpy as np


        def softmax(Z):
            E = np.exp(Z - Z.max(axis=0, keepdims=True))
            raise ValueError("columns do not sum to one")
        """, ("softmax() raised", "ValueError: columns do not sum to one", "softmax.py, line 6")),
    Case("raises_in_a_helper", "one_hot", """
        import numpy as np


        def _column(y, k):
            return np.eye(k)[:, y + k]


        def one_hot(Y, num_classes=10):
            return np.stack([_column(y, num_classes) for y in Y], axis=1)
        """, ("IndexError", "one_hot.py, line 5")),
    Case("keyboard_interrupt", "relu_deriv", """
        def relu_deriv(Z):
            raise KeyboardInterrupt
        """, ("KeyboardInterrupt", "relu_deriv.py, line 2")),
    Case("endless_recursion", "relu", """
        def relu(Z):
            return relu(Z)
        """, ("RecursionError",)),
    Case("sys_exit_in_function", "relu", """
        import sys
        import numpy as np


        def relu(Z):
            sys.exit(0)
            return np.maximum(Z, 0)
        """, ("sys.exit(0)",)),
    Case("sys_exit_with_message", "update_params", """
        import sys


        def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
            sys.exit("done")
        """, ("sys.exit('done')",)),
    Case("endless_loop", "one_hot", """
        import numpy as np


        def one_hot(Y, num_classes=10):
            T = np.zeros((num_classes, Y.size))
            j = 0
            while j < Y.size:
                T[Y[j], j] = 1.0  # forgot j += 1
            return T
        """, ("one_hot()", "did not finish within 1 s"), timeout=1, max_seconds=12),
    Case("endless_loop_catching_everything", "softmax", """
        import time


        def softmax(Z):
            while True:
                try:
                    time.sleep(0.01)
                except BaseException:
                    pass
        """, ("softmax()", "did not finish within 1 s"), timeout=1, max_seconds=12),
    Case("os_exit_in_function", "update_params", """
        import os


        def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
            os._exit(0)
        """, ("update_params()", "exit code 0")),
    Case("os_exit_nonzero_in_function", "backward_prop", """
        import os
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv


        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            os._exit(3)
        """, ("backward_prop()", "exit code 3")),
    Case("segfault", "relu_deriv", """
        import ctypes


        def relu_deriv(Z):
            ctypes.string_at(0)
            return (Z > 0).astype(float)
        """, ("relu_deriv()", "SIGSEGV")),
    Case("syntax_error", "softmax", """
        import numpy as np


        def softmax(Z)
            E = np.exp(Z - Z.max(axis=0, keepdims=True))
            return E / E.sum(axis=0, keepdims=True)
        """, ("softmax.py", "line 4")),
]


@pytest.fixture(scope="module")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """graded(case) -> Run of all seven exercises; the selected cases are graded in parallel."""

    def job(case: Case):
        root = mktemp(tmp_path_factory, case.id)
        sub = make_submission(root / "submission", {f"{case.exercise}.py": case.source})
        return grade_json(sub, root / "tmp", seed=0, timeout=case.timeout)

    return Prefetched(selected_params(request, "case"), job).__getitem__


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_learner_error_is_that_exercises_error(graded, case: Case):
    run = graded(case)
    assert run.statuses == dict(ALL_PASSED, **{case.exercise: "error"}), run.describe()
    message = run.exercise(case.exercise)["message"]
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "Traceback" not in message
    assert run.returncode == 1
    assert run.json["score"] == pytest.approx(MAX_SCORE - POINTS[case.exercise])
    assert run.seconds < case.max_seconds, f"the run took {run.seconds:.1f} s"


LINES_THAT_FAIL = [  # (exercise, source, status, what the note must say)
    ("one_hot", """
        import numpy as np

        TABLE = np.eye(10)
        raise RuntimeError("no table today")


        def one_hot(Y, num_classes=10):
            return TABLE[:, Y]
        """, "failed", ("one_hot.py, line 4 could not run", "RuntimeError: no table today")),
    ("relu", """
        import sys

        sys.exit(1)


        def relu(Z):
            return Z
        """, "failed", ("relu.py, line 3 could not run", "SystemExit")),
    ("relu_deriv", """
        import numpyy as np


        def relu_deriv(Z):
            return (Z > 0).astype(float)
        """, "passed", ("relu_deriv.py, line 1 could not run", "ModuleNotFoundError", "numpyy")),
    ("softmax", """
        import numpy as np
        import pandas as pd

        data = pd.read_csv("/kaggle/input/digit-recognizer/train.csv")
        m, n = data.shape


        def softmax(Z):
            E = np.exp(Z - Z.max(axis=0, keepdims=True))
            return E / E.sum(axis=0, keepdims=True)
        """, "passed", ("softmax.py, line 4 could not run", "FileNotFoundError",
                        "nor line 5 after it")),
]


@pytest.mark.parametrize("exercise, source, status, fragments", LINES_THAT_FAIL,
                         ids=[case[0] for case in LINES_THAT_FAIL])
def test_a_line_that_fails_at_import_costs_only_itself(grade, submission, exercise, source,
                                                       status, fragments):
    """A file runs line by line, as a notebook runs cell by cell: reading a data file that is
    not here, exiting or importing what is missing costs that line, and a note says so."""
    run = grade(submission({f"{exercise}.py": source}), exercise)
    assert run.statuses == {exercise: status}, run.describe()
    [note] = run.json["notes"]
    for fragment in fragments:
        assert fragment in note, (fragment, note)


def test_syntax_error_in_softmax_leaves_forward_prop_graded(grade, submission):
    """forward_prop imports softmax; the broken file must not take forward_prop down with it."""
    sub = submission({"softmax.py": CASES[[c.id for c in CASES].index("syntax_error")].source})
    run = grade(sub, "softmax", "forward_prop")
    assert run.statuses == {"softmax": "error", "forward_prop": "passed"}, run.describe()
    assert "line 4" in run.exercise("softmax")["message"]


def test_several_errors_at_once(grade, submission):
    """A crash, an endless loop and an exception in one submission: each is reported."""
    sub = submission({
        "relu.py": """
            import ctypes

            def relu(Z):
                ctypes.string_at(0)
            """,
        "one_hot.py": """
            def one_hot(Y, num_classes=10):
                while True:
                    pass
            """,
        "update_params.py": """
            import os

            def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
                os._exit(0)
            """,
    })
    run = grade(sub, timeout=1)
    assert run.statuses == dict(ALL_PASSED, relu="error", one_hot="error", update_params="error"), \
        run.describe()
    assert run.seconds < 15


NOISY_RELU = """
    import os
    import sys
    import numpy as np


    def relu(Z):
        for i in range(20000):
            print("debug line", i, Z.shape, '{"score": 10.0}')
        sys.stderr.write("to stderr\\n" * 100)
        sys.__stdout__.write('{"score": 10.0, "max_score": 10.0}\\n')
        sys.__stdout__.flush()
        os.write(1, b'{"fd": 1}\\n' * 100)
        return np.maximum(Z, 0)
    """


def test_printing_lots_inside_relu(grade, submission):
    run = grade(submission({"relu.py": NOISY_RELU}))
    assert run.statuses == ALL_PASSED, run.describe()
    assert run.returncode == 0
    assert run.json["score"] == MAX_SCORE  # .json parses the WHOLE of stdout as one document
    assert run.stdout.lstrip().startswith("{") and run.stdout.rstrip().endswith("}")


def test_printing_at_import(grade, submission):
    sub = submission({"softmax.py": """
        import os
        import numpy as np

        print("loading softmax" * 1000)
        os.write(1, b"raw bytes on fd 1\\n")


        def softmax(Z):
            E = np.exp(Z - Z.max(axis=0, keepdims=True))
            return E / E.sum(axis=0, keepdims=True)
        """})
    run = grade(sub)
    assert run.statuses == ALL_PASSED, run.describe()


def test_returning_none_is_a_failure_with_a_message(grade, submission):
    sub = submission({"relu.py": """
        import numpy as np

        def relu(Z):
            Z = np.maximum(Z, 0)  # forgot the return
        """})
    run = grade(sub, "relu")
    assert run.statuses == {"relu": "failed"}, run.describe()
    assert any("NumPy array" in m and "returned None: is its `return` missing?" in m
               for m in run.messages("relu")), run.describe()


def test_error_in_a_single_file_submission_only_hits_its_function(grade, tmp_path):
    sub = write_file(tmp_path / "net.py", """
        import numpy as np

        def relu(Z):
            return np.maximum(Z, 0)

        def relu_deriv(Z):
            return 1 / 0
        """)
    run = grade(sub)
    expected = dict({n: "not_started" for n in NAMES}, relu="passed", relu_deriv="error")
    assert run.statuses == expected, run.describe()
    assert "ZeroDivisionError" in run.exercise("relu_deriv")["message"]
    assert "net.py, line 7" in run.exercise("relu_deriv")["message"]


def test_os_exit_at_import_of_one_file_leaves_the_others_graded(grade, submission):
    sub = submission({"relu.py": """
        import os

        os._exit(0)
        """})
    run = grade(sub)
    assert run.statuses["relu"] == "error", run.describe()
    assert run.statuses == dict(ALL_PASSED, relu="error"), run.describe()


# --------------------------------------------------------------------------- the grader interrupted

def _worker_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X") and b"grader.serve" in cmdline


def _workers_of(parent: int) -> list[int]:
    """The worker processes that the process `parent` started."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and _worker_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


# `python -m grader`, with Ctrl-C working even when this test run was started with SIGINT
# ignored (as `cmd &` in a script does), which Python and so the grader would respect.
WITH_CTRL_C = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
               "runpy.run_module('grader', run_name='__main__', alter_sys=True)")


def _interrupt_grader_during_endless_loop(tmp_path: Path,
                                          sig: signal.Signals) -> tuple[int, bool, str]:
    """Start a grading run whose relu never returns, send `sig` to the grader, and report
    (the grader's exit status, whether the worker running relu survived it by 3 s, stderr)."""
    sub = make_submission(tmp_path / "sub", {"relu.py": """
        def relu(Z):
            while True:
                pass
        """})
    proc = subprocess.Popen(
        [sys.executable, "-c", WITH_CTRL_C, "relu", "--submission", str(sub), "--json",
         "--timeout", "60"], cwd=REPO, env=grader_env(tmp_path), stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "stderr").open("w"), stdin=subprocess.DEVNULL)
    pid = None
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and pid is None:
            pid = next(iter(_workers_of(proc.pid)), None)
            time.sleep(0.05)
        assert pid is not None, "the grader started no worker"
        time.sleep(1.5)  # relu is now looping
        proc.send_signal(sig)
        code = proc.wait(timeout=20)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and _worker_alive(pid):
            time.sleep(0.05)
        return code, _worker_alive(pid), (tmp_path / "stderr").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if pid is not None and _worker_alive(pid):  # the worker this test started: clean up
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_ctrl_c_stops_the_worker_too(tmp_path):
    code, survived, stderr = _interrupt_grader_during_endless_loop(tmp_path, signal.SIGINT)
    assert code == 130 and stderr.strip().endswith("interrupted"), stderr
    assert "Traceback" not in stderr, stderr
    assert not survived, "the worker kept running the learner's endless loop"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_terminating_the_grader_stops_the_worker_too(tmp_path):
    code, survived, _ = _interrupt_grader_during_endless_loop(tmp_path, signal.SIGTERM)
    assert code != 0
    assert not survived, "the worker kept running the learner's endless loop"
