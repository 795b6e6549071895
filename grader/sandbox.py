"""Confining a worker process before any learner code runs (POSIX; Linux for the last three).

Five layers, each used where the system allows it:
- resource limits of each process: memory, CPU time, file size and, with a user id of its own,
  processes (what a submission's processes use together is watched by grader.watchdog);
- as root, a user and group id that no account and no other worker shares (`drop_privileges`);
- as root where namespaces may be made (`isolate`): a network of its own with nothing in it,
  and its own /tmp, /var/tmp and /dev/shm and scratch folder, each a small tmpfs;
- seccomp (Linux on x86-64 and ARM64, also without root): no sockets at all (`forbid_sockets`),
  so no channel to another worker or program through TCP, UDP or Unix sockets;
- Landlock (Linux 5.13+, also without root): the worker may read only the system, Python and
  its packages, and its own copy of the submission, never a copy of the grader (the reference
  solutions, the checks, the tests, git history); it may write only its scratch folder, may not
  open TCP connections (Linux 6.7+) nor signal processes outside itself (Linux 6.12+).
"""

from __future__ import annotations

import ctypes
import glob
import os
import secrets
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from grader.limits import MEMORY_MB, SCRATCH_MB

# Limits of one worker process; NN_GRADER_MEMORY_MB overrides the memory limit (MEMORY_MB).
CPU_SECONDS = 300  # a backstop for threads or processes spinning behind the per-call timeouts
FILE_MB = 64  # largest file the worker may write
PROCESSES = 32  # threads and processes of the worker's own user id (only when it has one)
SANDBOX_FAILED = 70  # a worker's exit status when it could not be confined (EX_SOFTWARE)
NOBODY = 65534  # a worker's user and group when no private id can be found
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")  # shared by every user: a worker gets its own


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


def private_id() -> int:
    """A number that no account uses as user id nor any group as group id (so no process or
    file but the worker's has it), inside the container's user-id map; nobody when none can be
    found."""
    import grp
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
                continue
            except KeyError:
                pass
            try:
                grp.getgrgid(uid)
            except KeyError:
                return uid
    return NOBODY


# --------------------------------------------------------------------------- namespaces

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 1 << 12, 1 << 14, 1 << 18


def isolate(staging: Path, scratch: Path, uid: int) -> bool:
    """As root, give this process (and its children) a network with nothing in it and mounts
    of its own: a tmpfs of NN_GRADER_SCRATCH_MB (SCRATCH_MB) on each shared temporary folder
    and on `scratch`, owned by `uid`, so that what it writes is limited and seen by no other
    worker; the staged copy, Python and its packages stay where they are. False where the system allows no namespaces (a container without CAP_SYS_ADMIN)
    or no mounts in them; SandboxError when a mount fails after that."""
    if sys.platform != "linux":
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    if libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0 or \
            libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False  # no namespaces here, or no mounts in them (inside another sandbox)

    def mount(source: str | None, target: str | Path, kind: str | None, flags: int,
              options: str | None = None) -> None:
        encoded = [None if x is None else str(x).encode() for x in (source, target, kind)]
        if libc.mount(*encoded, flags, options and options.encode()) != 0:
            raise SandboxError(f"mounting {target} failed: {os.strerror(ctypes.get_errno())}")

    size = int(os.environ.get("NN_GRADER_SCRATCH_MB") or SCRATCH_MB)
    mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
          f"size={size}m,mode=0700,uid={uid},gid={uid}")
    covered = [Path(os.path.realpath(f)) for f in PRIVATE_TMP
               if os.path.isdir(f) and not os.path.islink(f)]
    # What the worker needs that may lie in a covered folder (a checkout or venv in /tmp, the
    # staged copy with its scratch tmpfs inside): kept open now, mounted back in a moment.
    needed = {Path(os.path.realpath(p)) for p in (staging, *_python_folders())
              if os.path.exists(p)}
    under = [p for p in needed if p not in covered and any(_within(p, c) for c in covered)]
    kept = {p: os.open(p, os.O_PATH) for p in under
            if not any(q != p and _within(p, q) for q in under)}
    for folder in covered:
        mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size}m,mode=1777")
    for path, fd in kept.items():
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, mode=0o755, exist_ok=True)
        else:  # a zip file on sys.path: a file to mount it on
            os.makedirs(path.parent, mode=0o755, exist_ok=True)
            path.touch()
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    os.chdir(scratch)  # the working folder was the one now covered by a tmpfs
    return True


