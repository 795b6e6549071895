"""Workers forked from one warm process instead of started as a fresh Python each (batch, Linux).

A fresh worker spends about 0.1 s of CPU on Python's start and on importing NumPy and its own
modules before it confines itself: a fifth of what grading a submission costs. `python -m
grader.zygote` imports exactly what `python -m grader.serve` imports, and nothing else of the
grader (no reference, no checks), then waits. For each request on its socket it forks a child
that becomes what a fresh worker would be: a session of its own, the environment and working
folder it was sent, the grader's pipes as stdin, stdout and stderr and no other file open,
fresh random state; then grader.serve's main confines it before any learner code runs. The
zygote reaps its children and sends each one's exit status back on the request's connection.

batch starts one (`Zygote`) and names its socket to the graders in NN_GRADER_ZYGOTE; a grader
that cannot reach it, or whose workers would start with another interpreter or environment,
starts a fresh worker instead (`spawn` returns None). Learner code cannot reach the zygote:
a worker may open no socket (seccomp) and runs as a user of its own (the grader is root);
where that does not hold, batch starts no zygote (`available`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

SOCKET_VARIABLE = "NN_GRADER_ZYGOTE"
LIFE_FD = 3  # in the child: the pipe that ends when its grader does (grader.serve watches it)
# What the interpreter reads only when it starts: a child differs from a fresh worker if any
# of these differs from the zygote's own.
STARTUP = ("PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONPLATLIBDIR",
           "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONUSERBASE", "VIRTUAL_ENV",
           "CONDA_PREFIX", "LD_LIBRARY_PATH", "LANG", "LANGUAGE", "OPENBLAS_NUM_THREADS",
           "OMP_NUM_THREADS", "MKL_NUM_THREADS")
STATUS = struct.Struct("q")
REQUEST_LIMIT = 1 << 20


def available() -> bool:
    """Whether workers here can be kept from the zygote: Linux, where grader.sandbox forbids
    them sockets, as root, where each runs as a user of its own. (Running as the zygote's user,
    learner code could end it, with prlimit if signals are scoped: every other submission's
    worker would lose its exit status.)"""
    import platform

    from grader import sandbox

    machine = platform.machine().lower().replace("arm64", "aarch64").replace("amd64", "x86_64")
    return sys.platform == "linux" and machine in sandbox.AUDIT_ARCH and os.geteuid() == 0


def startup_of(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k in STARTUP or k.startswith("LC_")}


# --------------------------------------------------------------------------- the grader's side


class Zygote:
    """The zygote process of one batch: `socket` is what graders are given; `close` ends it."""

    def __init__(self, folder: Path, env: Mapping[str, str]) -> None:
        folder.mkdir(mode=0o700)
        self.socket = folder / "zygote"
        self._proc = subprocess.Popen([sys.executable, "-m", "grader.zygote", str(self.socket)],
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      env=dict(env), cwd=folder, start_new_session=True)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._proc.stdin.close()  # the zygote ends at end of file, its children live on
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


class Forked:
    """A worker forked by the zygote, used as the subprocess.Popen of a fresh one would be."""

    def __init__(self, pid: int, conn: socket.socket, stdin: IO[bytes], stdout: IO[bytes],
                 life: int) -> None:
        self.pid, self.stdin, self.stdout = pid, stdin, stdout
        self.returncode: int | None = None
        self._conn, self._life = conn, life

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._conn.settimeout(timeout)
            try:
                data = _read_exactly(self._conn, STATUS.size)
            except TimeoutError:
                raise subprocess.TimeoutExpired("worker", timeout) from None
            except OSError:
                data = b""
            # No status: the zygote itself was killed (by learner code running as the same
            # user, where Linux cannot forbid it); the worker is then as good as killed.
            self.returncode = STATUS.unpack(data)[0] if data else -signal.SIGKILL
            self._conn.close()
            with contextlib.suppress(OSError):
                os.close(self._life)
        return self.returncode

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)


def spawn(env: Mapping[str, str], cwd: str, stderr: int) -> Forked | None:
    """A worker forked by the zygote named in this process's NN_GRADER_ZYGOTE, with `env`,
    in `cwd`, writing its stderr to the file descriptor `stderr`; None when there is none,
    it cannot be reached or it refuses (its workers would not start as a fresh one would)."""
    path = os.environ.get(SOCKET_VARIABLE)
    if not path or sys.platform != "linux":
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    to_child, from_grader = os.pipe()
    from_child, to_grader = os.pipe()
    life_read, life = os.pipe()
    try:
        conn.settimeout(10)
        conn.connect(path)
        request = json.dumps({"env": dict(env), "cwd": cwd, "python": sys.executable}).encode()
        socket.send_fds(conn, [STATUS.pack(len(request)) + request],
                        [to_child, to_grader, stderr, life_read])
        pid = STATUS.unpack(_read_exactly(conn, STATUS.size))[0]
        if pid <= 0:
            raise OSError("refused")
    except (OSError, ValueError, struct.error):
        conn.close()
        for fd in (from_grader, from_child, life):
            os.close(fd)
        return None
    finally:
        for fd in (to_child, to_grader, life_read):
            os.close(fd)
    return Forked(pid, conn, os.fdopen(from_grader, "wb"), os.fdopen(from_child, "rb"), life)


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            if data:
                raise OSError("the zygote's message ended early")
            return b""
        data += chunk
    return data


# --------------------------------------------------------------------------- the zygote


def serve(path: str) -> None:
    """Fork a worker for each request on the socket at `path` until stdin ends."""
    import grader.serve  # noqa: F401 - what a fresh worker imports, imported once here

    own = startup_of(os.environ)
    children: dict[int, socket.socket] = {}
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    selector = selectors.DefaultSelector()
    for source in (listener, wake_read, sys.stdin):
        selector.register(source, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 1 << 16):
                    return
            elif key.fileobj is wake_read:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_read, 1 << 16)
                _reap(children)
            else:
                try:
                    conn = listener.accept()[0]
                except OSError:
                    continue
                _answer(conn, own, children, (listener, selector))


def _answer(conn: socket.socket, own: dict[str, str], children: dict[int, socket.socket],
            zygote: tuple) -> None:
    """Fork the worker a request asks for and send its pid, or -1 (the grader then starts a
    fresh one); whatever the request holds, the zygote goes on."""
    fds: list[int] = []
    try:
        conn.settimeout(10)  # a grader is trusted, but one that stalls must not stall the rest
        message, fds, _flags, _address = socket.recv_fds(conn, 1 << 16, 4)
        env, cwd = _request(conn, message, fds)
        if startup_of(env) != own:  # its worker would not start as a fresh one would
            raise ValueError("another environment")
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_read)
            _become_worker(fds, env, cwd, ready_write, children, zygote)
        os.close(ready_write)
        os.read(ready_read, 1)  # it leads its own group now: killpg(pid) reaches it
        os.close(ready_read)
        children[pid] = conn
        conn.sendall(STATUS.pack(pid))
    except Exception:  # noqa: BLE001 - a refusal, never the zygote's end
        with contextlib.suppress(OSError):
            conn.sendall(STATUS.pack(-1))
        if conn not in children.values():
            conn.close()
    finally:
        for fd in fds:
            os.close(fd)


def _request(conn: socket.socket, message: bytes, fds: list[int]) -> tuple[dict[str, str], str]:
    if len(fds) != 4 or len(message) < STATUS.size:
        raise ValueError("a request without its pipes")
    size = STATUS.unpack(message[:STATUS.size])[0]
    if not 0 < size <= REQUEST_LIMIT:
        raise ValueError("a request of the wrong size")
    body = message[STATUS.size:]
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            raise ValueError("a request that ended early")
        body += chunk
    request = json.loads(body)
    if request.get("python") != sys.executable:
        raise ValueError("another interpreter")
    return {str(k): str(v) for k, v in dict(request["env"]).items()}, str(request["cwd"])


def _reap(children: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.sendall(STATUS.pack(os.waitstatus_to_exitcode(status)))
            conn.close()


def _become_worker(fds: list[int], env: dict[str, str], cwd: str, ready: int,
                   children: dict[int, socket.socket], zygote: tuple) -> None:
    """In the child: what `python -m grader.serve` is, with `env` in `cwd`; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for held in (*children.values(), *zygote):  # the zygote's, and other workers' graders'
            held.close()
        children.clear()
        os.setsid()
        os.close(ready)
        # stdin, stdout, stderr and the grader's life pipe become 0-3: first moved above all
        # of them, so that no dup2 overwrites one still to be moved.
        above = max(*fds, LIFE_FD) + 1
        moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, above) for fd in fds]
        for target, fd in enumerate(moved):
            os.dup2(fd, target)
        os.closerange(LIFE_FD + 1, os.sysconf("SC_OPEN_MAX"))  # the zygote's and the copies
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env, NN_GRADER_LIFE_FD=str(LIFE_FD))
        sys.dont_write_bytecode = True
        import random
        import tempfile

        import numpy as np

        random.seed()
        np.random.seed()
        tempfile.tempdir = None  # TMPDIR is the worker's scratch folder now
        from grader import serve

        # As `python -m grader.serve` started in cwd would have them (the hash seed of str
        # keys is the one thing shared: Python draws it only when it starts).
        sys.argv[:] = [serve.__file__]
        sys.path[0] = cwd
        sys.modules["__main__"] = serve
        serve.main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException:  # noqa: BLE001 - what a fresh worker would print on its stderr
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1])
