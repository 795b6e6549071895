"""The worker process that runs learner code, and the grader's handle on it.

`python -m grader.worker` loads a submission and then answers requests on its stdin/stdout,
which it keeps for the protocol only: the learner's prints go elsewhere. The grader side
(`Worker`) sends inputs, waits with a time limit, and turns every way a call can end (value,
exception, sys.exit, os._exit, segfault, endless loop) into a `CallResult`. A worker that dies
or times out is killed and started afresh for the next request.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import wire

PRINT_LIMIT = 2000  # characters of a call's printed output that are kept


@dataclass
class CallResult:
    status: str  # ok | not_started | raised | exit | timeout | crashed
    value: Any = None
    args_after: tuple = ()
    printed: str = ""
    message: str = ""


# --------------------------------------------------------------------------- worker side

def _serve(proto_in: io.BufferedReader, proto_out: io.BufferedWriter) -> None:
    import numpy as np  # noqa: F401  (imported before learner code can patch anything)

    from grader import submission

    sub: submission.Submission | None = None
    while True:
        try:
            request, value = wire.receive(proto_in)
        except EOFError:
            return
        op = request.get("op")
        if op == "load":
            sub = submission.load(Path(request["path"]), value, lambda name: wire.send(
                proto_out, {"status": "progress"}, name))
            wire.send(proto_out, {"status": "ok"},
                      {"functions": sorted(sub.functions), "problems": sub.problems})
        elif op == "call":
            reply, result = _call(sub, request, value)
            wire.send(proto_out, reply, result)
        elif op == "train":
            from grader import training

            def progress(event: dict) -> None:
                wire.send(proto_out, {"status": "progress"}, event)

            reply, result = _run(sub, lambda: training.train_in_worker(
                sub.functions, progress=progress, **value))
            wire.send(proto_out, reply, result)


def _call(sub, request: dict, value: Any) -> tuple[dict, Any]:
    name = request["fn"]
    fn = sub.functions.get(name)
    if fn is None:
        return {"status": "not_started", "message": sub.problems.get(name, "")}, None
    args, kwargs = value
    with sub.swapped(tuple(request.get("swap", ()))):
        reply, result = _run(sub, lambda: fn(*args, **kwargs))
    return reply, (result, args) if reply["status"] == "ok" else None


def _run(sub, thunk) -> tuple[dict, Any]:
    from grader.submission import describe_exception

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            result = thunk()
        reply = {"status": "ok"}
    except NotImplementedError:
        reply, result = {"status": "not_started"}, None
    except SystemExit as err:
        reply, result = {"status": "exit", "message": f"called sys.exit({err.code!r})"}, None
    except BaseException as err:
        reply, result = {"status": "raised", "message": describe_exception(err, sub.root)}, None
    reply["printed"] = printed.getvalue()[:PRINT_LIMIT]
    return reply, result


def _exit_with_parent() -> None:
    """A learner's endless loop must not outlive the grader (killed, or stopped by Ctrl-C)."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def main() -> None:
    if os.name == "posix":
        threading.Thread(target=_exit_with_parent, daemon=True).start()
    # Keep private copies of stdin/stdout for the protocol; the learner's fds 0/1 become
    # /dev/null and our stderr, so a print (even from C) can never corrupt a reply.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)  # noqa: SIM115
    _serve(proto_in, proto_out)


# --------------------------------------------------------------------------- grader side

