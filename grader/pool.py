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

import multiprocessing
import os
import sys
from multiprocessing.process import BaseProcess
from pathlib import Path

from grader.catalog import REPO

# What the forkserver imports once: the grading path of `python -m grader --json`.
PRELOAD = ["numpy", "pytest", "rich.console", "grader.cli", "grader.engine", "grader.worker",
           "grader.training", "grader.report", "grader.data", "grader.checking",
           "grader.gradcheck", "numpy.random"]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


class Graders:
    """Starts graders: `start(argv, env, out, err)` is `python -m grader ARGV` with the
    environment `env`, in the repository, its stdout and stderr written to `out` and `err`;
    the process it returns leads a session of its own (its id is its group's) and its
    exitcode is the grader's exit status."""

    def __init__(self) -> None:
        self._ctx = _context()

    def start(self, argv: list[str], env: dict[str, str], out: Path, err: Path) -> BaseProcess:
        process = self._ctx.Process(target=_grade, args=(argv, env, str(out), str(err)),
                                    daemon=False)
        process.start()
        return process


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
