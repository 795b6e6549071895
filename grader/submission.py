"""Loading a learner's submission: a .py file, a folder laid out like `exercises/`, or a notebook.

Runs only inside the worker process. Problems while loading (a syntax error, an exception at
import) become learner-facing messages attached to the exercise they belong to, never a crash.
The reference functions swapped in for the learner's are stand-ins made by `reference`, a
function given by the worker: this module never imports the grader's reference solutions.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import linecache
import os
import re
import sys
import textwrap
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import signatures
from grader.catalog import BY_NAME, EXERCISES, NAMES
from grader.ipynb import NotANotebook, code_cells

PACKAGE = "_submission"


Reference = Callable[[str], Callable]  # name -> a stand-in for the reference function


@dataclass
class Submission:
    root: Path
    reference: Reference
    functions: dict[str, Callable] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # exercise -> why it cannot run
    notes: dict[str, str] = field(default_factory=dict)  # exercise -> another name, parameters
    warnings: list[str] = field(default_factory=list)  # lines of a file that could not run
    plans: dict[str, signatures.Plan] = field(default_factory=dict)  # how to call each
    parameters: dict[str, list[str]] = field(default_factory=dict)  # the exercise's it takes
    namespaces: list[dict] = field(default_factory=list)  # every module dict of the learner's

    @contextmanager
    def swapped(self, names: tuple[str, ...], stand_ins: dict[str, Callable] | None = None
                ) -> Iterator[None]:
        """Bind the reference version of each named function (or its stand-in in `stand_ins`)
        wherever the learner's is bound.

        A learner's function can exist twice (`from relu import relu` loads relu.py again under
        its bare name) and under another name (the notebook's `ReLU`), so every function of
        the submission bound to any of the exercise's names is swapped.
        """
        learner = {}
        for n in names:
            keys = (n, *BY_NAME[n].aliases)
            graded = self.functions.get(n)
            # A function under an alias is the graded one loaded again (the same code), not a
            # helper of that name beside it (CS231n's im2col_indices beside the file's im2col).
            same = getattr(graded, "__code__", None)
            found = [graded] + [ns.get(k) for ns in self.namespaces for k in keys
                                if k == n or same is None or _code_of(ns.get(k), same)]
            stand_in = (stand_ins or {}).get(n) or self.reference(n)
            learner.update({id(fn): stand_in for fn in found if _is_learner(
                getattr(getattr(fn, "__code__", None), "co_filename", ""), self.root)})
        saved: list[tuple[dict, str, Any]] = []
        kept: list[tuple[type, str, Any]] = []  # `NN.softmax`: a learner's class holds it
        for ns in self.namespaces:
            for key, value in list(ns.items()):
                if id(value) in learner:
                    saved.append((ns, key, value))
                    ns[key] = learner[id(value)]
                elif isinstance(value, type) and _is_learner(
                        getattr(sys.modules.get(value.__module__), "__file__", "") or "",
                        self.root):
                    for name, raw in list(vars(value).items()):
                        if id(getattr(raw, "__func__", raw)) not in learner:
                            continue
                        with contextlib.suppress(Exception):  # a class that refuses it
                            setattr(value, name, staticmethod(learner[id(raw.__func__)])
                                    if isinstance(raw, staticmethod) else learner[id(raw)])
                            kept.append((value, name, raw))
        try:
            yield
        finally:
            for ns, key, value in saved:
                ns[key] = value
            for cls, name, raw in kept:
                setattr(cls, name, raw)


def describe_exception(err: BaseException, root: Path) -> str:
    """'ValueError: ... (network.py, line 12, in softmax: return E / s)', pointing at the
    learner's line and the function it is in."""
    if isinstance(err, SyntaxError):  # the line itself, and a caret under where it breaks
        line = (err.text or "").rstrip("\n")
        shown = line.lstrip()
        caret = " " * max(0, (err.offset or 1) - 1 - (len(line) - len(shown)))
        return (f"{type(err).__name__}: {err.msg} ({Path(err.filename or '?').name}, "
                f"line {err.lineno}: {shown.rstrip()})\n    {shown.rstrip()}\n    {caret}^")
    # The staged copy's folder means nothing to the learner: their files by name only.
    message = f"{type(err).__name__}: {err}".rstrip(": ").replace(str(root.parent) + os.sep, "")
    message = message.replace(str(Path.home()), "~")  # the worker's home is its scratch folder
    frames = [f for f in traceback.extract_tb(err.__traceback__) if _is_learner(f.filename, root)]
    if frames:
        f = frames[-1]
        inside = "" if f.name.startswith("<") else f", in {f.name}"  # not a file's own lines
        message += f" ({Path(f.filename).name}, line {f.lineno}{inside}: {(f.line or '').strip()})"
    return message


def _code_of(fn: Any, code: types.CodeType) -> bool:
    """Whether `fn` runs the code `code` (from the same file, under the same name)."""
    mine = getattr(fn, "__code__", None)
    return mine is not None and (mine.co_name, mine.co_filename) == (code.co_name,
                                                                     code.co_filename)


def _is_learner(filename: str, root: Path) -> bool:
    path = Path(filename)
    return path == root or root in path.parents


def _exec_module(name: str, path: Path, sub: Submission) -> types.ModuleType:
    """Import the file as module `name`, one top-level statement at a time: a statement that
    raises (reading a CSV that exists only on the learner's machine, training at import) costs
    only what it defines, and is told once. A syntax error costs the whole file."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    source = path.read_bytes()
    tree = ast.parse(source, str(path))  # raises SyntaxError before anything runs
    sys.modules[name] = module
    flags, failed = 0, []
    for statement in tree.body:
        code = compile(ast.Module([statement], []), str(path), "exec", flags=flags,
                       dont_inherit=True)
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            flags |= code.co_flags & _FUTURE_FLAGS
        try:
            exec(code, vars(module))
        except BaseException as err:  # SystemExit and KeyboardInterrupt included
            defines = _defined(statement) & set(NAMES)
            why = describe_exception(err, sub.root)
            for exercise in defines:
                sub.problems[exercise] = f"{path.name} could not define {exercise}: {why}"
            failed.append((statement.lineno, why))
    if failed:  # the first one is the cause; the others usually needed what it would have made
        (line, why), later = failed[0], [str(n) for n, _ in failed[1:]]
        also = f", nor line{'s' if len(later) > 1 else ''} {', '.join(later)} after it" \
            if later else ""
        sub.warnings.append(f"{path.name}, line {line} could not run here ({why}){also}; the "
                            "rest of the file ran")
    return module


_FUTURE_FLAGS = 0
for _feature in ("annotations", "division", "generator_stop"):
    import __future__
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


def _defined(statement: ast.stmt) -> set[str]:
    """The names a top-level statement binds."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    return {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)}


def _stand_in(sub: Submission, name: str) -> types.ModuleType:
    """Replaces a learner module that failed to load, so the files importing it still load.
    Its function is the reference, which the grader answers only while checking a function
    that calls it; called at any other time, it says why the learner's own is missing."""
    reference = sub.reference(name)

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        try:
            return reference(*args, **kwargs)
        except RuntimeError:  # the grader refused: not during a check that calls `name`
            raise RuntimeError(f"{name}() is missing: {sub.problems[name]}") from None

    module = types.ModuleType(f"{PACKAGE}.{name}")
    setattr(module, name, stand_in)
    return module


def _stood_in(sub: Submission, name: str) -> None:
    """A file that did not load is stood in for under both names a learner imports it by:
    `from .softmax import softmax` and `from softmax import softmax`."""
    module = _stand_in(sub, name)
    sys.modules[f"{PACKAGE}.{name}"] = sys.modules[name] = module


def load(path: Path, reference: Reference, skip: dict[str, str] | None = None,
         before_file: Callable[[str], None] = lambda name: None) -> Submission:
    """Load a .py file, a folder or a .ipynb notebook. In a folder, the exercises in `skip`
    (name -> problem) are not loaded but stood in for, and `before_file` hears of each file
    about to run."""
    path = Path(os.path.abspath(path))  # not resolved: a link stays the learner's file
    try:
        is_dir = path.is_dir()  # a link the worker may not follow cannot even be looked at
    except OSError as err:
        sub = Submission(root=path.parent, reference=reference)
        message = f"{path.name} could not be read: {describe_exception(err, sub.root)}"
        sub.problems = dict.fromkeys(NAMES, message)
        return sub
    sub = Submission(root=path if is_dir else path.parent, reference=reference)
    if is_dir:
        _load_folder(path, sub, skip or {}, before_file)
    elif path.suffix == ".ipynb":
        _load_notebook(path, sub)
    else:
        try:
            module = _exec_module(PACKAGE, path, sub)
        except BaseException as err:  # a syntax error, or a file that cannot be read
            message = f"{path.name} could not be loaded: {describe_exception(err, sub.root)}"
            sub.problems = dict.fromkeys(NAMES, message)
            return sub
        _collect(sub, [module], where=path.name)
    return sub


def _load_folder(folder: Path, sub: Submission, skip: dict[str, str],
                 before_file: Callable[[str], None]) -> None:
    package = types.ModuleType(PACKAGE)
    package.__path__ = [str(folder)]
    sys.modules[PACKAGE] = package
    sys.path.insert(0, str(folder))  # `from relu import relu` works as well as `from .relu import relu`
    renamed: dict[str, str] = {}
    for ex in EXERCISES:
        file = folder / ex.file
        if not os.path.lexists(file):  # a link the worker may not follow is still the file
            copy = _copy_of(folder, ex.name)
            if copy is None:
                continue
            file, renamed[ex.name] = copy, (f"{copy.name} is graded as {ex.file}: rename it "
                                            f"{ex.file}")
        if ex.name in skip:
            sub.problems[ex.name] = skip[ex.name]
            _stood_in(sub, ex.name)
            continue
        before_file(ex.name)
        try:
            module = _exec_module(f"{PACKAGE}.{ex.name}", file, sub)
        except BaseException as err:
            sub.problems[ex.name] = (f"{file.name} could not be loaded: "
                                     f"{describe_exception(err, folder)}")
            _stood_in(sub, ex.name)
            continue
        setattr(package, ex.name, module)
        if ex.name in renamed:  # `from softmax import softmax` finds it under its own name too
            sys.modules.setdefault(ex.name, module)
    learner_modules = [m for m in list(sys.modules.values())
                       if _is_learner(getattr(m, "__file__", None) or "", folder)]
    _collect(sub, learner_modules, own={ex.name: f"{PACKAGE}.{ex.name}" for ex in EXERCISES},
             where="")
    for name, said in renamed.items():
        sub.notes[name] = f"{said}. {sub.notes[name]}" if sub.notes.get(name) else said


# What a browser or a file manager names a second copy: "softmax (1).py", "softmax copy.py".
COPY_NAME = r"{name}(?: ?\(\d+\)| copy| - copy| - Copy| Copy)\.py"


def _copy_of(folder: Path, name: str) -> Path | None:
    """The one file of `folder` that is a renamed copy of NAME.py (the newest when several)."""
    pattern = re.compile(COPY_NAME.format(name=re.escape(name)))
    copies = [p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file()]
    return max(copies, key=lambda p: (p.stat().st_mtime, p.name)) if copies else None


# A line magic or shell line (`%matplotlib inline`, `!pip install x`), but not `!= b`.
MAGIC_LINE = re.compile(r"^([ \t]*)(?:%|!(?!=)).*$", re.M)
RELATIVE_IMPORT = re.compile(r"^([ \t]*)from[ \t]+\.+\w*[ \t]+import[ \t]+[\w, \t]+$", re.M)
# A top-level `def name(` or `name =`: what a cell defines.
DEFINES = re.compile(r"^(?:async[ \t]+)?def[ \t]+(\w+)|^(\w+)[ \t]*=(?!=)", re.M)


def _load_notebook(path: Path, sub: Submission) -> None:
    """Run the code cells in order in one module, as Jupyter would, skipping IPython magics.

    A cell that raises is reported against the exercises it defines and the next cell runs;
    one that defines none of them (loading data from a path that exists only on the learner's
    machine, say) costs nothing unless a function needs what it would have made, and then that
    function's own error names the missing variable.
    """
    try:
        cells = code_cells(path)
    except NotANotebook as err:  # named as the learner knows it, not as staged
        sub.problems = dict.fromkeys(NAMES, str(err).replace(str(path.parent) + os.sep, ""))
        return
    _quiet_notebook_helpers()
    module = types.ModuleType(PACKAGE)
    module.__file__ = str(path)
    sys.modules[PACKAGE] = module
    for number, source in cells:
        if source.lstrip().startswith("%%"):  # a cell magic: its body may not even be Python
            continue
        code = MAGIC_LINE.sub(r"\1pass", source)  # `pass` keeps line numbers and blocks valid
        # `from .relu import relu`, pasted from exercises/ with the function: in one notebook
        # the function it imports is a cell of its own.
        code = RELATIVE_IMPORT.sub(r"\1pass", code)
        # "<notebook>/cell 7" names the cell in tracebacks and counts as the learner's file.
        filename = str(path / f"cell {number}")
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        defines = {name for match in DEFINES.findall(code) for name in match if name in NAMES}
        try:
            exec(compile(code, filename, "exec"), vars(module))
        except BaseException as err:  # SystemExit and KeyboardInterrupt included
            why = describe_exception(err, sub.root)
            sub.problems.update({name: f"the cell that defines {name} could not run: {why}"
                                 for name in defines})
        else:
            for name in defines:  # a later cell that runs replaces an earlier broken one
                sub.problems.pop(name, None)
    _collect(sub, [module])


def _quiet_notebook_helpers() -> None:
    """The notebook's own cells import grader.notebook's check(), train() and show_digits():
    here they must do nothing (grading happens in the grader), so they are stand-ins."""
    helpers = types.ModuleType("grader.notebook")
    for name in ("check", "train", "show_digits"):
        setattr(helpers, name, lambda *args, **kwargs: None)
    sys.modules[helpers.__name__] = helpers
    setattr(sys.modules["grader"], "notebook", helpers)


def _collect(sub: Submission, modules: list[types.ModuleType], own: dict[str, str] | None = None,
             where: str = "this notebook") -> None:
    """Find each exercise's function: in its own file when there is one, else anywhere; under
    its name, else under one of the names learners give it (told in a note). Then plan how to
    call it (grader.signatures)."""
    sub.namespaces = [vars(m) for m in modules]
    for ex in EXERCISES:
        if ex.name in sub.problems:
            continue
        home = sys.modules.get(own[ex.name]) if own else None
        candidates = [home] if home in modules else modules
        found = _find(candidates, ex, sub.root)
        if found is None:
            defined = [k for k, v in vars(home).items() if isinstance(v, types.FunctionType)
                       and v.__module__ == home.__name__] if home in modules else []
            if defined:  # its own file holds functions, none of them by a name we know
                sub.notes[ex.name] = (f"{ex.file} defines {', '.join(defined)}, not "
                                      f"{ex.name}: name the function {ex.name}")
            continue
        shown, fn = found
        sub.functions[ex.name] = fn
        place = where or ex.file
        notes = [f"{place} defines {shown}, not {ex.name}: it is graded as {ex.name} (name it "
                 f"{ex.name} to silence this note)."] if shown != ex.name else []
        plan = signatures.plan(ex, fn, shown)
        sub.plans[ex.name] = plan
        sub.parameters[ex.name] = list(ex.arg_names) if plan.positional else \
            [ex.arg_names[index] for _, kind, index in plan.sources if kind == "arg"]
        notes += [plan.note] if plan.note else []
        if notes:
            sub.notes[ex.name] = " ".join(notes)


def _find(modules: list[types.ModuleType], ex, root: Path) -> tuple[str, Callable] | None:
    """(the name it is bound to, the function) of the exercise in these modules: under its
    own name, else under a name learners give it, if the learner wrote that function (an
    imported `accuracy_score` or the notebook helpers' `train` is not theirs); a stub under its
    own name gives way to the learner's function under another (the notebook's stub cell,
    then their `ReLU`)."""
    wanted = {_squash(n): n for n in (ex.name, *ex.aliases)}
    found = []
    for exact in (True, False):
        for module in modules:
            for key, value in vars(module).items():
                if not callable(value) or isinstance(value, type) \
                        or isinstance(value, types.ModuleType):
                    continue
                if exact and key == ex.name or not exact and _squash(key) in wanted and \
                        _is_learner(getattr(getattr(value, "__code__", None), "co_filename", ""),
                                    root):
                    found.append((key, value))
    return next((f for f in found if not is_stub(f[1])), found[0] if found else None)


def is_stub(fn: Callable) -> bool:
    """A function whose body is only its docstring and `raise NotImplementedError`."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.FunctionDef) else []
    body = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return len(body) == 1 and isinstance(body[0], ast.Raise) and "NotImplementedError" in \
        ast.unparse(body[0])


def _squash(name: str) -> str:
    return name.lower().replace("_", "")
