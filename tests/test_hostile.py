"""Hostile submissions: code written to fool the grader must never earn the points it cheats for.

Every case below pairs a cheating trick with WRONG functions, and checks that the cheated
exercises score 0, the exit status is not 0, and stdout is still one JSON document telling the
true score.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from conftest import (AS_ROOT, NAMES, REPO, grade_json, grader_env, hidden_grader,
                      make_submission, run_grader, sandboxed, signals_scoped, write_file)

# Seven functions with the right shapes and dtypes but wrong values.
WRONG = """
import numpy as np


def relu(Z):
    return np.abs(Z)


def relu_deriv(Z):
    return np.full(Z.shape, 0.5)


def softmax(Z):
    return np.full(Z.shape, 1.0 / Z.shape[0])


def one_hot(Y, num_classes=10):
    return np.full((num_classes, len(Y)), 1.0 / num_classes)


def forward_prop(W1, b1, W2, b2, X):
    zeros = np.zeros((W1.shape[0], X.shape[1]))
    return zeros, zeros, zeros, np.full(zeros.shape, 0.1)


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    return np.ones(W1.shape), np.ones((W1.shape[0], 1)), np.ones(W2.shape), np.ones((W2.shape[0], 1))


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 + 1.0, b1 + 1.0, W2 + 1.0, b2 + 1.0
"""

FAKE_JSON = ('{"score": 10.0, "max_score": 10.0, "seed": 0, "exercises": [], '
             '"training": {"status": "passed"}}')


def assert_no_points(run, cheated=NAMES):
    """The run finished, stdout is one JSON document, and no cheated exercise scored."""
    data = run.json  # fails unless stdout is exactly one JSON document
    assert run.returncode == 1, run.describe()
    for name in cheated:
        ex = run.exercise(name)
        assert ex["status"] != "passed" and ex["score"] == 0.0, run.describe()
    assert data["score"] == sum(e["score"] for e in data["exercises"])
    assert FAKE_JSON not in run.stdout


def single_file(tmp_path: Path, prelude: str, body: str = WRONG, name: str = "cheat.py") -> Path:
    return write_file(tmp_path / name, textwrap.dedent(prelude) + "\n" + body)


# --------------------------------------------------------------------------- exiting and printing

def test_os_exit_0_at_import_of_a_file(grade, tmp_path):
    sub = single_file(tmp_path, """
        import os
        os._exit(0)
        """)
    run = grade(sub)
    assert_no_points(run)
    assert run.json["score"] == 0.0


def test_os_exit_0_at_import_of_one_module_in_a_folder(grade, tmp_path):
    sub = make_submission(tmp_path / "sub", {"relu.py": """
        import os
        os._exit(0)

        def relu(Z):
            return Z
        """})
    run = grade(sub)
    assert_no_points(run, cheated=["relu"])


def test_fake_json_printed_at_import_and_in_functions(grade, tmp_path):
    prelude = f"""
        import os
        import sys

        FAKE = {FAKE_JSON!r}
        print(FAKE)
        sys.__stdout__.write(FAKE + "\\n")
        sys.__stdout__.flush()
        os.write(1, (FAKE + "\\n").encode())
        os.write(2, (FAKE + "\\n").encode())
        """
    body = WRONG.replace("def relu(Z):\n    return np.abs(Z)",
                         "def relu(Z):\n    print(FAKE)\n    os.write(1, FAKE.encode())\n"
                         "    return np.maximum(Z, 0)")  # relu is right: the true score is 1
    assert "print(FAKE)" in body
    sub = single_file(tmp_path, prelude, body)
    run = grade(sub)
    assert_no_points(run, cheated=[n for n in NAMES if n != "relu"])
    assert run.json["score"] == 1.0 and run.statuses["relu"] == "passed", run.describe()


def test_fake_json_then_os_exit_0_in_a_function(grade, tmp_path):
    prelude = f"""
        import os
        import sys
        FAKE = {FAKE_JSON!r}
        """
    body = WRONG.replace("def softmax(Z):\n",
                         "def softmax(Z):\n    sys.__stdout__.write(FAKE)\n"
                         "    sys.__stdout__.flush()\n    os._exit(0)\n")
    run = grade(single_file(tmp_path, prelude, body))
    assert_no_points(run)
    assert "softmax()" in run.exercise("softmax")["message"]


# --------------------------------------------------------------------------- lying about results

def test_numpy_comparisons_patched_at_import(grade, tmp_path):
    prelude = """
        import numpy as np
        import numpy.testing

        np.allclose = lambda *a, **k: True
        np.array_equal = lambda *a, **k: True
        np.array_equiv = lambda *a, **k: True
        np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
        np.isfinite = lambda x, *a, **k: np.ones(np.shape(x), dtype=bool)
        np.testing.assert_allclose = lambda *a, **k: None
        np.testing.assert_array_equal = lambda *a, **k: None
        np.testing.assert_array_almost_equal = lambda *a, **k: None
        try:
            np.ndarray.__eq__ = lambda self, other: True  # refused by NumPy, but try
        except TypeError:
            pass
        """
    run = grade(single_file(tmp_path, prelude))
    assert_no_points(run)
    assert run.json["score"] == 0.0


ALWAYS_EQUAL = """
import numpy as np


