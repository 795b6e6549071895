"""`python -m grader dev-check`: the catalog against everything derived from it.

In the spirit of rustlings' `dev check`. For every exercise of every chapter: its grader module
has a reference with the catalog's parameters, checks and at least one known mistake; it has
three hints; its solution defines it with the same parameters and passes every check; its file
in the chapter's folder is the stub written from the catalog, which the grader finds not
started. The folder holds nothing else, and the README's exercise table is the catalog's.
`--write` writes what is derived and missing: stub files that do not exist yet, each folder's
`__init__.py` and the README's table (a stub file that differs is reported, never replaced:
`python -m grader reset` keeps a backup).
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

from grader import modules
from grader.catalog import CHAPTERS, REPO, Chapter, Exercise
from grader.docs import readme_with_tables
from grader.engine import run_checks
from grader.results import Status
from grader.stubs import package_init, stub_source
from grader.usage import Parser, UsageError
from grader.worker import Worker


def _parameters(path: Path, name: str) -> tuple[str, ...] | None:
    """The parameter names of function `name` defined at the top of `path`, or None."""
    try:
        tree = ast.parse(path.read_text(), str(path))
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return tuple(a.arg for a in node.args.args)
    return None


def _grader_side(ex: Exercise) -> list[str]:
    problems = []
    try:
        module = modules.module(ex.name)
    except ImportError as err:
        return [f"its grader module {ex.name} cannot be imported: {err}"]
    reference = getattr(module, "reference", None)
    if not callable(reference):
        problems.append("its grader module has no reference function")
    elif tuple(inspect.signature(reference).parameters) != ex.arg_names:
        problems.append(f"its reference takes {tuple(inspect.signature(reference).parameters)}, "
                        f"the catalog says {ex.arg_names}")
    if not getattr(module, "MISTAKES", ()) and not getattr(module, "CAUSES", {}):
        problems.append("its grader module lists no known mistake (MISTAKES, or CAUSES for "
                        "one checked by its record of calls)")
    if not any(n.startswith("check_") and callable(f) for n, f in vars(module).items()):
        problems.append("its grader module has no check_* function")
    if len(ex.hints) != 3 or not all(h.strip() for h in ex.hints):
        problems.append("it needs three hints")
    if not ex.doc.strip() or not ex.summary.strip():
        problems.append("it needs a summary and a docstring")
    return problems


def _files(chapter: Chapter, write: bool) -> dict[str, list[str]]:
    """Problems of the chapter's exercise folder and solutions, by exercise ('' for the folder)."""
    folder, solutions = REPO / chapter.folder, REPO / "solutions"
    problems: dict[str, list[str]] = {}
    init = folder / "__init__.py"
    # Chapters may share a folder: its __init__.py lists them all, and it holds all their files.
    sharing = [ex for ch in CHAPTERS if ch.folder == chapter.folder for ex in ch.exercises]
    wanted_init = package_init([ex.name for ex in sharing])
    if write and (not init.exists() or init.read_text() != wanted_init):
        init.write_text(wanted_init)
    if not init.exists() or init.read_text() != wanted_init:
        problems.setdefault("", []).append(f"{init} does not list the chapter's exercises "
                                           "(dev-check --write writes it)")
    for ex in chapter.exercises:
        stub, mine = folder / ex.file, problems.setdefault(ex.name, [])
        if write and not stub.exists():
            stub.write_text(stub_source(ex))
        if not stub.exists():
            mine.append(f"{stub} is missing (dev-check --write writes it)")
        elif stub.read_text() != stub_source(ex):
            mine.append(f"{stub} is not the stub the catalog describes (dev-check --write "
                        "writes a missing stub; reset replaces a changed one, with a backup)")
        parameters = _parameters(solutions / ex.file, ex.name)
        if parameters is None:
            mine.append(f"{solutions / ex.file} does not define {ex.name}")
        elif parameters != ex.arg_names:
            mine.append(f"its solution takes {parameters}, the catalog says {ex.arg_names}")
    expected = {ex.file for ex in sharing} | {"__init__.py"}
    extra = sorted(p.name for p in folder.iterdir() if p.name not in expected
                   and p.name != "__pycache__") if folder.is_dir() else []
    if extra:
        problems.setdefault("", []).append(f"{folder} holds files that are no exercise: "
                                           f"{', '.join(extra)}")
    return problems


def _graded(chapter: Chapter, folder: Path, wanted: Status) -> dict[str, str]:
    """Exercises whose status, graded in `folder`, is not `wanted`: name -> what it is."""
    with Worker(folder) as worker:
        results = run_checks(worker, list(chapter.exercises), seed=0)
    return {r.name: f"{r.status}: {r.message or r.diagnosis or ''}".rstrip(": ")
            for r in results if r.status != wanted}


def problems(write: bool = False) -> list[str]:
    found = []
    for chapter in CHAPTERS:
        for name, listed in _files(chapter, write).items():
            found += [f"{name}: {p}" if name else p for p in listed]
        for ex in chapter.exercises:
            found += [f"{ex.name}: {p}" for p in _grader_side(ex)]
        for name, what in _graded(chapter, REPO / "solutions", Status.PASSED).items():
            found.append(f"{name}: its solution does not pass ({what})")
        pristine = REPO / chapter.folder
        for name, what in _graded(chapter, pristine, Status.NOT_STARTED).items():
            found.append(f"{name}: its stub is not 'not started' ({what})")
    claimed: dict[str, str] = {}
    for ex in (ex for chapter in CHAPTERS for ex in chapter.exercises):
        for name in (ex.name, *ex.aliases):
            if name in claimed:
                found.append(f"{ex.name}: {name} is already {claimed[name]}'s name or alias (a "
                             "function of a submission is graded as one exercise only)")
            claimed.setdefault(name, ex.name)
    readme = REPO / "README.md"
    text = readme.read_text()
    try:
        wanted = readme_with_tables(text, CHAPTERS)
    except ValueError as err:
        return found + [str(err)]
    if wanted != text:
        if write:
            readme.write_text(wanted)
        else:
            found.append("README.md: its exercise table is not the catalog's (dev-check --write "
                         "writes it)")
    return found


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader dev-check",
               description="Check every catalog entry against its stub, solution, grader module "
                           "and hints, and the README's table against the catalog. Exit status "
                           "0 when all is well, 1 otherwise.")
    p.add_argument("--write", action="store_true",
                   help="write what is derived and missing (stubs, __init__.py, README table)")
    args = p.parse_args(argv)
    if not (REPO / "solutions").is_dir():
        raise UsageError(f"dev-check needs the repository's solutions/, which {REPO} has not "
                         "(a student copy leaves them out)")
    found = problems(write=args.write)
    for line in found:
        print(line, file=sys.stderr)
    count = sum(len(ch.exercises) for ch in CHAPTERS)
    print(f"dev-check: {count} exercises in {len(CHAPTERS)} chapter(s), "
          + (f"{len(found)} problem(s)" if found else "all consistent"))
    return 1 if found else 0
