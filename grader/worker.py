"""The worker process that runs learner code, and the grader's handle on it.

`python -m grader.worker` loads a submission and then answers requests on its stdin/stdout,
which it keeps for the protocol only: the learner's prints go elsewhere. The grader side
(`Worker`) sends inputs, waits with a time limit, and turns every way a call can end (value,
exception, sys.exit, os._exit, segfault, endless loop) into a `CallResult`. A worker that dies
or times out is killed and started afresh for the next request.

The worker holds no answers: when an exercise is checked with the reference version of the
functions it calls, those are stand-ins that ask the grader, which answers only for the
functions of the call in progress (`reference` requests, answered in `Worker._await`).

The sandbox (`grader.sandbox`): the worker reads a copy of the submission and works in a scratch
folder of its own, under limits on memory, CPU time, file size and processes; where Linux has
Landlock it can read neither the grader's files nor another worker's, write only its scratch
folder, and signal nothing outside itself. When the grader runs as root (Gradescope, CI and
Docker containers), each worker process also runs as a user id of its own, which no account and
no other worker shares, and every process it starts dies with it.
"""

from __future__ import annotations

import builtins
import contextlib
import inspect
import io
import os
import queue
import select
import shutil
import signal
import site
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import sandbox, wire
from grader.sandbox import NOBODY, NOGROUP

PRINT_LIMIT = 2000  # characters of a call's printed output that are kept
REFERENCE_WORK_LIMIT = 10_000_000  # numbers the grader's reference may be asked to make
# What a worker inherits of the environment (besides LC_* and NN_GRADER_*): enough to run
# Python and NumPy, nothing that names the user's sockets or holds their tokens.
PASSED_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "NO_COLOR", "PYTHONPATH", "PYTHONHOME",
              "PYTHONNOUSERSITE", "PYTHONPLATLIBDIR", "PYTHONHASHSEED", "PYTHONIOENCODING",
              "PYTHONUTF8", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "MPLBACKEND")
SANDBOX_FAILED = 70  # the worker's exit status when it could not be confined (EX_SOFTWARE)


@dataclass
class CallResult:
    status: str  # ok | not_started | raised | exit | timeout | crashed; on the way: progress,
    # reference (value = (function name, (args, kwargs))) and ready (the worker is confined)
    value: Any = None
    args_after: tuple = ()
    printed: str = ""
    message: str = ""


# --------------------------------------------------------------------------- worker side