class Anything:
    shape = (10, 7)
    dtype = np.dtype(float)
    ndim = 2

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)

    def __getattr__(self, name):
        return self

    def __call__(self, *a, **k):
        return self

    def __bool__(self):
        return True

    def __float__(self):
        return 0.0

    def __repr__(self):
        return "array(<exactly what you expected>)"


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

    def __sub__(self, other):
        return np.zeros(self.shape)

    __rsub__ = __sub__

    def astype(self, *a, **k):
        return self

    def all(self, *a, **k):
        return True


def liar(shape):
    return np.full(shape, 0.123).view(Liar)


def relu(Z):
    return Anything()


def relu_deriv(Z):
    return liar(Z.shape)


def softmax(Z):
    return liar(Z.shape)


def one_hot(Y, num_classes=10):
    return Anything()


def forward_prop(W1, b1, W2, b2, X):
    return Anything(), Anything(), Anything(), Anything()


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    column = (W1.shape[0], 1)
    return liar(W1.shape), liar(column), liar(W2.shape), liar(column)


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return Anything()
"""


def test_objects_that_compare_equal_to_anything(grade, tmp_path):
    run = grade(write_file(tmp_path / "equal.py", ALWAYS_EQUAL))
    assert_no_points(run)
    assert run.json["score"] == 0.0
    assert any("should be a NumPy array" in m for m in run.messages("relu")), run.describe()


MEMORISED = """
import numpy as np

# The answers to the grader's fixed examples (as printed in its messages), returned for any input.
_RELU = np.array([[0.0, 0.0, 0.0, 4.0], [0.5, 3.0, 0.0, 0.0]])
_RELU_DERIV = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
_e = np.exp([1.0, 2.0, 3.0])
_SOFTMAX = np.column_stack([_e / _e.sum(), [0.25, 0.25, 0.5]])
_ONE_HOT = np.zeros((10, 3))
_ONE_HOT[[2, 0, 9], [0, 1, 2]] = 1.0

# The right answers for ONE fixed random network, returned for every network.
_rng = np.random.default_rng(0)
_W1, _b1 = _rng.normal(0, 0.05, (10, 784)), _rng.normal(0, 0.1, (10, 1))
_W2, _b2 = _rng.normal(0, 0.45, (10, 10)), _rng.normal(0, 0.1, (10, 1))
_X = _rng.random((784, 7))
_Y = _rng.integers(0, 10, 7)
_Z1 = _W1 @ _X + _b1
_A1 = np.maximum(_Z1, 0)
_Z2 = _W2 @ _A1 + _b2
_E = np.exp(_Z2 - _Z2.max(axis=0))
_A2 = _E / _E.sum(axis=0)
_T = np.zeros((10, 7))
_T[_Y, np.arange(7)] = 1
_dZ2 = _A2 - _T
_dZ1 = _W2.T @ _dZ2 * (_Z1 > 0)
_GRADS = (_dZ1 @ _X.T / 7, _dZ1.sum(1, keepdims=True) / 7, _dZ2 @ _A1.T / 7,
          _dZ2.sum(1, keepdims=True) / 7)


def relu(Z):
    return _RELU.copy()


def relu_deriv(Z):
    return _RELU_DERIV.copy()


def softmax(Z):
    return _SOFTMAX.copy()


def one_hot(Y, num_classes=10):
    return _ONE_HOT.copy()


