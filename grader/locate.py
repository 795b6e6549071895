"""What a submission is: the one place that decides what to grade in a path.

`checked` validates a --submission PATH given on the command line (a .py file, a folder of
exercises, a .ipynb notebook) and raises a UsageError in one sentence otherwise. `choose` picks,
in one student's upload or repository, what to grade (batch, Gradescope, PrairieLearn), and
says what else it held.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from grader.catalog import EXERCISES
from grader.ipynb import NotANotebook, code_cells
from grader.usage import UsageError

IGNORED = ("__pycache__", "__MACOSX")  # and every name starting with a dot
SEARCHED, SEARCHED_DEPTH = 100_000, 32  # entries and folder levels `find` looks through
MAX_READ = 1 << 20  # bytes of a file read to count what it defines


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


@dataclass(frozen=True)
class Choice:
    """What `choose` grades in an upload, and what else it held that is not graded, with why."""

    target: Path | None
    passed_over: tuple[tuple[Path, str], ...] = ()

    def said(self, root: Path) -> str:
        """'graded nn.py; not graded: test_nn.py (a test file)', paths relative to root."""
        if self.target is None or not self.passed_over:
            return ""
        name = (lambda p: p.relative_to(root).as_posix() if p != root else p.name)
        return (f"graded {name(self.target)}; not graded: " + ", ".join(
            f"{name(p)} ({why})" for p, why in self.passed_over))


def find(entry: Path) -> Path | None:
    """What to grade in one student's entry (see `choose`)."""
    return choose(entry).target


def choose(entry: Path) -> Choice:
    """What to grade in one student's entry: the entry itself when it is a .py or .ipynb file.
    In a folder, among the first SEARCHED entries within SEARCHED_DEPTH folders of it, the
    candidates are the folders that hold an exercise file (relu.py, ...), the notebooks with
    code, and the other .py files but test and setup files; the one that defines the most
    exercise functions that are written (not a stub that raises NotImplementedError) is graded,
    a tie going to a folder of exercises (the shallowest), then a notebook, then a .py file.
    Nothing written anywhere: the first of them in that order. No candidate: None.

    Symbolic links are never followed: one could lead the grader, with its own rights, to any
    file on the machine (the reference solutions among them)."""
    if entry.is_symlink():
        return Choice(None)
    if entry.is_file():
        return Choice(entry if entry.suffix in (".py", ".ipynb") else None)
    if not entry.is_dir():
        return Choice(None)
    folders, files, passed_over = [], [], []
    level, depth, seen = [entry], 0, 0
    while level:
        folders += [f for f in level if exercise_files(f)]
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
                elif e.is_file(follow_symlinks=False) and Path(e.path).parent not in folders:
                    files.append(Path(e.path))
        level, depth = sorted(below, key=str), depth + 1
    candidates: list[Path] = list(folders)
    for path in files:
        why = _not_a_submission(path)
        if why:
            passed_over.append((path, why))
        elif path.suffix in (".ipynb", ".py"):
            candidates.append(path)
    if not candidates:
        return Choice(None, tuple(passed_over))
    kind = {".ipynb": 1, ".py": 2}
    written = {c: written_exercises(c) for c in candidates}
    best = min(candidates, key=lambda c: (-written[c], kind.get(c.suffix, 0) if c.is_file()
                                          else 0, len(c.parts), str(c)))
    passed_over += [(c, f"{written[c]} exercise{'s' if written[c] != 1 else ''} written, "
                        f"{written[best]} in what is graded") for c in candidates if c != best]
    return Choice(best, tuple(sorted(passed_over, key=lambda pw: str(pw[0]))))


def exercise_files(folder: Path) -> list[str]:
    """The exercise files (relu.py, ...) that `folder` holds, in name order."""
    return sorted(name for name in {ex.file for ex in EXERCISES} if (folder / name).is_file())


def _not_a_submission(path: Path) -> str:
    """Why a file of an upload is not a candidate, or ''."""
    name = path.name.lower()
    if path.suffix == ".py" and (name.startswith("test_") or name.endswith("_test.py")
                                 or name in ("conftest.py", "setup.py")):
        return "a test or setup file"
    if path.suffix == ".ipynb":
        try:
            if not any(source.strip() for _, source in code_cells(path)):
                return "a notebook without code"
        except NotANotebook:
            return ""  # graded, so that the student is told what is wrong with it
    return ""


def written_exercises(path: Path) -> int:
    """How many exercises the file, notebook or folder defines a written function for: parsed,
    never run; a function whose body only raises NotImplementedError (or passes) is a stub."""
    try:
        if path.is_dir():
            sources = [f.read_bytes()[:MAX_READ].decode("utf-8", "replace")
                       for f in sorted(path.glob("*.py")) if not f.is_symlink()]
        elif path.suffix == ".ipynb":
            sources = [source for _, source in code_cells(path)]
        else:
            sources = [path.read_bytes()[:MAX_READ].decode("utf-8", "replace")]
    except (OSError, NotANotebook):
        return 0
    defined: dict[str, ast.FunctionDef] = {}
    for source in sources:
        defined.update(functions(source))
    return sum(any(n in defined and not _stub(defined[n]) for n in (ex.name, *ex.aliases))
               for ex in EXERCISES)


def functions(source: str) -> dict[str, ast.FunctionDef]:
    """The top-level functions of `source`, by name; none when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _stub(fn: ast.FunctionDef) -> bool:
    body = [node for node in fn.body if not (isinstance(node, ast.Expr) and isinstance(
        node.value, ast.Constant))]  # docstrings and a bare ...
    if not body:
        return True
    if len(body) == 1 and isinstance(body[0], ast.Pass):
        return True
    if len(body) == 1 and isinstance(body[0], ast.Raise):
        exc = body[0].exc
        exc = exc.func if isinstance(exc, ast.Call) else exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def ignored(relative: Path) -> bool:
    """Hidden files and folders, caches, and macOS's zip leftovers."""
    return any(part.startswith(".") or part in IGNORED for part in relative.parts)
