"""The grader's handle on a worker process, which runs learner code (grader.serve).

`Worker` stages a copy of the submission (grader.staging), starts `python -m grader.serve` in a
sandbox (grader.sandbox), sends it inputs, waits with the time limits of `Limits`, and turns
every way a call can end (value, exception, sys.exit, os._exit, segfault, endless loop) into a
`CallResult`. A worker that dies or times out is killed and started afresh for the next request.

The worker holds no answers: when an exercise is checked with the reference version of the
functions it calls, those are stand-ins that ask the grader, which answers only for the
functions of the call in progress (`reference` requests, answered in `Worker._await`).

The sandbox: the worker reads a copy of the submission and works in a scratch folder of its
own, under limits on memory, CPU time, file size and processes; where Linux has Landlock it can
read neither the grader's files nor another worker's, write only its scratch folder, and signal
nothing outside itself. When the grader runs as root (Gradescope, CI and Docker containers),
each worker process also runs as a user id of its own, which no account and no other worker
shares, and every process it starts dies with it.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import queue
import select
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import modules, sandbox, shown, wire, zygote
from grader.catalog import NAMES
from grader.limits import Limits
from grader.sandbox import NOBODY, SANDBOX_FAILED
from grader.staging import stage
from grader.watchdog import Watchdog, resident_bytes, usage_of

REFERENCE_WORK_LIMIT = 10_000_000  # numbers the grader's reference may be asked to make
# A check that records the reference calls it causes (gradient_descent's) keeps at most these:
# its honest loops make about 50 calls of 1 MB.
RECORD_CALLS = 2_000
RECORD_BYTES = 256 << 20
REPLIES_HELD = 2  # messages read ahead of the grader: with wire's caps, under 1 GB in all
# What a worker inherits of the environment (besides LC_* and NN_GRADER_*): enough to run
# Python and NumPy, nothing that names the user's sockets or holds their tokens.
PASSED_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "NO_COLOR", "PYTHONPATH", "PYTHONHOME",
              "PYTHONNOUSERSITE", "PYTHONPLATLIBDIR", "PYTHONHASHSEED", "PYTHONIOENCODING",
              "PYTHONUTF8", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "MPLBACKEND")


def environment(source: Mapping[str, str]) -> dict[str, str]:
    """What a worker started from a process with the environment `source` inherits of it,
    before the variables of each worker (its limits, scratch folder, copy and user id)."""
    env = {k: v for k, v in source.items() if os.name != "posix" or k in PASSED_ENV
           or k.startswith(("LC_", "NN_GRADER_"))}  # no tokens, no sockets of the user's
    for private in ("NN_GRADER_UID", zygote.SOCKET_VARIABLE):
        env.pop(private, None)
    env.update(PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    if site.ENABLE_USER_SITE:  # packages installed with pip --user stay importable
        env["PYTHONUSERBASE"] = site.getuserbase()
    package_parent = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    return env


@dataclass
class CallResult:
    # ok | not_started | raised | exit | timeout | crashed | broken (its file did not load); on
    # the way: progress, reference (value = (function name, (args, kwargs))) and ready (the
    # worker is confined)
    status: str
    value: Any = None
    args_after: tuple = ()
    printed: str = ""
    message: str = ""
    warnings: tuple[str, ...] = ()  # what NumPy (or Python) warned of, with the learner's line
    fed: Any = None  # with a Feed: what the function that ran first returned
    seconds: float | None = None  # how long the learner's code ran, as the worker measured it


@dataclass(frozen=True)
class Feed:
    """A learner function run just before the called one, in the worker, whose output number
    `take` becomes the call's argument number `into`: backward_deep gets the caches of the
    learner's own forward_deep, whatever they hold (nothing travels between them)."""

    fn: str
    args: tuple
    swap: tuple[str, ...] = ()
    take: int = 1
    into: int = 1


@dataclass(frozen=True)
class Probe:
    """Argument number `at` of the call is a function the grader evaluates: called with no
    argument it sends argument number `reads` as it is at that moment (changed in place by
    the learner), called with an array it sends that array."""

    function: Callable[[np.ndarray], float]
    at: int = 0
    reads: int = 1


@dataclass
class ReferenceCall:
    """One call of a grader reference made by learner code: the arguments by the reference's
    parameter names (defaults filled in), and what it returned or the error it raised."""

    name: str
    args: dict[str, Any]
    result: Any
    error: str = ""

    @property
    def size(self) -> int:
        """The bytes of the arrays it holds (what keeping it costs)."""
        return sum(a.nbytes for a in _arrays((self.args, self.result)))


class Record(list):
    """The ReferenceCalls of one learner call, in order, and the bytes their arrays hold."""

    bytes = 0

    def add(self, call: ReferenceCall) -> None:
        self.append(call)
        self.bytes += call.size