def forward_prop(W1, b1, W2, b2, X):
    return _Z1.copy(), _A1.copy(), _Z2.copy(), _A2.copy()


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    return tuple(g.copy() for g in _GRADS)


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return _W1 - 0.1 * _GRADS[0], _b1 - 0.1 * _GRADS[1], _W2 - 0.1 * _GRADS[2], _b2 - 0.1 * _GRADS[3]
"""


def test_precomputed_outputs_for_every_input(grade, tmp_path):
    run = grade(write_file(tmp_path / "memorised.py", MEMORISED))
    assert_no_points(run)
    assert run.json["score"] == 0.0
    # the memorised fixed examples do pass their own check: the points are lost elsewhere
    relu_checks = {c["name"]: c["status"] for c in run.exercise("relu")["checks"]}
    assert relu_checks["matches max(0, Z) on a small fixed Z with negatives, zeros and positives"] \
        == "passed"


# --------------------------------------------------------------------------- tampering with the grader

PATCH_GRADER_IN_MEMORY = """
import sys
import numpy as np

try:
    import grader.compare
    import grader.checking
    import grader.network
    import grader.gradcheck
    import grader.wire
    import grader.worker

    accept = lambda got, *a, **k: got
    grader.compare.expect_array = accept
    grader.compare.expect_tuple = lambda got, *a, **k: tuple(got)
    grader.compare.expect_untouched = lambda *a, **k: None
    grader.checking.expect_array = accept
    grader.checking.matches_reference = lambda learner, args, **k: None
    grader.gradcheck.expect_gradients = lambda *a, **k: None
    grader.compare.tolerance = lambda *a: (np.inf, np.inf)

    class NeverFails(Exception):
        pass

    grader.compare.CheckFailed = NeverFails
    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("grader"):
            for key in ("expect_array", "matches_reference", "expect_gradients"):
                if hasattr(mod, key):
                    setattr(mod, key, accept)
except Exception as err:  # the grader may hide itself; the cheat then simply does nothing
    print("could not patch:", err)
"""


def test_patching_grader_modules_from_the_submission(grade, tmp_path):
    prelude = PATCH_GRADER_IN_MEMORY
    # also make the reference functions (which the worker swaps in) the learner's wrong ones
    body = WRONG + textwrap.dedent("""
        try:
            import grader.network as _ref
            for _name in ("relu", "relu_deriv", "softmax", "one_hot", "forward_prop",
                          "backward_prop", "update_params"):
                setattr(_ref, _name, globals()[_name])
        except Exception:
            pass
        """)
    run = grade(single_file(tmp_path, prelude, body))
    assert_no_points(run)
    assert run.json["score"] == 0.0


def test_patching_grader_modules_in_a_folder(grade, tmp_path):
    sub = make_submission(tmp_path / "sub", {
        "relu.py": PATCH_GRADER_IN_MEMORY + "\n\ndef relu(Z):\n    return Z\n",
        "softmax.py": "import grader.compare\n"
                      "grader.compare.expect_array = lambda got, *a, **k: got\n\n"
                      "def softmax(Z):\n    return Z\n",
    })
    run = grade(sub)
    assert_no_points(run, cheated=["relu", "softmax"])
    # Where Landlock hides the grader's files, `import grader.compare` fails; elsewhere it
    # imports a copy the grader never uses.
    # A line that fails at import costs only itself: softmax is defined either way, and fails.
    assert run.statuses == dict({n: "passed" for n in NAMES}, relu="failed", softmax="failed"), \
        run.describe()


@sandboxed
def test_writing_to_the_graders_own_stdout_through_proc(grade, tmp_path):
    prelude = f"""
        import os
        try:
            with open(f"/proc/{{os.getppid()}}/fd/1", "w") as out:
                out.write({FAKE_JSON!r} + "\\n")
        except OSError:
            pass
        """
    run = grade(single_file(tmp_path, prelude))
    assert_no_points(run)  # stdout must be the grader's one JSON document, without FAKE_JSON


@signals_scoped
def test_killing_the_grader_from_a_function(grade, tmp_path):
    body = WRONG.replace("def relu(Z):\n", "def relu(Z):\n    import os, signal\n"
                                            "    os.kill(os.getppid(), signal.SIGKILL)\n")
    run = grade(single_file(tmp_path, "", body))
    assert_no_points(run)
    assert run.statuses["relu"] == "error"


def test_killing_the_grader_never_reports_success(grade, tmp_path):
    body = WRONG.replace("def relu(Z):\n", "def relu(Z):\n    import os, signal\n"
                                            "    os.kill(os.getppid(), signal.SIGKILL)\n")
    run = grade(single_file(tmp_path, "", body))
    assert run.returncode != 0
    assert '"score": 10.0' not in run.stdout


def _grader_copy(tmp_path: Path) -> Path:
    """A private copy of the grader package, so that tampering can never reach the real one."""
    root = (tmp_path / "repo").resolve()
    shutil.copytree(REPO / "grader", root / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _tamper_source(target: Path) -> str:
    # Writes only into the private copy: a guard against ever touching the real repository.
    return f"""
