"""Staging: the copy of a submission that a worker reads instead of the original.

The policy beside the sandbox's: links stay links, for the worker to follow with its own rights;
so does what the grader itself cannot read; as root, a hard link the worker could not read
itself is staged as a symbolic link; hidden files, caches, FIFOs and devices are left out; the
staged copy is not writable by the worker. A submission too deep or too big to copy is a
StagingError, and nothing of it is left behind.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from grader import sandbox
from grader.usage import UsageError

MAX_DEPTH = 32  # folders within folders (a package rarely nests more than 5)
MAX_ENTRIES = 50_000  # files, folders and links
MAX_MB = 256  # of copied files (MNIST as CSV files is about 125 MB)
_CHUNK = 2**20
_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in must not block the open


class StagingError(UsageError):
    """A submission that cannot be copied for grading: one sentence."""


def stage(submission: Path, as_root: bool) -> Path:
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
    try:
        os.chmod(root, 0o711)
        target = root / "submission" / submission.name
        _folder(target.parent)
        copier = _Copier(as_root)
        if submission.is_symlink() and (as_root or any(
                Path(os.path.realpath(submission)).is_relative_to(h) for h in copier.hidden)):
            os.symlink(os.path.realpath(submission), target)
        elif submission.is_dir():
            copier.tree(submission, target)
        else:  # your own link, run as yourself: what it leads to is yours to grade
            info = os.stat(submission)
            if not stat.S_ISREG(info.st_mode):
                raise StagingError(f"the submission {submission} is not a regular file")
            copier.file(submission, target, info, _OPEN)
    except OSError as err:
        shutil.rmtree(root, ignore_errors=True)
        where = str(err.filename or "")  # the learner's file, not the grader's copy of it
        what = f": {where}" if where and not where.startswith(str(root)) else ""
        raise StagingError(f"the submission could not be copied for grading "
                           f"({err.strerror or err}{what})") from None
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root


class _Copier:
    """Copies one submission, counting what it copies against the limits."""

    def __init__(self, as_root: bool) -> None:
        self.as_root = as_root
        self.hidden = sandbox.grader_files()
        self.graders: set[tuple[int, int]] = set()  # the grader's files, at the first hard link
        self.entries = 0
        self.left = MAX_MB * 2**20  # bytes still allowed

    def tree(self, source: Path, target: Path) -> None:
        """Copy a folder without recursion (a folder may be nested thousands deep)."""
        todo = [(str(source), str(target), 0)]
        while todo:
            folder, copied, depth = todo.pop()
            try:
                listing = os.scandir(folder)
            except PermissionError:  # for the worker to be refused in its turn
                os.symlink(os.path.abspath(folder), copied)
                continue
            _folder(Path(copied))
            with listing:
                for entry in listing:
                    if entry.name.startswith(".") or entry.name == "__pycache__":
                        continue
                    self.count()
                    into = os.path.join(copied, entry.name)
                    if entry.is_symlink():
                        os.symlink(os.readlink(entry.path), into)
                    elif entry.is_dir(follow_symlinks=False):
                        if depth == MAX_DEPTH:
                            raise StagingError(f"the submission has folders nested more than "
                                               f"{MAX_DEPTH} deep, deeper than the grader copies")
                        todo.append((entry.path, into, depth + 1))
                    elif entry.is_file(follow_symlinks=False):
                        self.file(entry.path, into, entry.stat(follow_symlinks=False),
                                  _OPEN | getattr(os, "O_NOFOLLOW", 0))
                    # else a FIFO, a socket or a device: left out

    def count(self) -> None:
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise StagingError(f"the submission holds more than {MAX_ENTRIES:,} files and "
                               "folders, more than the grader copies")

    def file(self, source: str | Path, copied: str | Path, info: os.stat_result,
             flags: int) -> None:
        """A hard link may be a file the grader can read and the worker may not (one of the
        grader's, or one closed to other users): as root, such a file is staged as a symbolic
        link, for the worker to open with its own rights. So is a file the grader may not read."""
        if self.as_root and info.st_nlink > 1 and not self.graders:
            self.graders.update((f.st_dev, f.st_ino) for h in self.hidden
                                for f in map(os.lstat, _files_in(h)))
        if self.as_root and info.st_nlink > 1 and (
                (info.st_dev, info.st_ino) in self.graders or not info.st_mode & stat.S_IROTH):
            os.symlink(os.path.abspath(source), copied)
            return
        try:
            fd = os.open(source, flags)
        except PermissionError:
            os.symlink(os.path.abspath(source), copied)
            return
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return  # swapped for a FIFO or a device since it was looked at: left out
            with open(copied, "xb") as g:
                while chunk := f.read(_CHUNK):
                    self.left -= len(chunk)
                    if self.left < 0:
                        raise StagingError(f"the submission's files add up to more than "
                                           f"{MAX_MB} MB, more than the grader copies")
                    g.write(chunk)
        os.chmod(copied, 0o644)  # whatever the umask


def _folder(path: Path) -> None:
    path.mkdir()
    os.chmod(path, 0o755)


def _files_in(folder: Path) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, files in os.walk(folder) for f in files]