class Worker:
    """A handle on one worker process for one submission; restarts it when it dies."""

    def __init__(self, submission: Path, limits: Limits = Limits()) -> None:
        self.submission = Path(os.path.abspath(submission))  # a link stays a link: see staging
        self.limits = limits
        self._proc: subprocess.Popen | zygote.Forked | None = None
        self._replies: queue.Queue = queue.Queue()
        self._closed = threading.Event()  # set when the running worker is stopped
        self._loaded: dict | None = None
        self._ready = False  # the running worker said it is confined (no learner code before)
        self._skip: dict[str, str] = {}  # files that killed or hung the worker while loading
        self._root = os.name == "posix" and os.geteuid() == 0  # then each worker gets its own uid
        self._staging: Path | None = None  # the submission's copy and the scratch folders
        self._uid: int | None = None  # the running worker's own user id
        self._watchdog: Watchdog | None = None  # what all the worker's processes use together
        self._log = tempfile.TemporaryFile()

    def start(self) -> None:
        """Start the process and ask it to load the submission; replies are read later."""
        if self._proc is not None:
            return
        if self._staging is None:
            self._staging = stage(self.submission, self._root)
        scratch = tempfile.mkdtemp(prefix="scratch-", dir=self._staging)  # a fresh one each time
        env = environment(os.environ)
        env.update(NN_GRADER_MEMORY_MB=str(self.limits.memory_mb),
                   NN_GRADER_SCRATCH_MB=str(self.limits.scratch_mb), TMPDIR=scratch,
                   HOME=scratch, NN_GRADER_STAGING=str(self._staging))
        if self._root:  # one id for the worker's user and group, kept across restarts
            self._uid = sandbox.private_id() if self._uid is None else self._uid
            os.chown(scratch, self._uid, self._uid)
            os.chmod(scratch, 0o700)
            # Only this worker's group may enter its copy of the submission, which stays root's.
            os.chown(self._staging / "submission", 0, self._uid)
            os.chmod(self._staging / "submission", 0o750)
            env.update(NN_GRADER_UID=str(self._uid))
        self._proc = zygote.spawn(env, scratch, self._log.fileno()) or subprocess.Popen(
            [sys.executable, "-m", "grader.serve"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, cwd=scratch, env=env,
            start_new_session=os.name == "posix")
        if os.name == "posix":  # writes wait in _send, with a deadline, not in os.write
            os.set_blocking(self._proc.stdin.fileno(), False)
        own = self._uid if self._uid != NOBODY else None
        self._watchdog = Watchdog(own, Path(scratch), self.limits,
                                  kill=lambda proc=self._proc: self._kill_all(proc)).start()
        self._replies, self._closed = queue.Queue(maxsize=REPLIES_HELD), threading.Event()
        threading.Thread(target=self._read, args=(self._proc.stdout, self._replies, self._closed),
                         daemon=True).start()
        self._loaded, self._ready = None, False
        staged = self._staging / "submission" / self.submission.name
        self._send({"op": "load", "path": str(staged)}, self._skip,
                   time.monotonic() + self.limits.load)

    @staticmethod
    def _read(stream, replies: queue.Queue, closed: threading.Event) -> None:
        """Pass the worker's messages on, holding at most REPLIES_HELD; end with the first
        error (end of file, a garbled or oversized message) or once the worker is stopped."""
        item: Any = None
        while not isinstance(item, Exception):
            try:
                item = wire.receive(stream, untrusted=True)
            except Exception as err:  # whatever the bytes, this thread must say so and end
                item = err
            while True:
                try:
                    replies.put(item, timeout=0.2)
                    break
                except queue.Full:
                    if closed.is_set():
                        return

    def loaded(self) -> dict:
        """{'functions': [...names found...], 'problems': {name: message}, 'notes': {name:
        another name or parameters}, 'warnings': [lines that could not run]} of the submission.

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
            reply = self._await(self.limits.load, "loading your code", files.append)
            value = reply.value if reply.status == "ok" else None
            if reply.status in ("crashed", "timeout") and files and str(files[-1]) in NAMES \
                    and str(files[-1]) not in self._skip:
                self._skip[str(files[-1])] = f"{files[-1]}.py could not be loaded: {reply.message}"
                self.stop()
                continue
            if not (type(value) is dict and type(value.get("functions")) is list
                    and type(value.get("problems")) is dict):
                message = reply.message or "loading your code sent back a garbled reply"
                value = {"functions": [], "problems": dict.fromkeys(NAMES, message)}
            notes, warnings = value.get("notes"), value.get("warnings")
            given = value.get("parameters")
            value["parameters"] = {str(k): [str(p) for p in v][:50] for k, v in given.items()
                                   if type(v) is list} if type(given) is dict else {}
            value["notes"] = {str(k): str(v)[:2000] for k, v in notes.items()} \
                if type(notes) is dict else {}
            value["warnings"] = [str(w)[:2000] for w in warnings][:20] \
                if type(warnings) is list else []
            self._loaded = value
        return self._loaded

    def call(self, fn: str, args: tuple, kwargs: dict | None = None, swap: tuple[str, ...] = (),
             timeout: float | None = None, record: Record | None = None,
             first: Feed | None = None, probe: Probe | None = None) -> CallResult:
        """Call the learner's `fn`; the functions in `swap` are the grader's references while
        it runs, and each call of them is appended to `record` when one is given (probe
        calls too). `first` runs another learner function before it, `probe` makes one
        argument a function of the grader's."""
        loaded = self.loaded()
        for name in (fn, *([first.fn] if first else [])):
            if name not in loaded["functions"]:
                problem = loaded["problems"].get(name)
                if name != fn:
                    return CallResult("not_started", message=f"{fn} is checked on what your "
                                      f"{name} returns, and {name} is not there yet"
                                      + (f" ({problem})" if problem else ""))
                return CallResult("broken", message=problem) if problem \
                    else CallResult("not_started")
        request: dict[str, Any] = {"op": "call", "fn": fn, "swap": list(swap)}
        value: Any = (args, kwargs or {})
        answering, extra = tuple(swap), {}
        if first:
            request["first"] = {"fn": first.fn, "swap": list(first.swap), "take": first.take,
                                "into": first.into}
            value, answering = (value, (first.args, {})), answering + tuple(first.swap)
        if probe:
            request["probe"] = {"fn": "probe", "at": probe.at, "reads": probe.reads}
            extra = {"probe": probe.function}
        return self._request(request, value, timeout or self.limits.call, f"{fn}()",
                             answering=answering, record=record, extra=extra)

    def train(self, request: dict, on_progress: Callable[[Any], None] = lambda event: None,
              op: str = "train") -> CallResult:
        """Train in the worker: "train" runs the grader's loop, "fit" the learner's own."""
        self.loaded()
        return self._request({"op": op}, request, self.limits.training, "training",
                             on_progress)

    def _request(self, header: dict, value: Any, timeout: float, what: str,
                 on_progress: Callable[[Any], None] = lambda event: None,
                 answering: tuple[str, ...] = (), record: Record | None = None,
                 extra: dict[str, Callable] | None = None) -> CallResult:
        deadline = time.monotonic() + timeout
        if not self._send(header, value, deadline):
            return self._timed_out(what, timeout)
        result = self._await(timeout, what, on_progress, answering, deadline, record, extra)
        if result.status == "ok" and header["op"] == "call":
            size = 3 if header.get("first") else 2
            if not (type(result.value) is tuple and len(result.value) == size
                    and type(result.value[1]) in (tuple, list)):
                return CallResult("crashed", message=f"{what} sent back a garbled reply")
            if size == 3:
                result.fed = result.value[2]
            result.value, result.args_after = result.value[0], tuple(result.value[1])
        return result

    def _await(self, timeout: float, what: str, on_progress: Callable[[Any], None],
               answering: tuple[str, ...] = (), deadline: float | None = None,
               record: Record | None = None, extra: dict[str, Callable] | None = None
               ) -> CallResult:
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
            elif not self._send(*self._answer(*result.value, answering, record, extra),
                                deadline):
                return self._timed_out(what, timeout)

    @staticmethod
    def _answer(name: str, value: Any, answering: tuple[str, ...],
                record: Record | None = None, extra: dict[str, Callable] | None = None
                ) -> tuple[dict, Any]:
        """The reply to the worker's request for the reference `name` on its inputs: a result
        only if the call in progress may use that function.

        The inputs come from learner code: the work they ask for is bounded, and an error in
        the reference goes back as the exception the learner's code will see.
        """
        args, kwargs = value if type(value) is tuple and len(value) == 2 else ((), {})
        extra = extra or {}
        if (name not in answering and name not in extra) or type(args) not in (tuple, list) \
                or type(kwargs) is not dict:
            return {"status": "raised", "type": "RuntimeError",
                    "message": f"the grader's {name} cannot be used here"}, None
        if record is not None and (len(record) >= RECORD_CALLS or record.bytes >= RECORD_BYTES):
            return {"status": "raised", "type": "RuntimeError",
                    "message": f"the grader's functions were called more than the "
                               f"{len(record):,} times (or with more data than) one check "
                               "needs"}, None
        function = extra.get(name) or modules.reference(name)
        bound = None
        try:
            bound = inspect.signature(function).bind(*args, **kwargs)
            bound.apply_defaults()  # one_hot's default num_classes counts too
            if _work(bound.arguments.values()) > REFERENCE_WORK_LIMIT:
                raise ValueError(f"{name}() was asked for more than {REFERENCE_WORK_LIMIT:,} "
                                 "numbers (array sizes and integer arguments, times the largest)")
            with np.errstate(all="ignore"):
                result = function(*args, **kwargs)
        except Exception as err:  # the learner passed something the reference rejects
            if record is not None:
                record.add(ReferenceCall(name, dict(bound.arguments) if bound else {}, None,
                                         f"{type(err).__name__}: {err}"))
            return {"status": "raised", "type": type(err).__name__, "message": str(err)}, None
        if record is not None:
            record.add(ReferenceCall(name, dict(bound.arguments), result))
        # The learner's generators were twinned on the way here: their new states go back.
        return {"status": "ok"}, (result, wire.generators((args, kwargs)))

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
        if isinstance(item, wire.WireError) and self._ready:
            self.stop()
            return CallResult("crashed", message=f"{what} sent the grader a message it does not "
                                                 f"take ({item}) and was stopped")
        if isinstance(item, BaseException):
            return CallResult("crashed", message=self._death(what))
        header, value = item
        status = str(header.get("status"))
        message = shown.visible(str(header.get("message", "")), shown.MESSAGE_LIMIT)
        if status == "reference":
            value = (str(header.get("fn")), value)
        elif status == "raised":
            message = f"{what} raised {message}"
            if message.partition(" raised ")[2].startswith("MemoryError"):
                message += (f" (it may use {self.limits.memory_mb:,} MB: memory that grows "
                            "without end, a list or array that keeps growing?)")
        elif status == "exit":
            message = f"{what} {message}"
        warned = header.get("warnings")
        warned = tuple(str(w)[:300] for w in warned[:5]) if type(warned) is list else ()
        printed = shown.visible(str(header.get("printed", "")), shown.PRINTED_LIMIT)
        seconds = header.get("seconds")
        seconds = float(seconds) if type(seconds) is float and 0 <= seconds < 1e6 else None
        return CallResult(status, value, printed=printed, message=message, warnings=warned,
                          seconds=seconds)

    def _timed_out(self, what: str, limit: float) -> CallResult:
        used = resident_bytes(self._proc.pid, self._uid) if self._proc is not None else 0
        self.stop()
        # Memory that grows until the time is up is the same mistake as memory past the limit:
        # on a loaded machine it is only slower to get there. Said, so that both read alike.
        hoards = used > (self.limits.memory_mb << 20) // 2
        return CallResult("timeout", message=f"{what} did not finish within {limit:g} s " + (
            f"and was stopped, using {used / (1 << 30):.1f} GB of the {self.limits.memory_mb:,} "
            "MB it may use (memory that grows without end: a list or array that keeps growing?)"
            if hoards else "(an endless loop?) and was stopped"))

    def _death(self, what: str) -> str:
        """Explain how the process ended, then forget it so the next request starts a new one."""
        proc, self._proc = self._proc, None
        try:
            code = proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            code = proc.wait()
        self._kill_user()
        self._watchdog.stop()
        if not self._ready:  # before any learner code ran: the grader's own set-up failed
            self._log.seek(0)
            why = (self._log.read().decode(errors="replace").strip().splitlines() or ["?"])[-1]
            if code == SANDBOX_FAILED:
                raise sandbox.SandboxError(f"the grader could not confine the process that runs "
                                           f"learner code ({why}); NN_GRADER_LANDLOCK=0 grades "
                                           "without Landlock")
            raise sandbox.SandboxError(
                f"the grader could not start the process that runs learner code ({why[:300]}); "
                "every user must be able to read Python, its packages and this grader (as "
                "root, learner code runs as a user of its own)")
        if self._watchdog.reason:
            how = f"was stopped: it {self._watchdog.reason}"
        elif code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name}"
        else:
            how = f"ended the process with exit code {code} (os._exit or a crash)"
        return f"{what} {how}"

    @staticmethod
    def _kill(proc: subprocess.Popen | zygote.Forked) -> None:
        with contextlib.suppress(OSError):
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()

    def _kill_all(self, proc: subprocess.Popen | zygote.Forked) -> None:
        self._kill(proc)
        self._kill_user()

    def _kill_user(self) -> None:
        """Kill whatever the worker left running under its own user id (even in a new session)."""
        if self._uid is None or self._uid == NOBODY or not os.path.isdir("/proc"):
            return
        for _ in range(100):  # each round also catches what the last one's victims forked
            pids = usage_of(self._uid)[1]
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        self._closed.set()
        if self._watchdog is not None:
            self._watchdog.stop()
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


def _arrays(value: Any, depth: int = 0) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if depth > wire.MAX_DEPTH or not isinstance(value, (tuple, list, dict)):
        return []
    items = value.values() if isinstance(value, dict) else value
    return [a for v in items for a in _arrays(v, depth + 1)]
