"""Runs the exercises' checks through pytest and collects each outcome and message.

The checks are the `check_*` functions of each exercise's grader module (grader.chapter<N>);
they run here, in the grader process; only the learner's functions run in the worker. A small
plugin gives each check a `learner` handle and an `rng`, turns exceptions into outcomes, and
stops checking an exercise once it is not started or broken.
"""

from __future__ import annotations

import os
import sys
import types
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import modules
from grader.catalog import BY_NAME, Exercise, grader_module
from grader.compare import CheckFailed, LearnerError, NotAsked, NotStarted
from grader.diagnosis import combine
from grader.results import CheckResult, ExerciseResult, Results, Status, TrainingResult
from grader.sandbox import SandboxError
from grader.worker import Feed, Probe, Record, Worker

INI = Path(__file__).with_name("pytest.ini")


class Learner:
    """What a check calls: the learner's function for one exercise, run in the worker, with the
    exercise's catalog record and its grader module (reference, known mistakes, formula)."""

    def __init__(self, worker: Worker, exercise: Exercise, result: ExerciseResult,
                 module: types.ModuleType) -> None:
        self.worker, self.exercise, self.result = worker, exercise, result
        self.module = module
        self.reference: Callable = module.reference

    def _run(self, args: tuple, record: list | None = None, first: Feed | None = None,
             probe: Probe | None = None, swap: tuple[str, ...] | None = None) -> Any:
        # A module's SWAP widens what runs as the grader's (gradient_descent: every other
        # function it may call, a print of the accuracy included).
        swap = getattr(self.module, "SWAP", self.exercise.calls) if swap is None else swap
        call = self.worker.call(self.exercise.name, args, swap=swap, record=record, first=first,
                                probe=probe)
        if call.printed and not self.result.printed:
            self.result.printed = call.printed
        for warning in call.warnings:
            if warning not in self.result.warnings and len(self.result.warnings) < 5:
                self.result.warnings.append(warning)
        if call.status == "ok":
            return call
        if call.status == "not_started":
            raise NotStarted(call.message)
        raise LearnerError(call.message, stops=call.status != "raised")

    def __call__(self, *args: Any) -> Any:
        return self._run(args).value

    def timed(self, *args: Any) -> tuple[Any, float | None]:
        """Call with the learner's own versions of the functions it calls (no round trip to
        the grader inside the time) and return the value with the seconds it took, as the
        worker measured them."""
        call = self._run(args, swap=())
        return call.value, call.seconds

    def recorded(self, *args: Any) -> tuple[Any, list]:
        """Call, and return what came back with every call the function made of the grader's
        versions of the functions it uses (grader.worker.ReferenceCall), in order."""
        record = Record()
        return self._run(args, record).value, record

    def after(self, first: str, first_args: tuple, *args: Any) -> tuple[Any, Any, tuple]:
        """Run the learner's `first` on `first_args`, then this function with `first`'s second
        output as its second argument (in `args`, a placeholder): this one's value, what
        `first` returned, and this one's arguments after the call. The functions `first`
        calls are the grader's meanwhile."""
        feed = Feed(first, first_args, BY_NAME[first].calls)
        call = self._run(args, first=feed)
        return call.value, call.fed, call.args_after

    def probed(self, function: Callable, *args: Any) -> tuple[Any, tuple, list]:
        """Call with argument 0 a function of the grader's that reads argument 1 (see
        grader.worker.Probe): the value, the arguments as they were after the call, and
        every call of the function, in order."""
        record = Record()
        call = self._run(args, record, probe=Probe(function))
        return call.value, call.args_after, record

    def takes(self, parameter: str) -> bool:
        """Whether the learner's function receives this parameter of the exercise."""
        given = self.worker.loaded()["parameters"].get(self.exercise.name)
        return given is None or parameter in given

    def call_keeping_args(self, *args: Any) -> tuple:
        """Call, and return the arguments as they were after the call (to spot mutation)."""
        return self._run(args).args_after