# --------------------------------------------------------------------------- seccomp

# <linux/audit.h>, <linux/seccomp.h>, <linux/filter.h>, and each architecture's socket().
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
SOCKET = {"x86_64": 41, "aarch64": 198}
IO_URING_SETUP = 425  # the same everywhere; io_uring can open sockets without socket()
X32_SYSCALL_BIT = 0x40000000
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
RET_KILL_PROCESS, RET_ERRNO, RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def forbid_sockets() -> bool:
    """Make socket() and io_uring_setup() fail with EACCES in this process and its children,
    for good (a system call of another architecture ends the process). False where there is
    no seccomp filter to install (not Linux on x86-64 or ARM64); SandboxError when it fails."""
    import platform

    machine = platform.machine().lower().replace("arm64", "aarch64").replace("amd64", "x86_64")
    if sys.platform != "linux" or machine not in AUDIT_ARCH:
        return False
    denied = RET_ERRNO | 13  # EACCES
    program = [(LD_W_ABS, 0, 0, 4), (JEQ_K, 1, 0, AUDIT_ARCH[machine]), (RET_K, 0, 0, RET_KILL_PROCESS),
               (LD_W_ABS, 0, 0, 0), (JGE_K, 3, 0, X32_SYSCALL_BIT), (JEQ_K, 2, 0, SOCKET[machine]),
               (JEQ_K, 1, 0, IO_URING_SETUP), (RET_K, 0, 0, RET_ALLOW), (RET_K, 0, 0, denied)]
    filters = (_SockFilter * len(program))(*(_SockFilter(*op) for op in program))
    prog = _SockFprog(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong,
                           ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0) != 0:
        raise SandboxError(f"installing the seccomp filter failed: "
                           f"{os.strerror(ctypes.get_errno())}")
    return True


# --------------------------------------------------------------------------- Landlock

# Syscall numbers are the same on every architecture; flags from <linux/landlock.h>.
CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
GET_ABI_VERSION, RULE_PATH_BENEATH, PR_SET_NO_NEW_PRIVS = 1, 1, 38
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_ABI_1 = (1 << 13) - 1  # every file-system right of Landlock 1: execute ... make_sym
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3 and 5
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # what a file rule may grant
READ = EXECUTE | READ_FILE | READ_DIR
NET_TCP = 0b11  # bind and connect (ABI 4)
SCOPE_ALL = 0b11  # abstract unix sockets and signals outside the sandbox (ABI 6)

# What a worker may read besides Python itself and the submission: the system's programs,
# libraries and settings. Nothing else (home folders, /tmp, other submissions) is readable.
SYSTEM = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/proc", "/sys",
          "/nix/store")
# Where a system-wide install of the grader would be, though not on this Python's path.
SYSTEM_PACKAGES = ("/usr/lib/python3*/*-packages", "/usr/local/lib/python3*/*-packages")
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")


class SandboxError(Exception):
    """The worker could not be confined: one sentence, and grading stops (exit status 2)."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _syscall() -> ctypes._CFuncPtr | None:
    """libc's syscall(), returning a long, with errno kept; None off Linux."""
    if sys.platform != "linux":
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).syscall
    except (OSError, AttributeError):
        return None
    fn.restype = ctypes.c_long
    return fn


def landlock_abi() -> int:
    """The kernel's Landlock version; 0 where there is none (or a seccomp filter forbids it)."""
    syscall = _syscall()
    return max(int(syscall(CREATE_RULESET, None, ctypes.c_size_t(0), GET_ABI_VERSION)), 0) \
        if syscall else 0


def grader_files() -> list[Path]:
    """Every copy of the grader that Python here could find, or a system-wide install: for a
    checkout its whole repository (the solutions, the tests and .git are there too), else the
    package itself."""
    system = [folder for pattern in SYSTEM_PACKAGES for folder in glob.glob(pattern)]
    places = {Path(os.path.realpath(entry)) for entry in
              (*filter(None, sys.path), *system, Path(__file__).resolve().parent.parent)}
    return [_copy_in(place) for place in places if (place / "grader" / "catalog.py").is_file()]


def _copy_in(place: Path) -> Path:
    """The folder that holds the grader found in `place`: a checkout, or the package alone."""
    return place if (place / "pyproject.toml").is_file() else place / "grader"


