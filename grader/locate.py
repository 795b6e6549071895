"""What a submission is: the one place that decides what to grade in a path.

`checked` validates a --submission PATH given on the command line (a .py file, a folder of
exercises, a .ipynb notebook) and raises a UsageError in one sentence otherwise. `find` picks,
in one student's upload or repository, what to grade (batch, Gradescope).
"""

from __future__ import annotations

import os
from itertools import islice
from pathlib import Path

from grader.catalog import EXERCISES
from grader.ipynb import NotANotebook, code_cells
from grader.usage import UsageError

IGNORED = ("__pycache__", "__MACOSX")  # and every name starting with a dot
SEARCHED, SEARCHED_DEPTH = 100_000, 32  # entries and folder levels `find` looks through


def checked(path: Path) -> Path:
    """`path` if it can be graded; a UsageError that says why not."""
    if not path.exists():
        raise UsageError(f"the submission {path} does not exist")
    if path.is_dir():
        if not any(path.glob("*.py")) and not any(path.glob("*.ipynb")):
            raise UsageError(f"the folder {path} holds no .py file or notebook")
        if not any((path / ex.file).is_file() for ex in EXERCISES):
            inner = find(path)  # a repository holding exercises/, or one file of them all
            if inner is not None:
                return inner
        return path
    if not path.is_file():
        raise UsageError(f"the submission {path} is neither a file nor a folder")
    if path.suffix == ".ipynb":
        try:
            code_cells(path)
        except NotANotebook as err:
            raise UsageError(str(err)) from None
        return path
    if path.suffix != ".py":
        raise UsageError(f"the submission {path} is neither a .py file nor a folder")
    return path


def find(entry: Path) -> Path | None:
    """What to grade in one student's entry: the entry itself when it is a .py or .ipynb file;
    in a folder, the shallowest folder holding an exercise file (relu.py, ...), else its only
    notebook, else its only .py file, among the first SEARCHED entries within SEARCHED_DEPTH
    folders of it. None when there is nothing to grade.

    Symbolic links are never followed: one could lead the grader, with its own rights, to any
    file on the machine (the reference solutions among them)."""
    if entry.is_symlink():
        return None
    if entry.is_file():
        return entry if entry.suffix in (".py", ".ipynb") else None
    if not entry.is_dir():
        return None
    exercise_files = {ex.file for ex in EXERCISES}
    files: list[Path] = []
    level, depth, seen = [entry], 0, 0
    while level:  # one level at a time: the shallowest wins
        for folder in level:
            if any((folder / name).is_file() for name in exercise_files):
                return folder
        if depth == SEARCHED_DEPTH:
            break
        below = []
        for folder in level:
            try:
                with os.scandir(folder) as it:
                    entries = sorted(islice(it, SEARCHED - seen), key=lambda e: e.name)
            except OSError:  # a folder the grader may not list holds nothing to grade
                continue
            seen += len(entries)
            for e in entries:
                if ignored(Path(e.name)) or e.is_symlink():
                    continue
                if e.is_dir(follow_symlinks=False):
                    below.append(Path(e.path))
                elif e.is_file(follow_symlinks=False):
                    files.append(Path(e.path))
        level, depth = sorted(below, key=str), depth + 1
    for suffix in (".ipynb", ".py"):
        found = [p for p in files if p.suffix == suffix]
        if len(found) == 1:
            return found[0]
    return None


def ignored(relative: Path) -> bool:
    """Hidden files and folders, caches, and macOS's zip leftovers."""
    return any(part.startswith(".") or part in IGNORED for part in relative.parts)