def _serve(proto_in: io.BufferedReader, proto_out: io.BufferedWriter) -> None:
    from grader import submission, training

    def ask_grader(name: str) -> Callable:
        """A stand-in for the reference `name`: the grader runs it and sends the result."""
        def reference(*args: Any, **kwargs: Any) -> Any:
            wire.send(proto_out, {"status": "reference", "fn": name}, (args, kwargs))
            header, value = wire.receive(proto_in)
            if header.get("status") != "ok":
                kind = getattr(builtins, str(header.get("type")), None)
                kind = kind if isinstance(kind, type) and issubclass(kind, Exception) \
                    else RuntimeError
                raise kind(str(header.get("message")))
            return value
        reference.__name__ = reference.__qualname__ = name
        return reference

    wire.send(proto_out, {"status": "ready"})  # confined: from now on, learner code may run
    sub: submission.Submission | None = None
    while True:
        try:
            request, value = wire.receive(proto_in)
        except EOFError:
            return
        op = request.get("op")
        if op == "load":
            sub = submission.load(Path(request["path"]), ask_grader, value, lambda name: wire.send(
                proto_out, {"status": "progress"}, name))
            wire.send(proto_out, {"status": "ok"},
                      {"functions": sorted(sub.functions), "problems": sub.problems})
        elif op == "call":
            reply, result = _call(sub, request, value)
            wire.send(proto_out, reply, result)
        elif op == "train":
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
    # Everything the worker runs is imported now, before learner code can patch anything and
    # while the grader's files can still be read.
    import numpy  # noqa: F401

    from grader import submission, training  # noqa: F401
    staged = Path(os.environ["NN_GRADER_STAGING"]) / "submission"
    if any(staged.glob("*.ipynb")):
        import grader.notebook  # noqa: F401  (a notebook's own cells import its helpers)
    if os.name == "posix":
        uid = int(os.environ.get("NN_GRADER_UID") or -1)
        sandbox.limit_resources(own_user=uid not in (-1, NOBODY))
        if sandbox.landlock_wanted():
            try:
                sandbox.confine(readable=[staged], writable=[Path.cwd()])
            except sandbox.SandboxError as err:
                print(err, file=sys.stderr, flush=True)
                os._exit(SANDBOX_FAILED)  # fail closed: never run learner code unconfined
        if uid >= 0:
            sandbox.drop_privileges(uid, NOGROUP)
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
        self.submission = Path(os.path.abspath(submission))  # a link stays a link: see _stage
        self.call_timeout = call_timeout
        self._proc: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self._loaded: dict | None = None
        self._ready = False  # the running worker said it is confined (no learner code before)
        self._skip: dict[str, str] = {}  # files that killed or hung the worker while loading
        self._root = os.name == "posix" and os.geteuid() == 0  # then each worker gets its own uid
        self._staging: Path | None = None  # the submission's copy and the scratch folders
        self._uid: int | None = None  # the running worker's own user id
        self._log = tempfile.TemporaryFile()

    def start(self) -> None:
        """Start the process and ask it to load the submission; replies are read later."""
        if self._proc is not None:
            return
        if self._staging is None:
            self._staging = _stage(self.submission, self._root)
        scratch = tempfile.mkdtemp(prefix="scratch-", dir=self._staging)  # a fresh one each time
        env = {k: v for k, v in os.environ.items() if os.name != "posix" or k in PASSED_ENV
               or k.startswith(("LC_", "NN_GRADER_"))}  # no tokens, no sockets of the user's
        env.update(PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", TMPDIR=scratch, HOME=scratch,
                   NN_GRADER_STAGING=str(self._staging))
        if site.ENABLE_USER_SITE:  # packages installed with pip --user stay importable
            env["PYTHONUSERBASE"] = site.getuserbase()
        package_parent = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        env.pop("NN_GRADER_UID", None)
        if self._root:
            self._uid = sandbox.private_uid()
            os.chown(scratch, self._uid, NOGROUP)
            env.update(NN_GRADER_UID=str(self._uid))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, cwd=scratch, env=env,
            start_new_session=os.name == "posix")
        if os.name == "posix":  # writes wait in _send, with a deadline, not in os.write
            os.set_blocking(self._proc.stdin.fileno(), False)
        self._replies = queue.Queue()
        threading.Thread(target=self._read, args=(self._proc.stdout, self._replies),
                         daemon=True).start()
        self._loaded, self._ready = None, False
        staged = self._staging / "submission" / self.submission.name
        self._send({"op": "load", "path": str(staged)}, self._skip,
                   time.monotonic() + self.call_timeout + 10.0)

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
        # Never started, or died with the last request: load afresh; but a load that found no
        # function at all (it looped or crashed) is not worth repeating for every exercise.
        if self._proc is None and (self._loaded is None or self._loaded["functions"]):
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
        request = {"op": "call", "fn": fn, "swap": list(swap)}
        return self._request(request, (args, kwargs or {}), timeout or self.call_timeout,
                             f"{fn}()", answering=swap)

    def train(self, settings: dict, timeout: float,
              on_progress: Callable[[Any], None] = lambda event: None) -> CallResult:
        self.loaded()
        return self._request({"op": "train"}, settings, timeout, "training", on_progress)

    def _request(self, header: dict, value: Any, timeout: float, what: str,
                 on_progress: Callable[[Any], None] = lambda event: None,
                 answering: tuple[str, ...] = ()) -> CallResult:
        deadline = time.monotonic() + timeout
        if not self._send(header, value, deadline):
            return self._timed_out(what, timeout)
        result = self._await(timeout, what, on_progress, answering, deadline)
        if result.status == "ok" and header["op"] == "call":
            if not (type(result.value) is tuple and len(result.value) == 2
                    and type(result.value[1]) in (tuple, list)):
                return CallResult("crashed", message=f"{what} sent back a garbled reply")
            result.value, result.args_after = result.value[0], tuple(result.value[1])
        return result

    def _await(self, timeout: float, what: str, on_progress: Callable[[Any], None],
               answering: tuple[str, ...] = (), deadline: float | None = None) -> CallResult:
        """The final reply to a request, passing on progress messages and answering requests
        for the reference functions in `answering` until it comes."""
        deadline = time.monotonic() + timeout if deadline is None else deadline
        while True:
            result = self._wait(deadline, what, timeout)
            if result.status == "ready":
                self._ready = True
            elif result.status == "progress":
                on_progress(result.value)
            elif result.status != "reference":
                return result
            elif not self._send(*self._answer(*result.value, answering), deadline):
                return self._timed_out(what, timeout)

    @staticmethod
    def _answer(name: str, value: Any, answering: tuple[str, ...]) -> tuple[dict, Any]:
        """The reply to the worker's request for the reference `name` on its inputs: a result
        only if the call in progress may use that function.

        The inputs come from learner code: the work they ask for is bounded, and an error in
        the reference goes back as the exception the learner's code will see.
        """
        from grader import reference

        args, kwargs = value if type(value) is tuple and len(value) == 2 else ((), {})
        if name not in answering or type(args) not in (tuple, list) or type(kwargs) is not dict:
            return {"status": "raised", "type": "RuntimeError",
                    "message": f"the grader's {name} cannot be used here"}, None
        function = getattr(reference, name)
        try:
            bound = inspect.signature(function).bind(*args, **kwargs)
            bound.apply_defaults()  # one_hot's default num_classes counts too
            if _work(bound.arguments.values()) > REFERENCE_WORK_LIMIT:
                raise ValueError(f"{name}() was asked for more than {REFERENCE_WORK_LIMIT:,} "
                                 "numbers (array sizes and integer arguments, times the largest)")
            with np.errstate(all="ignore"):
                return {"status": "ok"}, function(*args, **kwargs)
        except Exception as err:  # the learner passed something the reference rejects
            return {"status": "raised", "type": type(err).__name__, "message": str(err)}, None

    def _send(self, header: dict, value: Any, deadline: float) -> bool:
        """Write one message to the worker. False when it would not take it by `deadline`
        (learner code that stopped it reading); True also when it is gone (_wait tells how)."""
        data = memoryview(wire.encode(header, value))
        try:
            if os.name != "posix":
                self._proc.stdin.write(data)
                self._proc.stdin.flush()
                return True
            fd = self._proc.stdin.fileno()
            writable = select.poll()
            writable.register(fd, select.POLLOUT)
            while data:
                if not writable.poll(max(deadline - time.monotonic(), 0.0) * 1000):
                    return False
                with contextlib.suppress(BlockingIOError):
                    data = data[os.write(fd, data):]
        except (OSError, ValueError):  # ValueError: the pipe was closed by stop()
            pass
        return True

    def _wait(self, deadline: float, what: str, limit: float) -> CallResult:
        try:
            item = self._replies.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            return self._timed_out(what, limit)
        if isinstance(item, BaseException):
            return CallResult("crashed", message=self._death(what))
        header, value = item
        status, message = str(header.get("status")), str(header.get("message", ""))
        if status == "reference":
            value = (str(header.get("fn")), value)
        elif status == "raised":
            message = f"{what} raised {message}"
        elif status == "exit":
            message = f"{what} {message}"
        return CallResult(status, value, printed=str(header.get("printed", "")), message=message)

    def _timed_out(self, what: str, limit: float) -> CallResult:
        self.stop()
        return CallResult("timeout", message=f"{what} did not finish within {limit:g} s (an "
                                             "endless loop?) and was stopped")

    def _death(self, what: str) -> str:
        """Explain how the process ended, then forget it so the next request starts a new one."""
        proc, self._proc = self._proc, None
        try:
            code = proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            code = proc.wait()
        self._kill_user()
        if code == SANDBOX_FAILED and not self._ready:  # before any learner code ran
            self._log.seek(0)
            why = (self._log.read().decode(errors="replace").strip().splitlines() or ["?"])[-1]
            raise sandbox.SandboxError(f"the grader could not confine the process that runs "
                                       f"learner code ({why}); NN_GRADER_LANDLOCK=0 grades "
                                       "without Landlock")
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

    def _kill_user(self) -> None:
        """Kill whatever the worker left running under its own user id (even in a new session)."""
        if self._uid is None or self._uid == NOBODY or not os.path.isdir("/proc"):
            return
        for _ in range(100):  # each round also catches what the last one's victims forked
            pids = sandbox.processes_of(self._uid)
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            self._kill(proc)
            proc.wait()
            self._kill_user()
            with contextlib.suppress(OSError):
                proc.stdin.close()
            # stdout is left to the reader thread, which ends at end of file: closing it would
            # wait for that read, and a process forked by learner code may hold the pipe open.

    def close(self) -> None:
        self.stop()
        self._log.close()
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _work(arguments: Iterable[Any]) -> int:
    """How many numbers a reference call may make: the numbers in its arguments plus its
    largest integer argument n, times n (one_hot(Y, n) makes Y.size * n, np.eye(n) n * n)."""
    numbers, largest, todo = 0, 1, list(arguments)
    while todo:
        item = todo.pop()
        if isinstance(item, (tuple, list)):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (int, np.integer, np.ndarray)) and not isinstance(item, bool) \
                and np.ndim(item) == 0 and np.asarray(item).dtype.kind in "iu":
            largest = max(largest, abs(int(item)))
            numbers += 1
        else:
            numbers += np.size(item) if isinstance(item, np.ndarray) else 1
    return (numbers + largest) * largest