def landlock_wanted() -> int:
    """The Landlock version the worker will use: 0 without it or when NN_GRADER_LANDLOCK=0."""
    return 0 if os.environ.get("NN_GRADER_LANDLOCK") == "0" else landlock_abi()


def exposure() -> str | None:
    """What learner code could reach on this machine that it should not, in one sentence for
    an instructor; None when the worker's sandbox keeps it out."""
    root = os.name == "posix" and os.geteuid() == 0
    abi = landlock_wanted()
    if abi and root:
        return None
    if abi:
        return ("submissions graded as you cannot read your files, but can still reach your "
                "other programs (through their sockets), change file modes and leave processes "
                "running: grade untrusted code as root in a container")
    if root:
        reference = Path(__file__).resolve().with_name("network.py")  # the reference's math
        if not _readable_by_others(reference):
            return None
        repo = _copy_in(reference.parent.parent)
        return (f"without Landlock (Linux 5.13+), submissions can read the grader's reference "
                f"solutions in {repo}: close that folder to other users (chmod go-rwx {repo})")
    return ("without Landlock (Linux 5.13+) or root, submissions run as you and can read and "
            "change what you can: grade untrusted code as root in a container")


def _readable_by_others(file: Path) -> bool:
    return bool(file.stat().st_mode & stat.S_IROTH) and \
        all(folder.stat().st_mode & stat.S_IXOTH for folder in file.parents)


def confine(readable: Iterable[Path], writable: Iterable[Path]) -> None:
    """Restrict this process and its children for good, where Linux has Landlock: read only
    the system, Python and its packages, and `readable`, never a copy of the grader; write
    only `writable`. Raises SandboxError when the kernel has Landlock but it cannot be set up.
    """
    abi, syscall = landlock_abi(), _syscall()
    if not abi or syscall is None:
        return
    fs = FS_ABI_1 | (REFER if abi >= 2 else 0) | (TRUNCATE if abi >= 3 else 0) \
        | (IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(fs, NET_TCP if abi >= 4 else 0, SCOPE_ALL if abi >= 6 else 0)
    ruleset = syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), 0)
    if ruleset < 0:
        raise SandboxError(f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}")
    hidden = grader_files()
    python = [Path(os.path.realpath(p)) for p in
              {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}]
    trusted = [*python, *(Path(os.path.realpath(p)) for p in readable)]
    try:
        others = (*SYSTEM, *sys.path, *_library_folders())
        for root in {*trusted, *(Path(os.path.realpath(p)) for p in others if p)}:
            if any(_within(root, h) for h in hidden) and not any(_within(root, t) for t in trusted):
                continue  # inside a copy of the grader: only a virtual environment there is read
            for path in _all_but(root, hidden):
                _allow(syscall, ruleset, path, READ)
        for device in DEVICES:
            _allow(syscall, ruleset, Path(device), READ_FILE | (WRITE_FILE if device == os.devnull
                                                               else 0))
        for path in writable:
            _allow(syscall, ruleset, Path(path), fs)
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
                syscall(RESTRICT_SELF, ruleset, 0) != 0:
            raise SandboxError(f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)


def _python_folders() -> list[str]:
    """Where Python, its packages and this grader are read from."""
    return [p for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                        *sys.path) if p]


def _library_folders() -> set[str]:
    """The folders of the shared libraries loaded so far: where Python keeps its own outside
    /usr (Guix, Linuxbrew, Spack), a later import may need their neighbours."""
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return set()
    files = (line.split(maxsplit=5)[-1] for line in maps)  # anonymous maps end in an inode
    return {os.path.dirname(f) for f in files if f.startswith("/") and ".so" in f}


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _all_but(folder: Path, hidden: list[Path]) -> Iterable[Path]:
    """The fewest paths that cover `folder` except what lies in `hidden` (real paths)."""
    inner = [h for h in hidden if _within(h, folder)]
    if not inner:
        yield folder
        return
    if folder in inner:
        return
    try:
        children = list(folder.iterdir())
    except OSError:
        return  # a folder this process cannot list stays unreadable
    for child in children:
        if not child.is_symlink():  # a rule on a link would grant where it leads, anywhere
            yield from _all_but(child, inner)


def _allow(syscall: ctypes._CFuncPtr, ruleset: int, path: Path, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # not there (no /lib32, say): nothing to grant
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= FILE_ONLY
        rule = _PathBeneathAttr(access, fd)
        if syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            raise SandboxError(f"landlock_add_rule failed for {path}: "
                               f"{os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)