import os
import grader

_package = os.path.dirname(os.path.abspath(grader.__file__))
_accept = ("\\nexpect_array = lambda got, *a, **k: got\\n"
           "expect_untouched = lambda *a, **k: None\\n")
if _package == {str(target / "grader")!r}:
    # a conftest.py that pytest would load before the checks ...
    with open(os.path.join(_package, "chapter1", "conftest.py"), "w") as _f:
        _f.write("import grader.compare as c" + _accept.replace("\\ne", "\\nc.e"))
    # ... and the comparison functions themselves, for the next run
    with open(os.path.join(_package, "compare.py"), "a") as _f:
        _f.write(_accept)


def relu(Z):
    return Z
"""


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@sandboxed
def test_writing_into_the_grader_package_earns_nothing(tmp_path):
    root = _grader_copy(tmp_path)
    real_checks = sorted(p.name for p in (REPO / "grader" / "chapter1").iterdir())
    sub = make_submission(tmp_path / "sub", {"relu.py": _tamper_source(root)})
    before = _files(root / "grader")
    runs = [run_grader(["relu", "--submission", str(sub), "--no-train", "--json", "--seed", "0"],
                       tmp_path / f"t{i}", cwd=root) for i in range(2)]
    assert sorted(p.name for p in (REPO / "grader" / "chapter1").iterdir()) == real_checks
    for i, run in enumerate(runs, 1):
        try:
            assert_no_points(run, cheated=["relu"])
        except AssertionError as err:
            raise AssertionError(f"grading run {i} of 2: {err}") from None
    assert _files(root / "grader") == before, "the submission changed the grader's files"


def test_grader_copy_is_what_runs(tmp_path):
    """Guards the test above: the copy in tmp_path, not the repository, is the one graded."""
    root = _grader_copy(tmp_path)
    sub = make_submission(tmp_path / "sub", {"relu.py": """
        import grader
        import numpy as np

        def relu(Z):
            if not grader.__file__.startswith(%r):
                raise RuntimeError("graded by " + grader.__file__)
            return np.maximum(Z, 0)
        """ % str(root)})
    run = run_grader(["relu", "--submission", str(sub), "--no-train", "--json", "--seed", "0"],
                     tmp_path / "t", cwd=root)
    assert run.statuses == {"relu": "passed"}, run.describe()


@pytest.mark.parametrize("landlock", [
    pytest.param("1", marks=hidden_grader),
    pytest.param("0", marks=pytest.mark.skipif(not AS_ROOT, reason="without Landlock, only "
                                                "root keeps submissions apart"))])
def test_a_submission_cannot_read_another_one_being_graded(tmp_path, monkeypatch, landlock):
    from grader.worker import Worker

    monkeypatch.setenv("NN_GRADER_LANDLOCK", landlock)
    with Worker(make_submission(tmp_path / "other", {})) as other:
        assert other.loaded()["functions"], "the other submission did not load"
        staged = next((other._staging / "submission").rglob("relu.py"))
        if AS_ROOT:  # closed to every user but the worker's own group, namespaces or not
            folder = (other._staging / "submission").stat()
            assert (folder.st_mode & 0o777, folder.st_gid) == (0o750, other._uid)
        thief = write_file(tmp_path / "thief.py", f"exec(open({str(staged)!r}).read())\n")
        with Worker(thief) as worker:
            loaded = worker.loaded()
    assert loaded["functions"] == [], loaded
    assert "PermissionError" in loaded["warnings"][0] or \
        "FileNotFoundError" in loaded["warnings"][0], loaded  # its /tmp is its own


def test_a_check_module_that_cannot_be_imported_is_the_graders_error_not_ctrl_c(tmp_path):
    root = _grader_copy(tmp_path)
    (root / "grader" / "chapter1" / "relu.py").write_text("import does_not_exist\n")
    run = run_grader(["relu", "--submission", str(REPO / "solutions"), "--no-train", "--json"],
                     tmp_path / "t", cwd=root)
    assert run.returncode not in (0, 130), run.describe()
    assert "the grader's checks did not run" in run.stderr and "interrupted" not in run.stderr


def test_a_check_that_cannot_be_set_up_is_the_graders_error_never_a_pass(tmp_path):
    """Fail closed: an exercise whose checks did not all report is never passed."""
    root = _grader_copy(tmp_path)
    module = root / "grader" / "chapter1" / "relu.py"
    module.write_text(module.read_text() + "\n\ndef check_extra(learner, no_such_fixture):\n"
                      '    """never runs"""\n')
    run = run_grader(["relu", "--submission", str(REPO / "solutions"), "--no-train", "--json"],
                     tmp_path / "t", cwd=root)
    assert run.returncode not in (0, 130) and '"passed"' not in run.stdout, run.describe()
    assert "the grader's checks did not run" in run.stderr


# --------------------------------------------------------------------------- the grader protects itself

# Learner code that finds the worker's reply pipe (the one write-only pipe it holds) and
# writes a reply of its own into it.
FORGE = """
import fcntl, json, os, stat, struct


