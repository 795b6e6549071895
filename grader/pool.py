"""Warm graders for batch: each submission is still graded by a process of its own, forked
from one that has already imported the grader.

Starting `python -m grader` costs about 0.4 s of imports (pytest, NumPy, rich, the checks)
before it grades anything; a class pays it once per student. multiprocessing's forkserver
imports them once, then forks a fresh grader per submission: a new process with its own
session, environment, working folder and files for its output, which starts its own sandboxed
worker, exactly as `python -m grader` would. Nothing of one grading outlives its process, so
a submission still spoils only its own result. Where there is no fork (not POSIX), "spawn"
starts each grader afresh, as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from multiprocessing.process import BaseProcess
from pathlib import Path

from grader.catalog import REPO

GRACE = 5.0  # seconds a grader has to stop its worker after SIGTERM, before SIGKILL

# What the forkserver imports once: the grading path of `python -m grader --json`.
PRELOAD = ["numpy", "pytest", "rich.console", "grader.cli", "grader.engine", "grader.worker",
           "grader.training", "grader.report", "grader.data", "grader.checking",
           "grader.gradcheck", "numpy.random", "grader.warm"]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


class Graders:
    """Starts graders: `start(argv, env, out, err)` is `python -m grader ARGV` with the
    environment `env`, in the repository, its stdout and stderr written to `out` and `err`;
    the process it returns leads a session of its own (its id is its group's). `wait` gives
    its exit status, which is the grader's, and `stop` ends it with its worker.

    Any number of threads may start and wait at once. multiprocessing's processes are not
    made for that: every start() polls the other children, reading each one's exit status
    from the same pipe that a join() in another thread reads, and the thread that finds the
    pipe empty records exit status 255 (one grading in 40 of a batch once; 2 to 6 in
    200 from four threads, tests/test_pool.py). Here every
    read of an exit status, start()'s included, holds one lock.
    """

    def __init__(self) -> None:
        self._ctx = _context()
        self._lock = threading.Lock()

    def start(self, argv: list[str], env: dict[str, str], out: Path, err: Path) -> BaseProcess:
        process = self._ctx.Process(target=_grade, args=(argv, env, str(out), str(err)),
                                    daemon=False)
        with self._lock:
            process.start()
        return process

    def wait(self, process: BaseProcess, timeout: float | None = None) -> int | None:
        """The exit status of `process`, or None while it still runs after `timeout` s."""
        multiprocessing.connection.wait([process.sentinel], timeout)  # reads nothing
        with self._lock:
            return process.exitcode

    def stop(self, process: BaseProcess) -> int | None:
        """SIGTERM lets the grader stop its worker (and everything the worker started);
        SIGKILL the whole group if it has not finished within GRACE seconds."""
        for sig, patience in ((signal.SIGTERM, GRACE), (signal.SIGKILL, None)):
            try:
                os.killpg(process.pid, sig)
            except OSError:  # gone, or not yet the leader of its group
                if self.wait(process, 0) is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(process.pid, sig)
            status = self.wait(process, patience)
            if status is not None:
                return status
        return None


def _grade(argv: list[str], env: dict[str, str], out: str, err: str) -> None:
    """In the forked process: become what `python -m grader ARGV` would be, run it, exit."""
    os.setsid()  # batch ends the grader and its worker together, by group
    os.environ.clear()
    os.environ.update(env)
    os.chdir(REPO)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    from grader.cli import main

    status = 1
    try:
        status = main(argv)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)  # not multiprocessing's exit: the grader's own status
