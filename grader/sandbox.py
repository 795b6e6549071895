"""Confining a worker process before any learner code runs (POSIX; Linux for the last two).

Three layers, each used where the system allows it:
- resource limits: memory, CPU time, file size and, with a user id of its own, processes;
- as root, a user id that no account and no other worker shares (`drop_privileges`);
- Landlock (Linux 5.13+, also without root): the worker may read the system, Python and its
  packages, but not the grader's package or repository (the reference solutions, the checks,
  the tests, git history) nor other workers' files; it may write only its scratch folder, may
  not signal processes outside itself (Linux 6.12+) and may not open TCP connections (6.7+).
"""

from __future__ import annotations

import ctypes
import os
import secrets
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

# Limits of one worker process; NN_GRADER_MEMORY_MB overrides the memory limit.
MEMORY_MB = 2048  # address space: NumPy and OpenBLAS need about 200 MB, training about 100 more
CPU_SECONDS = 300  # a backstop for threads or processes spinning behind the per-call timeouts
FILE_MB = 64  # largest file the worker may write
PROCESSES = 64  # threads and processes of the worker's own user id (only when it has one)
NOBODY = NOGROUP = 65534  # a worker's group; its user when no private user id can be found


def limit_resources(own_user: bool) -> None:
    import resource

    limits = {resource.RLIMIT_AS: int(os.environ.get("NN_GRADER_MEMORY_MB") or MEMORY_MB) << 20,
              resource.RLIMIT_CPU: CPU_SECONDS, resource.RLIMIT_FSIZE: FILE_MB << 20,
              resource.RLIMIT_CORE: 0}
    if own_user:  # RLIMIT_NPROC counts every process of the user id: only a private one is ours
        limits[resource.RLIMIT_NPROC] = PROCESSES
    for which, value in limits.items():
        hard = resource.getrlimit(which)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))  # hard too, so learner code cannot raise it


def reachable(path: str | Path) -> bool:
    """Whether any user can list `path` and pass through every folder above it."""
    p = Path(path)
    return bool(p.stat().st_mode & stat.S_IROTH) and \
        all(q.stat().st_mode & stat.S_IXOTH for q in (p, *p.parents))


def drop_privileges(uid: int, gid: int) -> None:
    """Become `uid` for good, before any learner code runs.

    Imports must keep working: a folder on sys.path that the new user cannot reach (an
    interpreter installed under /root, a package copy in a private temporary folder) stays
    readable through a descriptor opened now, named /proc/self/fd/N.
    """
    moved = {}
    if os.path.isdir("/proc/self/fd"):
        for entry in sys.path:
            if entry and os.path.isdir(entry) and not reachable(entry):
                try:
                    moved[entry] = f"/proc/self/fd/{os.open(entry, os.O_RDONLY | os.O_DIRECTORY)}"
                except OSError:
                    pass  # hidden from the worker (the grader's own folder, say)

    def remap(path: str) -> str:
        for old, new in moved.items():
            if path == old or path.startswith(old + os.sep):
                return new + path[len(old):]
        return path

    sys.path[:] = [remap(p) for p in sys.path]
    for module in list(sys.modules.values()):  # packages already imported find submodules here
        if type(getattr(module, "__path__", None)) is list:
            module.__path__[:] = [remap(p) for p in module.__path__]
    sys.path_importer_cache.clear()
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def private_uid() -> int:
    """A user id that no account uses (so no process but the worker's), inside the container's
    user-id map; nobody when none can be found."""
    import pwd

    try:
        ranges = [tuple(map(int, line.split())) for line in
                  Path("/proc/self/uid_map").read_text().splitlines() if line.strip()]
    except (OSError, ValueError):
        ranges = []
    for inside, _outside, count in ranges:
        low, high = max(inside, 1 << 20), min(inside + count, 1 << 31)
        for _ in range(10 if low < high else 0):
            uid = low + secrets.randbelow(high - low)
            try:
                pwd.getpwuid(uid)
            except KeyError:
                return uid
    return NOBODY