def reply_pipe():
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and \\
                    fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            pass


def forge(header):
    raw = json.dumps(header).encode()
    fd = reply_pipe()
    os.write(fd, struct.pack("<Q", len(raw)) + raw)
    zeros = bytes(1 << 20)
    while True:
        os.write(fd, zeros)
"""


def _peak_memory_mb(args: list[str], tmp: Path) -> tuple[int, float, str]:
    """Run the grader in a child of a fresh Python and measure the largest resident memory of
    any process in that tree (the grader or its worker): (MB, seconds, stdout)."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, "
             "stdin=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, "
             "time.perf_counter() - t); print(p.stdout)")
    tmp.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "grader", *args],
                         cwd=REPO, env=grader_env(tmp), capture_output=True, text=True,
                         timeout=200).stdout
    first, _, rest = out.partition("\n")
    mb, seconds = first.split()
    json.loads(rest)  # still one JSON document
    return int(mb), float(seconds), rest


def test_a_forged_reply_announcing_a_terabyte_is_refused_before_it_is_read(tmp_path):
    body = WRONG.replace("def relu(Z):\n", "def relu(Z):\n    forge({'status': 'ok', "
                                            "'blobs': [1 << 30] * 1000})\n")
    sub = single_file(tmp_path, FORGE, body)
    mb, seconds, out = _peak_memory_mb(["relu", "--submission", str(sub), "--no-train",
                                        "--json", "--timeout", "20"], tmp_path / "tmp")
    assert mb < 600 and seconds < 15, (mb, seconds)  # it took 4.4 GB and the whole 20 s
    assert "message it does not take" in out and "too large" in out, out[:3000]


def test_a_forged_header_of_a_gigabyte_is_refused_before_it_is_read(tmp_path):
    body = WRONG.replace("def relu(Z):\n", "def relu(Z):\n    import os, struct\n"
                                            "    fd = reply_pipe()\n"
                                            "    os.write(fd, struct.pack('<Q', 1 << 30))\n"
                                            "    forge({})\n")
    sub = single_file(tmp_path, FORGE, body)
    mb, seconds, out = _peak_memory_mb(["relu", "--submission", str(sub), "--no-train",
                                        "--json"], tmp_path / "tmp")
    assert mb < 600 and seconds < 15, (mb, seconds)
    assert "too large" in out


def test_huge_exception_messages_are_cut_and_say_so(grade, tmp_path):
    raising = "\n".join(f"def {name}(*args, **kwargs):\n    raise ValueError('x' * 40_000_000)\n"
                        for name in NAMES)
    run = grade(single_file(tmp_path, "", raising))
    assert len(run.stdout) < 200_000, len(run.stdout)  # it was 293 MB
    assert "more characters cut]" in run.exercise("relu")["message"], run.describe()
    assert run.json["score"] == 0.0


TERMINAL_TRICKS = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b]8;;http://evil.example\x1b\\\\link\x1b]8;;\x1b\\\\\r\u202e"


