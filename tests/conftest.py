"""Shared helpers for the grader's own tests: run `python -m grader` and build submissions.

Every grading run is a real subprocess (`sys.executable -m grader`) started in the repository
root, with NO_COLOR=1, no bytecode written and its temporary files under the test's tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.catalog import CHAPTERS
from grader.sandbox import landlock_wanted

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
EXERCISES = REPO / "exercises"
NAMES = tuple(ex.name for ex in CHAPTERS[0].exercises)  # chapter 1, graded by default
POINTS = {ex.name: ex.points for ex in CHAPTERS[0].exercises}
MAX_SCORE = CHAPTERS[0].max_score


@dataclass
class Run:
    """One finished `python -m grader ...` run."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    _json: dict | None = field(default=None, repr=False)

    @property
    def json(self) -> dict:
        """The whole of stdout parsed as exactly one JSON document (fails on anything extra)."""
        if self._json is None:
            try:
                self._json = json.loads(self.stdout)
            except ValueError as err:
                raise AssertionError(f"stdout of {self.args} is not one JSON document ({err}):\n"
                                     f"{self.stdout[:2000]}\n--- stderr ---\n{self.stderr[-2000:]}")
        return self._json

    def exercise(self, name: str) -> dict:
        found = [e for e in self.json["exercises"] if e["name"] == name]
        assert len(found) == 1, f"{name} appears {len(found)} times in {self.statuses}"
        return found[0]

    @property
    def statuses(self) -> dict[str, str]:
        return {e["name"]: e["status"] for e in self.json["exercises"]}

    def failed_checks(self, name: str) -> list[dict]:
        return [c for c in self.exercise(name)["checks"] if c["status"] == "failed"]

    def messages(self, name: str) -> list[str]:
        """The exercise's own message (error / not started) and those of its failed checks."""
        ex = self.exercise(name)
        return [m for m in [ex.get("message", "")] + [c["message"] for c in self.failed_checks(name)]
                if m]

    def describe(self) -> str:
        """Everything useful for an assertion message."""
        try:
            parts = [f"exit {self.returncode}, statuses {self.statuses}, score {self.json['score']}"]
            for e in self.json["exercises"]:
                for m in [e.get("message", "")] + [c["message"] for c in e["checks"]
                                                   if c["status"] == "failed"]:
                    if m:
                        parts.append(f"  {e['name']}: {m}")
        except AssertionError as err:
            parts = [f"exit {self.returncode}", str(err)]
        return "\n".join(parts) + (f"\n--- stderr ---\n{self.stderr[-1500:]}" if self.stderr else "")


def grader_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1", TMPDIR=str(tmp),
               TEMP=str(tmp), TMP=str(tmp))
    for var in ("FORCE_COLOR", "PYTEST_ADDOPTS", "PYTHONSTARTUP"):
        env.pop(var, None)
    return env


def run_grader(args: list[str], tmp: Path, *, cwd: Path = REPO, timeout: float = 120.0) -> Run:
    """`python -m grader ARGS` in `cwd`; its temporary files go under `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=grader_env(tmp),
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return Run(list(args), proc.returncode, proc.stdout, proc.stderr,
               time.perf_counter() - started)


def told(run: Run, name: str) -> str:
    """Everything the report tells of one exercise: diagnosis, message, note, every check's."""
    e = run.exercise(name)
    return "\n".join([e["diagnosis"], e["message"], e["note"],
                      *(c["message"] for c in e["checks"])])


def assert_each_bug_told(run: Run, exercises, statuses: dict[str, str],
                         fragments_of: dict[str, tuple[str, ...]]) -> None:
    """A learner file's grading: every exercise passed but those in `statuses`, and each
    exercise in `fragments_of` was told every one of its fragments."""
    assert run.returncode in (0, 1), run.stderr
    assert run.statuses == dict.fromkeys(exercises, "passed") | statuses, summary(run)
    for exercise, fragments in fragments_of.items():
        said = told(run, exercise)
        for fragment in fragments:
            assert fragment in said, (exercise, fragment, said)


def summary(run: Run) -> str:
    """One line per exercise: name, status, diagnosis, message (for assertion messages)."""
    return "\n".join(f"{e['name']}: {e['status']} {e['diagnosis']} {e['message']}"
                     for e in run.json["exercises"])


def grade_json(submission: Path, tmp: Path, *exercises: str, seed: int = 0,
               timeout: float | None = None) -> Run:
    """Grade `submission` (only `exercises` if given) with --no-train --json --seed."""
    args = [*exercises, "--submission", str(submission), "--no-train", "--json", "--seed", str(seed)]
    if timeout is not None:
        args += ["--timeout", str(timeout)]
    return run_grader(args, tmp)