def processes_of(uid: int) -> list[int]:
    """Live processes whose real user id is `uid` (zombies cannot be killed and are skipped)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":", 1) for line in
                          (entry / "status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        zombie = status.get("State", "").strip().startswith("Z")
        if int(status.get("Uid", "-1").split()[0]) == uid and not zombie:
            pids.append(int(entry.name))
    return pids


# --------------------------------------------------------------------------- Landlock

# Syscall numbers are the same on every architecture; flags from <linux/landlock.h>.
CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
GET_ABI_VERSION, RULE_PATH_BENEATH, PR_SET_NO_NEW_PRIVS = 1, 1, 38
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3 and 5
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # what a file rule may grant
READ = EXECUTE | READ_FILE | READ_DIR
NET_TCP = 0b11  # bind and connect (ABI 4)
SCOPE_ALL = 0b11  # abstract unix sockets and signals outside the sandbox (ABI 6)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
    except OSError:
        return None


def landlock_abi() -> int:
    """The kernel's Landlock version; 0 where there is none (or a seccomp filter forbids it)."""
    libc = _libc()
    return max(int(libc.syscall(CREATE_RULESET, None, 0, GET_ABI_VERSION)), 0) if libc else 0


def grader_files() -> Path:
    """What a worker must not read: the grader's package, or its whole repository when it runs
    from a checkout (the solutions, the tests and .git are there too)."""
    package = Path(__file__).resolve().parent
    repo = package.parent
    return repo if (repo / "pyproject.toml").is_file() and (repo / "grader").is_dir() else package


def exposure() -> str | None:
    """What learner code could reach on this machine that it should not, in one sentence for
    an instructor; None when the worker's sandbox keeps it out."""
    if os.name == "posix" and os.environ.get("NN_GRADER_LANDLOCK") != "0" and landlock_abi():
        return None
    files = grader_files()
    if os.name == "posix" and os.geteuid() == 0:
        reference = Path(__file__).resolve().with_name("reference.py")
        if not reference.stat().st_mode & stat.S_IROTH or not reachable(reference.parent):
            return None
        return (f"without Landlock (Linux 5.13+), submissions can read the grader's reference "
                f"solutions in {files}: close that folder to other users (chmod go-rwx {files})")
    return ("without Landlock (Linux 5.13+) or root, submissions run as you and can read and "
            "change what you can: grade untrusted code as root in a container")


def confine(hidden: Iterable[Path], readable: Iterable[Path], writable: Iterable[Path]) -> int:
    """Restrict this process and its children for good: read everything but `hidden` (though
    `readable` and the interpreter's own folders are read even inside it); write only `writable`.

    Returns the Landlock version in force, 0 when there is none (nothing is restricted then: a
    learner's own machine may lack it, and grading must still work there).
    """
    abi, libc = landlock_abi(), _libc()
    if not abi or libc is None:
        return 0
    fs = (1 << 13) - 1 | (REFER if abi >= 2 else 0) | (TRUNCATE if abi >= 3 else 0) \
        | (IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(fs, NET_TCP if abi >= 4 else 0, SCOPE_ALL if abi >= 6 else 0)
    ruleset = libc.syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                           0)
    if ruleset < 0:
        return 0
    hidden = [Path(h).resolve() for h in hidden if Path(h).resolve() != Path("/")]
    try:
        for path in _all_but(Path("/"), hidden):
            _allow(libc, ruleset, path, READ)
        interpreter = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                       *filter(None, sys.path)}
        for path in {*map(Path, interpreter), *readable}:
            p = path.resolve()  # a virtual environment inside the repository, say
            if any(_within(p, h) for h in hidden) and not any(_within(h, p) for h in hidden):
                _allow(libc, ruleset, p, READ)
        for path in writable:
            _allow(libc, ruleset, Path(path), fs)
        _allow(libc, ruleset, Path(os.devnull), READ_FILE | WRITE_FILE)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
                libc.syscall(RESTRICT_SELF, ruleset, 0) != 0:
            return 0
    finally:
        os.close(ruleset)
    return abi


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _all_but(folder: Path, hidden: list[Path]) -> Iterable[Path]:
    """The fewest paths under `folder` that cover everything but `hidden` (resolved paths)."""
    if folder.is_symlink():  # /lib -> usr/lib: covered, or not, where it leads
        target = folder.resolve()
        if any(_within(target, h) or _within(h, target) for h in hidden):
            return
    if folder in hidden:
        return
    if not any(folder in h.parents for h in hidden):
        yield folder
        return
    try:
        children = list(folder.iterdir())
    except OSError:
        return  # a folder this process cannot list stays unreadable
    for child in children:
        yield from _all_but(child, hidden)


def _allow(libc: ctypes.CDLL, ruleset: int, path: Path, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # gone, or a broken link: nothing to grant
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= FILE_ONLY
        rule = _PathBeneathAttr(access, fd)
        libc.syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0)  # else unread
    finally:
        os.close(fd)