def _names() -> tuple[str, ...]:
    from grader.catalog import NAMES
    return NAMES


def _stage(submission: Path, as_root: bool) -> Path:
    """A folder holding a copy of the submission, which the worker reads instead, and later
    its scratch folders.

    Symbolic links are copied as links, and so is the submission itself when it is a link
    (as root, or into the grader): the worker follows them with its own rights, never the
    grader's (a submission that is a link to the reference must not be copied from it). As
    root, the folder is made where any user can pass through (TMPDIR may be private) but not
    list it, so a worker cannot find the scratch folders of others; the copy is root's,
    readable by the worker, not writable.
    """
    base = next((d for d in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm")
                 if os.path.isdir(d) and sandbox.reachable(d)), None) if as_root else None
    root = Path(tempfile.mkdtemp(prefix="nn-grader-", dir=base))
    os.chmod(root, 0o711)
    target = root / "submission" / submission.name
    target.parent.mkdir()
    hidden = sandbox.grader_files()
    graders: set[tuple[int, int]] = set()  # the grader's files, listed at the first hard link

    def copy(source: str | Path, copied: str | Path) -> None:
        """A hard link may be a file the grader can read and the worker may not (one of the
        grader's, or one closed to other users): as root, such a file is staged as a symbolic
        link, for the worker to open with its own rights."""
        info = os.lstat(source)
        if as_root and info.st_nlink > 1 and not graders:
            graders.update((f.st_dev, f.st_ino) for h in hidden
                           for f in map(os.lstat, _files_in(h)))
        if as_root and info.st_nlink > 1 and (
                (info.st_dev, info.st_ino) in graders or not info.st_mode & stat.S_IROTH):
            os.symlink(os.path.abspath(source), copied)
        else:
            shutil.copyfile(source, copied)

    if submission.is_symlink() and (as_root or any(
            Path(os.path.realpath(submission)).is_relative_to(h) for h in hidden)):
        os.symlink(os.path.realpath(submission), target)
    elif submission.is_dir():
        shutil.copytree(submission, target, symlinks=True, copy_function=copy,
                        ignore=_not_copied)
    else:  # your own link, run as yourself: what it leads to is yours to grade
        copy(submission, target)
    for folder, _dirs, files in os.walk(target.parent):
        os.chmod(folder, 0o755)
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):  # chmod would follow a link
                os.chmod(os.path.join(folder, name), 0o644)
    return root


def _files_in(folder: Path) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, files in os.walk(folder) for f in files]


def _not_copied(folder: str, names: list[str]) -> set[str]:
    """Hidden files, caches, and whatever is not a file, a folder or a link (a FIFO would hang)."""
    def plain(path: str) -> bool:
        return os.path.islink(path) or os.path.isfile(path) or os.path.isdir(path)

    return {name for name in names if name.startswith(".") or name == "__pycache__"
            or not plain(os.path.join(folder, name))}


if __name__ == "__main__":
    main()
