"""Staging: the copy of a submission that a worker reads instead of the original.

The policy beside the sandbox's: links stay links, for the worker to follow with its own rights;
as root, a hard link the worker could not read itself is staged as a symbolic link; hidden files,
caches, FIFOs and devices are left out; the staged copy is not writable by the worker.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from grader import sandbox


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
