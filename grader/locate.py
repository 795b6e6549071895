"""What a submission is: the one place that decides what to grade in a path.

`checked` validates a --submission PATH given on the command line (a .py file, a folder of
exercises, a .ipynb notebook) and raises a UsageError in one sentence otherwise. `find` picks,
in one student's upload or repository, what to grade (batch, Gradescope).
"""

from __future__ import annotations

from pathlib import Path

from grader.catalog import EXERCISES
from grader.ipynb import NotANotebook, code_cells
from grader.usage import UsageError

IGNORED = ("__pycache__", "__MACOSX")  # and every name starting with a dot


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
    notebook, else its only .py file. None when there is nothing to grade.

    Symbolic links are never followed: one could lead the grader, with its own rights, to any
    file on the machine (the reference solutions among them)."""
    if entry.is_symlink():
        return None
    if entry.is_file():
        return entry if entry.suffix in (".py", ".ipynb") else None
    if not entry.is_dir():
        return None
    inside = sorted((p for p in entry.rglob("*") if not ignored(p.relative_to(entry))
                     and not any(q.is_symlink() for q in
                                 [p, *p.parents][:len(p.relative_to(entry).parts)])),
                    key=lambda p: (len(p.parts), str(p)))
    exercise_files = {ex.file for ex in EXERCISES}
    for folder in [entry, *(p for p in inside if p.is_dir())]:
        if any((folder / name).is_file() for name in exercise_files):
            return folder
    for suffix in (".ipynb", ".py"):
        found = [p for p in inside if p.suffix == suffix and p.is_file()]
        if len(found) == 1:
            return found[0]
    return None


def ignored(relative: Path) -> bool:
    """Hidden files and folders, caches, and macOS's zip leftovers."""
    return any(part.startswith(".") or part in IGNORED for part in relative.parts)
