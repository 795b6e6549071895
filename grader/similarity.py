"""Which submitted functions are the same code as the reference, a solution, or another
student's: a flag for the instructor to look at, never a grade.

Each exercise function of a submission is parsed (never run) and reduced to a fingerprint: its
syntax tree without docstrings, comments or layout, every name it binds (parameters, variables,
loop indices) renamed in the order it first appears. Two functions with the same fingerprint are
the same code whatever their names and spacing. Functions of fewer than MIN_NODES nodes are left
out: a one-line relu is written the same way by half a class.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import inspect
from collections import defaultdict
from pathlib import Path

from grader import modules
from grader.catalog import REPO, Chapter
from grader.ipynb import NotANotebook, code_cells
from grader.locate import functions

MIN_NODES = 60  # about a four-line function
MAX_SOURCE = 1 << 20  # bytes of a submission read


class _Renamer(ast.NodeTransformer):
    """Binds every local name to v0, v1, ... in order of first appearance; globals (np, relu)
    keep theirs."""

    def __init__(self, bound: set[str]) -> None:
        self.bound, self.names = bound, {}

    def _new(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.bound:
            node.id = self._new(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg, node.annotation = self._new(node.arg), None
        return node


def _bound(fn: ast.FunctionDef) -> set[str]:
    names = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
    names |= {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
              and isinstance(n.ctx, (ast.Store, ast.Del))}
    return names


def fingerprint(fn: ast.FunctionDef) -> str | None:
    """The function's code without its names and layout, hashed; None when it is too small."""
    fn = copy.deepcopy(fn)
    fn.name, fn.decorator_list, fn.returns = "f", [], None
    if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(
            getattr(fn.body[0], "value", None), ast.Constant) and isinstance(
            fn.body[0].value.value, str):
        fn.body = fn.body[1:] or [ast.Pass()]  # without its docstring
    if sum(1 for _ in ast.walk(fn)) < MIN_NODES:
        return None
    fn = _Renamer(_bound(fn)).visit(fn)
    return hashlib.sha256(ast.dump(fn, annotate_fields=False).encode()).hexdigest()[:16]


def _sources(target: Path, chapter: Chapter) -> list[str]:
    """The code of a submission (a .py file, a folder of exercise files, a notebook's cells)."""
    try:
        if target.suffix == ".ipynb":
            return [src for _, src in code_cells(target)]
        files = [target] if target.is_file() else \
            [target / ex.file for ex in chapter.exercises if (target / ex.file).is_file()]
        return [f.read_bytes()[:MAX_SOURCE].decode("utf-8", "replace") for f in files
                if not f.is_symlink()]
    except (OSError, NotANotebook):
        return []


def submitted(target: Path, chapter: Chapter) -> dict[str, str]:
    """exercise -> fingerprint of the submission's function for it (by name or alias)."""
    found: dict[str, ast.FunctionDef] = {}
    for source in _sources(target, chapter):
        found.update(functions(source))
    out = {}
    for ex in chapter.exercises:
        fn = next((found[n] for n in (ex.name, *ex.aliases) if n in found), None)
        mark = fingerprint(fn) if fn is not None else None
        if mark:
            out[ex.name] = mark
    return out


def known(chapter: Chapter) -> dict[str, dict[str, str]]:
    """exercise -> {fingerprint: 'the reference' | 'the solution'}: code that is not the
    student's own (the grader's reference ships with the student copy)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for ex in chapter.exercises:
        # The reference where it is written: chapter 5's are grader.convnet's functions.
        reference = modules.reference(ex.name)
        written = Path(inspect.getsourcefile(reference) or ""), reference.__name__
        for where, path, name in (("the grader's reference", *written),
                                  ("the solution", REPO / "solutions" / ex.file, ex.name)):
            fn = functions(path.read_text()).get(name) if path.is_file() else None
            mark = fingerprint(fn) if fn is not None else None
            if mark:
                out[ex.name][mark] = where
    return out


def flags(prints: dict[str, dict[str, str]], chapter: Chapter) -> dict[str, list[str]]:
    """student -> what their code is the same as: "forward_prop: the grader's reference",
    "backward_prop: the same code as bob, carol". `prints`: student -> submitted(...)."""
    sources = known(chapter)
    by_mark: dict[tuple[str, str], list[str]] = defaultdict(list)
    for student, mine in prints.items():
        for exercise, mark in mine.items():
            by_mark[(exercise, mark)].append(student)
    out: dict[str, list[str]] = defaultdict(list)
    for (exercise, mark), students in sorted(by_mark.items()):
        where = sources.get(exercise, {}).get(mark)
        for student in students:
            others = [s for s in students if s != student]
            if where:
                out[student].append(f"{exercise}: {where}")
            elif others:
                out[student].append(f"{exercise}: the same code as {', '.join(others)}")
    return dict(out)