def make_submission(root: Path, files: dict[str, str], *, base: Path | None = SOLUTIONS) -> Path:
    """A folder laid out like exercises/: a copy of `base` with `files` (name -> source) replaced."""
    if base is not None:
        shutil.copytree(base, root, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        root.mkdir(parents=True)
    for name, source in files.items():
        (root / name).write_text(textwrap.dedent(source).lstrip("\n"))
    return root


def write_file(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    return path


AS_ROOT = os.name == "posix" and os.geteuid() == 0
LANDLOCK = landlock_wanted()  # 0 where the kernel has none, or NN_GRADER_LANDLOCK=0
# What the worker's sandbox prevents beyond resource limits: a grader running as root runs
# learner code as a user of its own; where Linux has Landlock, any grader confines it.
sandboxed = pytest.mark.skipif(not (AS_ROOT or LANDLOCK), reason="learner code runs as yourself "
                               "without Landlock (Linux 5.13+) or root: it can do what you can")
hidden_grader = pytest.mark.skipif(not LANDLOCK, reason="only Landlock (Linux 5.13+) hides the "
                                   "grader's own files from the worker")
signals_scoped = pytest.mark.skipif(not (AS_ROOT or LANDLOCK >= 6), reason="needs root or "
                                    "Landlock 6 (Linux 6.12+) to stop learner code signalling "
                                    "the grader")

PARALLEL = max(2, min(4, os.cpu_count() or 2))  # grading runs started at once by prefetch()


def selected_params(request: pytest.FixtureRequest, argname: str) -> list:
    """The values of parameter `argname` of every test selected in this session (after -k etc.)
    that uses the fixture asking (another test may have a parameter of the same name)."""
    values = []
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if argname in params and params[argname] not in values \
                and request.fixturename in getattr(item, "fixturenames", ()):
            values.append(params[argname])
    return values


_MKTEMP = threading.Lock()


def mktemp(factory: pytest.TempPathFactory, name: str) -> Path:
    """tmp_path_factory.mktemp is not thread-safe; Prefetched jobs run in threads."""
    with _MKTEMP:
        return factory.mktemp(name)


class Prefetched:
    """Runs one grading job per key, several at a time, the first time any result is asked for.

    Grading runs spend most of their time in two processes each; starting them in parallel keeps
    the suite fast on several cores, while each test still asserts on its own run.
    """

    def __init__(self, keys: list[Hashable], job: Callable[[Hashable], Run]) -> None:
        self.keys, self.job, self.results = keys, job, {}

    def __getitem__(self, key: Hashable) -> Run:
        if key not in self.results:
            todo = [k for k in self.keys if k not in self.results]
            if key not in todo:
                todo.append(key)
            with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
                for k, run in zip(todo, pool.map(self.job, todo)):
                    self.results[k] = run
        return self.results[key]


@pytest.fixture
def grade(tmp_path: Path):
    """grade(submission, *exercises, seed=0, timeout=None) -> Run, temp files under tmp_path."""
    counter = iter(range(10**6))

    def _grade(submission: Path, *exercises: str, seed: int = 0, timeout: float | None = None) -> Run:
        return grade_json(submission, tmp_path / f"grader-tmp-{next(counter)}", *exercises,
                          seed=seed, timeout=timeout)

    return _grade


@pytest.fixture
def submission(tmp_path: Path):
    """submission(files, base=SOLUTIONS, name="sub") -> a fresh folder under tmp_path."""
    counter = iter(range(10**6))

    def _make(files: dict[str, str], *, base: Path | None = SOLUTIONS, name: str = "") -> Path:
        return make_submission(tmp_path / (name or f"sub{next(counter)}"), files, base=base)

    return _make


@pytest.fixture
def cli(tmp_path: Path):
    """cli(*args) -> Run of `python -m grader ARGS` in the repository root."""
    counter = iter(range(10**6))

    def _cli(*args: str, timeout: float = 120.0) -> Run:
        return run_grader(list(args), tmp_path / f"grader-tmp-{next(counter)}", timeout=timeout)

    return _cli


@pytest.fixture(scope="session", autouse=True)
def _private_state(tmp_path_factory: pytest.TempPathFactory):
    """No test writes the learner's progress or the user's data cache: both go to temp folders
    (subprocesses inherit these variables; tests that need their own set them again)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NN_GRADER_STATE", str(tmp_path_factory.mktemp("state")))
        mp.setenv("NN_GRADER_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield
