"""Warm graders for batch: processes that have imported the grader once and grade one
submission after another, each with a fresh sandboxed worker of its own.

Starting `python -m grader` costs about 0.4 s of imports (pytest, NumPy, rich, the checks)
before it grades anything, and a process forked for each submission still pays a tenth of a
second in copied memory; a class would pay either once per student. multiprocessing's
forkserver imports the grader once (PRELOAD, grader.warm) and forks a grader per job slot of
batch; each takes submissions one at a time, as `python -m grader ARGV` would grade them: in
the repository, with the environment it is sent, its stdout and stderr written to files of
that submission's own. Learner code never runs in a grader (only in its worker, grader.worker),
so nothing of one submission reaches the next; a grader that runs out of time is stopped with
its worker and replaced. Where there is no fork (not POSIX), "spawn" starts them instead.
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
    """Runs graders: `start(argv, env, out, err)` has a warm grader run `python -m grader ARGV`
    with the environment `env`, its stdout and stderr written to `out` and `err`; `wait` gives
    the job's exit status, the grader's, and `stop` ends the grader (and its worker); `close`
    ends the idle ones. Each grader leads a session of its own (its id is its group's).

    Any number of threads may start and wait at once. multiprocessing's processes are not
    made for that: every start() polls the other children, reading each one's exit status
    from the same pipe that a join() in another thread reads, and the thread that finds the
    pipe empty records exit status 255 (one grading in 40 of a batch once; 2 to 6 in
    200 from four threads, tests/test_pool.py). Here every read of an exit status, start()'s
    included, holds one lock.
    """

    def __init__(self) -> None:
        self._ctx = _context()
        self._lock = threading.Lock()
        self._idle: list[_Grader] = []

    def start(self, argv: list[str], env: dict[str, str], out: Path, err: Path) -> Job:
        job = (argv, env, str(out), str(err))
        with self._lock:
            grader = self._idle.pop() if self._idle else None
        if grader is not None:
            try:
                grader.conn.send(job)
                return Job(grader)
            except OSError:  # it ended while idle: a new one takes the job
                self._end(grader)
        with self._lock:
            grader = _Grader(self._ctx)
        grader.conn.send(job)
        return Job(grader)

    def wait(self, job: Job, timeout: float | None = None) -> int | None:
        """The job's exit status, or None while it still runs after `timeout` seconds."""
        if job.status is None:
            if not multiprocessing.connection.wait([job.grader.conn], timeout):
                return None
            try:
                job.status = int(job.grader.conn.recv())
            except (EOFError, OSError):  # the grader died: its own exit status tells how
                job.status = self._end(job.grader)
                return job.status
            with self._lock:
                if job.status != INTERRUPTED:
                    self._idle.append(job.grader)
                    return job.status
            self._end(job.grader)
        return job.status

    def stop(self, job: Job) -> int | None:
        """SIGTERM lets the grader stop its worker (and everything the worker started);
        SIGKILL the whole group if it has not finished within GRACE seconds."""
        process = job.grader.process
        for sig, patience in ((signal.SIGTERM, GRACE), (signal.SIGKILL, None)):
            try:
                os.killpg(process.pid, sig)
            except OSError:  # gone, or not yet the leader of its group
                if self._status(process, 0) is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(process.pid, sig)
            status = self._status(process, patience)
            if status is not None:
                job.grader.conn.close()
                return status
        return None

    def close(self) -> None:
        """End the graders that wait for a job."""
        with self._lock:
            idle, self._idle = self._idle, []
        for grader in idle:
            grader.conn.close()  # its loop ends at end of file
        for grader in idle:
            if self._status(grader.process, GRACE) is None:
                grader.process.kill()
                self._status(grader.process, None)

    def _end(self, grader: _Grader) -> int | None:
        grader.conn.close()
        return self._status(grader.process, None)

    def _status(self, process: BaseProcess, timeout: float | None) -> int | None:
        multiprocessing.connection.wait([process.sentinel], timeout)  # reads nothing
        with self._lock:
            return process.exitcode


INTERRUPTED = 130  # what `python -m grader` returns when stopped: its grader ends with it


class _Grader:
    """One warm grader process and the pipe that brings it jobs and takes their statuses."""

    def __init__(self, ctx: multiprocessing.context.BaseContext) -> None:
        self.conn, theirs = ctx.Pipe()
        # Daemonic: one left idle ends with batch. It starts workers, never processes of
        # multiprocessing's own.
        self.process = ctx.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()  # under Graders' lock
        theirs.close()


class Job:
    """One submission given to a grader; its exit status once known."""

    def __init__(self, grader: _Grader) -> None:
        self.grader = grader
        self.status: int | None = None


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """In a grader: run each job `python -m grader ARGV` would run, until the pipe ends."""
    os.setsid()  # batch ends a grader and its worker together, by group
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    from grader.cli import main

    status = 0
    while status != INTERRUPTED:
        try:
            argv, env, out, err = conn.recv()
        except (EOFError, OSError):
            break
        os.environ.clear()
        os.environ.update(env)
        os.chdir(REPO)
        for fd, path in ((1, out), (2, err)):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        status = 1
        try:
            status = main(argv)
        except SystemExit as done:  # --help
            status = done.code if isinstance(done.code, int) else 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
        try:
            conn.send(status)
        except OSError:
            break
    os._exit(status)  # not multiprocessing's exit: the grader's own status