class Collector:
    """The pytest plugin object."""

    def __init__(self, worker: Worker, seed: int, exercises: list[Exercise]) -> None:
        self.worker, self.seed = worker, seed
        self.results = {ex.name: ExerciseResult(ex.name) for ex in exercises}
        self.expected: dict[str, int] = {}  # checks collected per exercise
        self.raised: dict[str, list[str]] = {}  # checks whose call raised, per exercise
        self.causes: dict[str, list[str]] = {}
        self.ctrl_c = False
        self.grader_failed = False  # a check could not even be set up
        self.fatal: SandboxError | None = None  # a worker restarted mid-run and unconfined

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        # A real Ctrl-C, not pytest's own Interrupted (a check module that failed to import).
        self.ctrl_c = excinfo.type is KeyboardInterrupt

    @staticmethod
    def _exercise(item: pytest.Item) -> str:
        return item.module.__name__.rsplit(".", 1)[-1]

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            name = self._exercise(item)
            self.expected[name] = self.expected.get(name, 0) + 1

    @pytest.fixture
    def learner(self, request: pytest.FixtureRequest) -> Learner:
        name = self._exercise(request.node)
        return Learner(self.worker, BY_NAME[name], self.results[name], request.module)

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        # Keyed on the exercise and the check, not the file: moving a module keeps its inputs.
        key = f"{self._exercise(request.node)}::{request.node.name}"
        return np.random.default_rng([self.seed, zlib.crc32(key.encode())])

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.results[self._exercise(item)].status in (Status.NOT_STARTED, Status.ERROR):
            pytest.skip("exercise already decided")

    def _add_causes(self, item: pytest.Item, exercise: str, causes: list[str]) -> None:
        known = self.causes[exercise] = combine(item.module,
                                                self.causes.get(exercise, []) + causes)
        self.results[exercise].causes = known

    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> None:
        err = call.excinfo.value if call.excinfo else None
        if call.when == "setup" and err is not None and not isinstance(err, pytest.skip.Exception):
            self.results[self._exercise(item)].checks.append(CheckResult(
                f"setting up {item.name}", Status.FAILED, f"the grader could not set up this "
                f"check ({type(err).__name__}: {err}); please report this"))
            self.grader_failed = True
        if call.when != "call":
            return
        exercise = self._exercise(item)
        result = self.results[exercise]
        name = (item.function.__doc__ or item.name).strip()
        if hasattr(item, "callspec"):
            name += f" [{item.callspec.id}]"
        if err is None:
            result.checks.append(CheckResult(name, Status.PASSED))
        elif isinstance(err, NotAsked):
            result.checks.append(CheckResult(name, Status.PASSED, str(err)))
        elif isinstance(err, CheckFailed):
            result.checks.append(CheckResult(name, Status.FAILED, str(err)))
            result.status = Status.FAILED
            self._add_causes(item, exercise, err.causes)
        elif isinstance(err, NotStarted):
            result.status, result.message = Status.NOT_STARTED, str(err)
        elif isinstance(err, LearnerError) and err.stops:
            result.status, result.message = Status.ERROR, str(err)
        elif isinstance(err, LearnerError):  # it raised here: the other checks still run
            result.checks.append(CheckResult(name, Status.FAILED, str(err) + (
                f"\nLikely cause: {'; '.join(err.causes)}" if err.causes else "")))
            self._add_causes(item, exercise, err.causes)
            self.raised.setdefault(exercise, []).append(str(err))
            if result.status == Status.PASSED:
                result.status = Status.FAILED
        elif isinstance(err, SandboxError):
            self.fatal = err
        elif not isinstance(err, pytest.skip.Exception):
            result.status = Status.ERROR
            result.message = (f"the grader's check '{name}' itself failed ({type(err).__name__}: "
                              f"{err}); please report this")


# pytest's plugins that the checks do not use (no fixtures of theirs, no terminal, no doctests):
# left out, they cost no imports (pdb, unittest, xml) and no hooks on every check; nor the
# garbage collection that unraisableexception runs at the end (a tenth of the checks' time).
UNUSED_PLUGINS = [arg for name in ("terminal", "debugging", "unittest", "pastebin", "junitxml",
                                   "doctest", "setuponly", "setupplan", "stepwise", "legacypath",
                                   "tmpdir", "monkeypatch", "recwarn", "logging", "faulthandler",
                                   "unraisableexception", "threadexception")
                  for arg in ("-p", f"no:{name}")]


def run_checks(worker: Worker, exercises: list[Exercise], seed: int) -> list[ExerciseResult]:
    worker.loaded()  # a worker that cannot start stops grading here, not inside a check
    for ex in exercises:  # a process grades many (batch's warm graders, watch): each afresh
        program = getattr(sys.modules.get(grader_module(ex.name)), "PROGRAM", None)
        if program is not None:  # (one not imported yet has nothing to forget)
            program.forget()
    collector = Collector(worker, seed, exercises)
    files = [str(modules.check_file(ex.name)) for ex in exercises]
    os.environ.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    code = pytest.main([*UNUSED_PLUGINS, "--noconftest", "--rootdir", str(INI.parent),
                        "-c", str(INI), *files], plugins=[collector])
    if collector.ctrl_c:  # pytest caught it: pass it on
        raise KeyboardInterrupt
    if collector.fatal:
        raise collector.fatal
    loaded = worker.loaded()
    for result in collector.results.values():
        result.note = loaded["notes"].get(result.name, "")
        if result.status == Status.NOT_STARTED and not result.message and loaded["warnings"]:
            result.message = "; ".join(loaded["warnings"])  # perhaps why it is missing
        raised = collector.raised.get(result.name, [])
        if raised and len(raised) == len(result.checks):  # it raised whatever the inputs
            result.status, result.message = Status.ERROR, raised[0]
    # Never report a verdict that not every check earned: each one must have reported.
    unchecked = [r.name for r in collector.results.values()
                 if r.status in (Status.PASSED, Status.FAILED)
                 and len(r.checks) != collector.expected.get(r.name, -1)]
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or unchecked \
            or collector.grader_failed:
        raise RuntimeError(f"the grader's checks did not run (pytest exit code {int(code)}, "
                           f"exercises whose checks did not all report: "
                           f"{', '.join(unchecked) or 'none'})")
    return list(collector.results.values())


def grade_submission(worker: Worker, exercises: list[Exercise], seed: int, training=None,
                     needs: tuple[str, ...] | None = None) -> Results:
    """Check the exercises; then, when `training` is given (a callable taking the worker and
    the exercises' results), train the learner's network whenever the functions it `needs`
    (by default every exercise graded) all run, even if some of their checks fail."""
    results = Results(run_checks(worker, exercises, seed), seed=seed,
                      notes=list(worker.loaded()["warnings"]))
    if training is not None:
        idle = [r for r in results.exercises if r.status not in (Status.PASSED, Status.FAILED)
                and (needs is None or r.name in needs)]
        if idle:
            why = ", ".join(f"{r.name} is " + ("not started" if r.status == Status.NOT_STARTED
                                               else "stopped by an error") for r in idle)
            results.training = TrainingResult(Status.SKIPPED, f"not trained: every function of "
                                              f"the network must run first ({why})")
        else:
            results.training = training(worker, results.exercises)
    return results