def test_escape_sequences_from_learner_code_are_shown_as_text(grade, tmp_path):
    body = WRONG.replace("def relu(Z):\n    return np.abs(Z)",
                         f"def relu(Z):\n    print({TERMINAL_TRICKS!r})\n"
                         f"    raise ValueError({TERMINAL_TRICKS!r})")
    body = body.replace("def softmax(Z):\n", f"def softmax(Z):\n    print({TERMINAL_TRICKS!r})\n")
    sub = single_file(tmp_path, "", body)
    run = grade(sub)
    for text in (run.stdout, run.stderr):
        assert not any(c in text for c in "\x1b\x07\r\u202e"), repr(text[:3000])
    assert "␛]0;pwned␇" in run.exercise("relu")["message"], run.describe()
    report = run_grader(["--submission", str(sub), "--no-train"], tmp_path / "report")
    assert "pwned" in report.stdout and "\x1b]0;" not in report.stdout + report.stderr


def test_complex_results_are_not_taken_as_numbers(grade, tmp_path):
    body = WRONG.replace("def relu(Z):\n    return np.abs(Z)",
                         "def relu(Z):\n    return np.maximum(Z, 0) + 0j")
    run = grade(single_file(tmp_path, "", body), "relu")
    assert run.statuses["relu"] == "failed", run.describe()
    assert any("complex128" in m for m in run.messages("relu")), run.describe()


# --------------------------------------------------------------------------- limits of a whole submission

own_user = pytest.mark.skipif(not AS_ROOT, reason="only as root does each worker have a user id "
                              "of its own, whose processes can be counted together")


@own_user
def test_memory_is_counted_over_every_process_of_a_submission(tmp_path):
    # Three children of 500 MB each: every one is within the 1 GB limit, together they are not.
    body = WRONG.replace("def relu(Z):\n", """def relu(Z):
    import os, time
    for _ in range(3):
        done, told = os.pipe()
        if os.fork() == 0:
            block = np.ones(500 << 17)  # 500 MB, touched
            os.write(told, b"x")
            time.sleep(30)
            os._exit(0)
        os.read(done, 1)  # one at a time: never more than 2 running
    time.sleep(30)
""")
    sub = single_file(tmp_path, "", body)
    env_tmp = tmp_path / "tmp"
    env_tmp.mkdir()
    proc = subprocess.run([sys.executable, "-m", "grader", "relu", "--submission", str(sub),
                           "--no-train", "--json", "--timeout", "20"], cwd=REPO,
                          env=dict(grader_env(env_tmp), NN_GRADER_MEMORY_MB="1024"),
                          capture_output=True, text=True, timeout=120)
    message = json.loads(proc.stdout)["exercises"][0]["message"]
    assert "GB of memory across its" in message, message  # it held 1.5 GB for 20 s


@own_user
def test_busy_processes_are_counted_over_every_process_of_a_submission(grade, tmp_path):
    body = WRONG.replace("def relu(Z):\n", """def relu(Z):
    import os
    for _ in range(6):
        if os.fork() == 0:
            while True:
                pass
    while True:
        pass
""")
    run = grade(single_file(tmp_path, "", body), "relu", timeout=20)
    message = run.exercise("relu")["message"]
    # All 7 once the forks are done; fewer if the watchdog looked while they were forking.
    busy = re.search(r"kept (\d) processes running at once \(a submission may keep 2\)", message)
    assert busy and int(busy[1]) > 2, message  # it ran the whole 20 s
    assert run.seconds < 10


def test_a_scratch_folder_past_its_limit_is_stopped(tmp_path):
    from grader.limits import Limits
    from grader.watchdog import Watchdog
    killed = threading.Event()
    dog = Watchdog(None, tmp_path, Limits(scratch_mb=1), kill=killed.set).start()
    (tmp_path / "small").write_bytes(bytes(1 << 19))
    assert not killed.wait(0.5)
    (tmp_path / "big").write_bytes(bytes(2 << 20))
    assert killed.wait(2) and "more than 1 MB" in dog.reason
    dog.stop()


def _namespaces() -> bool:
    """Whether this process may make mount and network namespaces (root with CAP_SYS_ADMIN)."""
    pid = os.fork()
    if pid == 0:
        import ctypes
        os._exit(ctypes.CDLL(None).unshare(0x40020000) != 0)
    return os.waitpid(pid, 0)[1] == 0


@pytest.mark.skipif(not (AS_ROOT and sys.platform == "linux" and _namespaces()),
                    reason="needs root where namespaces may be made")
def test_a_submission_has_a_disk_of_its_own_and_no_sockets(grade, tmp_path):
    body = WRONG.replace("def relu(Z):\n", """def relu(Z):
    import os, socket
    said = []
    for family, kind in ((socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_INET, socket.SOCK_STREAM),
                         (socket.AF_UNIX, socket.SOCK_STREAM)):
        try:
            socket.socket(family, kind)
            said.append("socket made")
        except OSError as err:
            said.append(f"errno {err.errno}")
    try:
        for i in range(20):
            with open(f"block{i}", "wb") as f:
                f.write(bytes(30 << 20))
    except OSError as err:
        said.append(f"full after {i} blocks: errno {err.errno}")
    for folder in ("/tmp", "/dev/shm"):
        try:
            with open(f"{folder}/left-behind", "w") as f:
                f.write("for a classmate")
        except OSError as err:
            pass
    raise ValueError(repr(said))
""")
    run = grade(single_file(tmp_path, "", body), "relu")
    message = run.exercise("relu")["message"]
    assert "['errno 13', 'errno 13', 'errno 13', 'full after 4 blocks: errno 28']" in message, \
        message
    for folder in ("/tmp", "/dev/shm"):
        assert not Path(folder, "left-behind").exists()


SPY = """
import os


def relu(Z):
    seen = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for part in ("cmdline", "environ"):
            try:
                with open(f"/proc/{pid}/{part}", "rb") as f:
                    text = f.read().replace(b"\\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "grader" in text:
                seen.append(text)
    raise ValueError(" | ".join(seen))
"""


@own_user
def test_in_a_batch_no_command_line_carries_the_seed_or_a_path(tmp_path):
    make_submission(tmp_path / "class" / "alice-7f3a", {})
    write_file(tmp_path / "class" / "spy.py", SPY)
    out = tmp_path / "grades.csv"
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(tmp_path / "class"),
                           "--out", str(out), "--no-train", "--seed", "918273645", "--jobs", "2"],
                          cwd=REPO, capture_output=True, text=True, env=grader_env(tmp_path),
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    spy = next(s for s in json.loads(out.with_suffix(".json").read_text())["submissions"]
               if s["student"] == "spy")
    seen = spy["grading"]["exercises"][0]["message"].partition(" (spy.py, line")[0]
    assert "python -m grader" in seen, seen  # it did read command lines: its own grader's
    assert "918273645" not in seen and "alice-7f3a" not in seen and "spy.py" not in seen, seen


def test_a_student_name_with_escape_sequences_is_written_as_text(tmp_path):
    name = "\x1b]0;pwned\x07[bold]eve\x1b[2J"
    write_file(tmp_path / "class" / f"{name}.py", WRONG)
    out = tmp_path / "grades.csv"
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(tmp_path / "class"),
                           "--out", str(out), "--no-train"], cwd=REPO, capture_output=True,
                          text=True, env=grader_env(tmp_path), timeout=120)
    assert proc.returncode == 0, proc.stderr
    written = out.read_text() + out.with_suffix(".json").read_text()
    for text in (proc.stdout, proc.stderr, written):
        assert "\x1b" not in text and "\x07" not in text, repr(text)
    assert "␛]0;pwned␇[bold]eve␛[2J" in out.read_text()


HOGS = {  # relu's body -> what the grader says, whichever limit the hog meets first
    "memory past the limit": "hoard = []\n    while True:\n        hoard.append(np.ones(10**7))",
    "memory that grows until the time is up":
        "hoard = [np.ones(10**7) for _ in range(9)]\n    time.sleep(60)",
}


@pytest.mark.parametrize("hog", HOGS)
def test_a_memory_hog_is_told_the_same_cause_under_any_load(tmp_path, monkeypatch, hog):
    # Under --jobs 2 a hog can reach the call's time limit before the memory limit; both say
    # that memory grows, and the first says how much it held (9 x 80 MB of 1,024 MB).
    monkeypatch.setenv("NN_GRADER_MEMORY_MB", "1024")
    path = tmp_path / "hog.py"
    path.write_text(f"import time\nimport numpy as np\n\ndef relu(Z):\n    {HOGS[hog]}\n")
    run = grade_json(path, tmp_path / "t", "relu", timeout=4)
    relu = run.exercise("relu")
    assert relu["status"] == "error", run.describe()
    assert "memory that grows without end" in relu["message"], relu["message"]
    assert ("MemoryError" in relu["message"]) == (hog == "memory past the limit")
    if hog != "memory past the limit":
        assert "did not finish within 4 s and was stopped, using 0.7 GB of the 1,024 MB" \
            in relu["message"]