class Worker:
    """A handle on one worker process for one submission; restarts it when it dies."""

    def __init__(self, submission: Path, call_timeout: float = 5.0) -> None:
        self.submission = submission.resolve()  # the worker runs in a scratch folder
        self.call_timeout = call_timeout
        self._proc: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self._loaded: dict | None = None
        self._skip: dict[str, str] = {}  # files that killed or hung the worker while loading
        self._scratch = tempfile.TemporaryDirectory(prefix="nn-grader-")
        self._log = tempfile.TemporaryFile()

    def start(self) -> None:
        """Start the process and ask it to load the submission; replies are read later."""
        if self._proc is not None:
            return
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1",
                   OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        package_parent = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, cwd=self._scratch.name, env=env,
            start_new_session=os.name == "posix")
        self._replies = queue.Queue()
        threading.Thread(target=self._read, args=(self._proc.stdout, self._replies),
                         daemon=True).start()
        self._loaded = None
        wire.send(self._proc.stdin, {"op": "load", "path": str(self.submission)}, self._skip)

    @staticmethod
    def _read(stream, replies: queue.Queue) -> None:
        while True:
            try:
                replies.put(wire.receive(stream))
            except (EOFError, OSError, wire.WireError, ValueError) as err:
                replies.put(err)
                return

    def loaded(self) -> dict:
        """{'functions': [...names found...], 'problems': {name: message}} of the submission.

        A file that ends or hangs the worker while it loads is skipped (stood in for by the
        reference) and the worker restarted, so the other files are still graded.
        """
        if self._proc is None:  # never started, or died with the last request: load afresh
            self._loaded = None
        while self._loaded is None:
            self.start()
            files: list[str] = []
            reply = self._await(self.call_timeout + 10.0, "loading your code", files.append)
            value = reply.value if reply.status == "ok" else None
            if reply.status in ("crashed", "timeout") and files and str(files[-1]) in _names() \
                    and str(files[-1]) not in self._skip:
                self._skip[str(files[-1])] = f"{files[-1]}.py could not be loaded: {reply.message}"
                self.stop()
                continue
            if not (type(value) is dict and type(value.get("functions")) is list
                    and type(value.get("problems")) is dict):
                message = reply.message or "loading your code sent back a garbled reply"
                value = {"functions": [], "problems": dict.fromkeys(_names(), message)}
            self._loaded = value
        return self._loaded

    def call(self, fn: str, args: tuple, kwargs: dict | None = None, swap: tuple[str, ...] = (),
             timeout: float | None = None) -> CallResult:
        loaded = self.loaded()
        if fn not in loaded["functions"]:
            problem = loaded["problems"].get(fn)
            return CallResult("raised", message=problem) if problem else CallResult("not_started")
        return self._request({"op": "call", "fn": fn, "swap": list(swap)}, (args, kwargs or {}),
                             timeout or self.call_timeout, f"{fn}()")

    def train(self, settings: dict, timeout: float,
              on_progress: Callable[[Any], None] = lambda event: None) -> CallResult:
        self.loaded()
        return self._request({"op": "train"}, settings, timeout, "training", on_progress)

    def _request(self, header: dict, value: Any, timeout: float, what: str,
                 on_progress: Callable[[Any], None] = lambda event: None) -> CallResult:
        try:
            wire.send(self._proc.stdin, header, value)
        except OSError:
            pass  # the process is gone; _wait reports how it ended
        result = self._await(timeout, what, on_progress)
        if result.status == "ok" and header["op"] == "call":
            if not (type(result.value) is tuple and len(result.value) == 2
                    and type(result.value[1]) in (tuple, list)):
                return CallResult("crashed", message=f"{what} sent back a garbled reply")
            result.value, result.args_after = result.value[0], tuple(result.value[1])
        return result

    def _await(self, timeout: float, what: str, on_progress: Callable[[Any], None]) -> CallResult:
        """The final reply to a request, passing on progress messages until it comes."""
        deadline = time.monotonic() + timeout
        result = self._wait(timeout, what)
        while result.status == "progress":
            on_progress(result.value)
            result = self._wait(max(deadline - time.monotonic(), 0.0), what, limit=timeout)
        return result

    def _wait(self, timeout: float, what: str, limit: float | None = None) -> CallResult:
        try:
            item = self._replies.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            return CallResult("timeout", message=f"{what} did not finish within {limit or timeout:g} s "
                                                 "(an endless loop?) and was stopped")
        if isinstance(item, BaseException):
            return CallResult("crashed", message=self._death(what))
        header, value = item
        status, message = str(header.get("status")), str(header.get("message", ""))
        if status == "raised":
            message = f"{what} raised {message}"
        elif status == "exit":
            message = f"{what} {message}"
        return CallResult(status, value, printed=str(header.get("printed", "")), message=message)

    def _death(self, what: str) -> str:
        """Explain how the process ended, then forget it so the next request starts a new one."""
        proc, self._proc = self._proc, None
        try:
            code = proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            code = proc.wait()
        if code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name}"
        else:
            how = f"ended the process with exit code {code} (os._exit or a crash)"
        return f"{what} {how}"

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        with contextlib.suppress(OSError):
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            self._kill(proc)
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    stream.close()

    def close(self) -> None:
        self.stop()
        self._log.close()
        self._scratch.cleanup()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _names() -> tuple[str, ...]:
    from grader.catalog import NAMES
    return NAMES


if __name__ == "__main__":
    main()
