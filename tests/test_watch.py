"""Watch mode, driven as a learner drives it: `python -m grader watch` in a pseudo-terminal (one
test also with pipes), files saved into a scratch copy of the exercises, keys pressed.

Every wait is for text to appear, with a deadline; the watcher's output is read with its escape
codes taken out, at a fixed width, so neither COLUMNS nor the length of tmp_path matters.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from conftest import REPO, SOLUTIONS, grader_env, make_submission
from grader.catalog import BY_NAME, CHAPTERS, EXERCISES
from grader.stubs import stub_source

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
WIDTH = 100
ALL = len(EXERCISES)
LEVELS = len(BY_NAME["relu"].hints)  # three: the keys test shows each
BROKEN_SOFTMAX = "import numpy as np\n\n\ndef softmax(Z):\n    return Z\n"
# Wrong and slow: grading it takes about 8 x 0.15 s, time to press keys meanwhile.
SLOW_RELU = ("import time\n\nimport numpy as np\n\n\ndef relu(Z):\n    time.sleep(0.15)\n"
             "    return np.abs(Z)\n")


class Watch:
    """One `python -m grader watch`, in a pseudo-terminal or with pipes, and what it wrote."""

    def __init__(self, folder: Path, args: list[str], cwd: Path, env: dict[str, str],
                 terminal: bool) -> None:
        self.folder, self.terminal = folder, terminal
        command = [sys.executable, "-m", "grader", "watch", *args]
        env = env | {"COLUMNS": str(WIDTH)}
        if terminal:
            main, child = os.openpty()
            fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, WIDTH, 0, 0))
            self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=child, stdout=child,
                                         stderr=child, start_new_session=True)
            os.close(child)
            self.output = self.input = main
        else:
            self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.output, self.input = self.proc.stdout.fileno(), self.proc.stdin.fileno()
        self.raw, self.text, self.read_to = b"", "", 0

    def expect(self, text: str, timeout: float = 30.0) -> str:
        """Wait for `text` after what the last call found; what came up to the end of its line."""
        deadline = time.monotonic() + timeout
        while (found := self.text.find(text, self.read_to)) < 0 or "\n" not in self.text[found:]:
            ready = select.select([self.output], [], [], max(deadline - time.monotonic(), 0))[0]
            try:
                chunk = os.read(self.output, 65536) if ready else b""
            except OSError:  # the terminal of a process that ended
                chunk = b""
            if not chunk:
                why = "the watcher exited" if ready else f"not within {timeout:g} s"
                raise AssertionError(f"{text!r} never appeared ({why}); it wrote:\n"
                                     f"{self.text[-4000:]}")
            self.raw += chunk
            self.text = ESCAPES.sub("", self.raw.decode(errors="replace"))
        end = self.text.index("\n", found)
        seen, self.read_to = self.text[self.read_to:end], end
        return seen

    def status(self) -> str:
        """The next status line, after what it says of the folder."""
        prefix = f"watching {self.folder} for saves; "
        return self.expect(prefix).rsplit(prefix, 1)[1]

    def press(self, keys: str) -> None:
        for key in keys:  # one key per line through a pipe
            os.write(self.input, key.encode() if self.terminal else f"{key}\n".encode())

    def save(self, name: str, source: str) -> None:
        (self.folder / name).write_text(source)

    def quit(self) -> int:
        self.press("q")
        return self.proc.wait(timeout=20)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        if self.terminal:
            os.close(self.output)
        else:
            self.proc.stdout.close()
            self.proc.stdin.close()


@pytest.fixture
def watch(tmp_path):
    """watch(folder, terminal=True, learner=False) -> a started Watch on `folder`: with
    --submission, or as a learner runs it, in the checkout whose exercises/ `folder` is."""
    started: list[Watch] = []
    (tmp_path / "tmp").mkdir()
    env = grader_env(tmp_path / "tmp") | {"NN_GRADER_STATE": str(tmp_path / "state")}

    def _start(folder: Path, terminal: bool = True, learner: bool = False) -> Watch:
        args, cwd = ([], folder.parent) if learner else (["--submission", str(folder)], REPO)
        started.append(Watch(folder, args, cwd, env, terminal))
        return started[-1]

    yield _start
    for w in started:
        w.close()


def _stub(name: str) -> str:
    return stub_source(BY_NAME[name])


def test_a_save_regrades_its_own_exercise_and_the_status_line_follows(watch, tmp_path):
    w = watch(make_submission(tmp_path / "exercises", {"relu.py": _stub("relu")}))
    w.expect("TODO  relu ")
    assert w.status().startswith("current exercise: relu.")

    w.save("softmax.py", BROKEN_SOFTMAX)
    graded = w.expect("FAIL  softmax")
    assert "softmax.py changed: grading softmax" in graded
    assert "relu " not in graded, graded  # only the file saved is regraded
    assert w.status().startswith("current exercise: softmax.")

    w.save("softmax.py", (SOLUTIONS / "softmax.py").read_text())
    w.expect("PASS  softmax")
    assert "Next: Write relu in" in w.expect("Next:")
    assert w.status().startswith("current exercise: relu.")  # what is left to do

    w.press("n")  # relu_deriv, which passes: the status line stays on it
    assert "n: grading relu_deriv" in w.expect("PASS  relu_deriv")
    assert w.status().startswith("current exercise: relu_deriv.")
    assert w.quit() == 0


def test_the_last_exercise_passing_is_all_done(watch, tmp_path):
    w = watch(make_submission(tmp_path / "exercises", {"update_params.py": _stub("update_params")}))
    w.expect("TODO  update_params")
    assert w.status().startswith("current exercise: update_params.")
    w.save("update_params.py", (SOLUTIONS / "update_params.py").read_text())
    w.expect("PASS  update_params")
    w.expect(f"Progress {ALL}/{ALL} exercises")
    assert "Next:" not in w.expect(f"All {ALL} exercises pass. Press t to train")
    status = w.status()
    assert status.startswith(f"all {ALL} exercises pass") and "current" not in status
    w.press("h")
    w.expect("Every exercise passes: no hint needed")
    assert w.quit() == 0


def test_progress_follows_the_files_not_the_progress_file(watch, tmp_path):
    """A learner's own run (exercises/ of the checkout): a file broken since the progress file
    said everything passes is found at the start."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "grader", root / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    make_submission(root / "exercises", {"softmax.py": BROKEN_SOFTMAX})
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "progress.json").write_text(json.dumps(
        {"status": {ex.name: "passed" for ex in EXERCISES}}))
    w = watch(root / "exercises", learner=True)
    w.expect("FAIL  softmax")
    assert f"Progress {ALL - 1}/{ALL} exercises" in w.expect("Progress")
    assert w.status().startswith("current exercise: softmax.")
    assert w.quit() == 0
    saved = json.loads((tmp_path / "state" / "progress.json").read_text())["status"]
    assert saved["softmax"] == "failed" and saved["relu"] == "passed"


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_keys_pressed_while_grading_wait_their_turn(watch, tmp_path, terminal):
    w = watch(make_submission(tmp_path / "exercises", {"relu.py": SLOW_RELU}), terminal=terminal)
    w.press("hh")  # while it starts and grades everything
    w.expect("FAIL  relu ")
    assert w.status().startswith("current exercise: relu.")
    for level in (1, 2):  # in a panel each
        w.expect(f"Hint {level} of {LEVELS}: relu")
        w.expect(f"press h again for hint {level + 1}")

    w.save("relu.py", SLOW_RELU + "\n")
    w.expect("relu.py changed: grading relu")
    w.press("hnq")
    w.expect("FAIL  relu ")
    w.expect(f"Hint {LEVELS} of {LEVELS}: relu")
    w.expect("that was the last hint")
    w.expect("n: grading relu_deriv")
    assert w.status().startswith("current exercise: relu_deriv.")
    assert w.proc.wait(timeout=20) == 0


def test_t_trains_the_network(watch, tmp_path):
    w = watch(make_submission(tmp_path / "exercises", {}))
    w.status()
    w.press("tn")  # n waits for the training to end
    last = CHAPTERS[-1]  # every exercise passes: t trains the last chapter
    trained = w.expect("PASS  training", timeout=last.verdict.budget + 30)
    assert (f"t: grading all {len(last.exercises)} exercises and training your network "
            f"(chapter {last.number}) on") in trained
    assert "dev accuracy" in trained.splitlines()[-1] and "n: grading" not in trained
    w.expect("your network reads handwritten digits")
    w.expect("n: grading relu")
    assert w.status().startswith("current exercise: relu.")
    assert w.quit() == 0
