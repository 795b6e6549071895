"""Runs the exercises' checks through pytest and collects each outcome and message.

The checks are the `check_*` functions of each exercise's grader module (grader.chapter<N>);
they run here, in the grader process; only the learner's functions run in the worker. A small
plugin gives each check a `learner` handle and an `rng`, turns exceptions into outcomes, and
stops checking an exercise once it is not started or broken.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import modules
from grader.catalog import BY_NAME, Exercise
from grader.compare import CheckFailed
from grader.diagnosis import explain
from grader.results import CheckResult, ExerciseResult, Results, Status
from grader.sandbox import SandboxError
from grader.worker import Worker

INI = Path(__file__).with_name("pytest.ini")


class NotStarted(Exception):
    """The learner's function is missing or still raises NotImplementedError."""


class LearnerError(Exception):
    """The learner's function raised, exited, crashed or ran out of time."""


class Learner:
    """What a check calls: the learner's function for one exercise, run in the worker, with the
    exercise's catalog record and the grader's reference for it."""

    def __init__(self, worker: Worker, exercise: Exercise, result: ExerciseResult,
                 reference: Callable) -> None:
        self.worker, self.exercise, self.result = worker, exercise, result
        self.reference = reference
        self.last_call: tuple[tuple, Any] | None = None  # inputs and output, for diagnosis

    def _run(self, args: tuple) -> Any:
        call = self.worker.call(self.exercise.name, args, swap=self.exercise.calls)
        self.last_call = (args, call.value)
        if call.printed and not self.result.printed:
            self.result.printed = call.printed
        if call.status == "ok":
            return call
        if call.status == "not_started":
            raise NotStarted(call.message)
        raise LearnerError(call.message)

    def __call__(self, *args: Any) -> Any:
        return self._run(args).value

    def call_keeping_args(self, *args: Any) -> tuple:
        """Call, and return the arguments as they were after the call (to spot mutation)."""
        return self._run(args).args_after


class Collector:
    """The pytest plugin object."""

    def __init__(self, worker: Worker, seed: int, exercises: list[Exercise]) -> None:
        self.worker, self.seed = worker, seed
        self.results = {ex.name: ExerciseResult(ex.name) for ex in exercises}
        self.ctrl_c = False
        self.fatal: SandboxError | None = None  # a worker restarted mid-run and unconfined

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        # A real Ctrl-C, not pytest's own Interrupted (a check module that failed to import).
        self.ctrl_c = excinfo.type is KeyboardInterrupt

    @staticmethod
    def _exercise(item: pytest.Item) -> str:
        return item.module.__name__.rsplit(".", 1)[-1]

    @pytest.fixture
    def learner(self, request: pytest.FixtureRequest) -> Learner:
        name = self._exercise(request.node)
        return Learner(self.worker, BY_NAME[name], self.results[name], request.module.reference)

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        # Keyed on the exercise and the check, not the file: moving a module keeps its inputs.
        key = f"{self._exercise(request.node)}::{request.node.name}"
        return np.random.default_rng([self.seed, zlib.crc32(key.encode())])

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.results[self._exercise(item)].status in (Status.NOT_STARTED, Status.ERROR):
            pytest.skip("exercise already decided")

    @staticmethod
    def _diagnose(item: pytest.Item) -> str | None:
        """Name the known mistake that reproduces the learner's last output in this check."""
        learner = item.funcargs.get("learner") if hasattr(item, "funcargs") else None
        if learner is None or learner.last_call is None:
            return None
        args, got = learner.last_call
        return explain(item.module.MISTAKES, dict(zip(learner.exercise.arg_names, args)), got)

    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> None:
        if call.when != "call":
            return
        result = self.results[self._exercise(item)]
        name = (item.function.__doc__ or item.name).strip()
        if hasattr(item, "callspec"):
            name += f" [{item.callspec.id}]"
        err = call.excinfo.value if call.excinfo else None
        if err is None:
            result.checks.append(CheckResult(name, Status.PASSED))
        elif isinstance(err, CheckFailed):
            cause = self._diagnose(item)
            result.checks.append(CheckResult(name, Status.FAILED, str(err) + (
                f"\nLikely cause: {cause}" if cause else "")))
            result.status = Status.FAILED
            result.diagnosis = result.diagnosis or cause or ""
        elif isinstance(err, NotStarted):
            result.status, result.message = Status.NOT_STARTED, str(err)
        elif isinstance(err, LearnerError):
            result.status, result.message = Status.ERROR, str(err)
        elif isinstance(err, SandboxError):
            self.fatal = err
        elif not isinstance(err, pytest.skip.Exception):
            result.status = Status.ERROR
            result.message = (f"the grader's check '{name}' itself failed ({type(err).__name__}: "
                              f"{err}); please report this")


def run_checks(worker: Worker, exercises: list[Exercise], seed: int) -> list[ExerciseResult]:
    worker.loaded()  # a worker that cannot start stops grading here, not inside a check
    collector = Collector(worker, seed, exercises)
    files = [str(modules.check_file(ex.name)) for ex in exercises]
    os.environ.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    code = pytest.main(["-p", "no:terminal", "--noconftest", "--rootdir", str(INI.parent),
                        "-c", str(INI), *files], plugins=[collector])
    if collector.ctrl_c:  # pytest caught it: pass it on
        raise KeyboardInterrupt
    if collector.fatal:
        raise collector.fatal
    unchecked = [r.name for r in collector.results.values()
                 if r.status == Status.PASSED and not r.checks]
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or unchecked:
        # Never report a pass that no check earned.
        raise RuntimeError(f"the grader's checks did not run (pytest exit code {int(code)}, "
                           f"exercises without checks: {', '.join(unchecked) or 'none'})")
    return list(collector.results.values())


def grade_submission(worker: Worker, exercises: list[Exercise], seed: int, training=None) -> Results:
    """Check the exercises; then, when `training` is given (a callable taking the worker) and
    all of them pass, train and score."""
    results = Results(run_checks(worker, exercises, seed), seed=seed)
    if training is not None and results.exit_code == 0:
        results.training = training(worker)
    return results
