"""Loading a learner's submission: a .py file, a folder laid out like `exercises/`, or a notebook.

Runs only inside the worker process. Problems while loading (a syntax error, an exception at
import) become learner-facing messages attached to the exercise they belong to, never a crash.
The reference functions swapped in for the learner's are stand-ins made by `reference`, a
function given by the worker: this module never imports the grader's reference solutions.
"""

from __future__ import annotations

import importlib.util
import linecache
import os
import re
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.catalog import EXERCISES, NAMES
from grader.ipynb import NotANotebook, code_cells

PACKAGE = "_submission"


Reference = Callable[[str], Callable]  # name -> a stand-in for the reference function


@dataclass
class Submission:
    root: Path
    reference: Reference
    functions: dict[str, Callable] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # exercise -> why it cannot run
    namespaces: list[dict] = field(default_factory=list)  # every module dict of the learner's

    @contextmanager
    def swapped(self, names: tuple[str, ...]) -> Iterator[None]:
        """Bind the reference version of each named function wherever the learner's is bound.

        A learner's function can exist twice (`from relu import relu` loads relu.py again under
        its bare name), so every function of that name defined in the submission is swapped.
        """
        learner = {id(fn): self.reference(n) for ns in self.namespaces for n in names
                   if _is_learner(getattr(getattr(fn := ns.get(n), "__code__", None),
                                          "co_filename", ""), self.root)}
        saved = []
        for ns in self.namespaces:
            for key, value in list(ns.items()):
                if id(value) in learner:
                    saved.append((ns, key, value))
                    ns[key] = learner[id(value)]
        try:
            yield
        finally:
            for ns, key, value in saved:
                ns[key] = value


def describe_exception(err: BaseException, root: Path) -> str:
    """'ValueError: ... (softmax.py, line 12: return E / s)', pointing at the learner's line."""
    if isinstance(err, SyntaxError):
        text = (err.text or "").strip()
        return (f"{type(err).__name__}: {err.msg} ({Path(err.filename or '?').name}, "
                f"line {err.lineno}: {text})")
    message = f"{type(err).__name__}: {err}".rstrip(": ")
    frames = [f for f in traceback.extract_tb(err.__traceback__) if _is_learner(f.filename, root)]
    if frames:
        f = frames[-1]
        message += f" ({Path(f.filename).name}, line {f.lineno}: {(f.line or '').strip()})"
    return message


def _is_learner(filename: str, root: Path) -> bool:
    path = Path(filename)
    return path == root or root in path.parents


def _exec_module(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


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


def load(path: Path, reference: Reference, skip: dict[str, str] | None = None,
         before_file: Callable[[str], None] = lambda name: None) -> Submission:
    """Load a .py file, a folder or a .ipynb notebook. In a folder, the exercises in `skip`
    (name -> problem) are not loaded but stood in for, and `before_file` hears of each file
    about to run."""
    path = Path(os.path.abspath(path))  # not resolved: a link stays the learner's file
    sub = Submission(root=path if path.is_dir() else path.parent, reference=reference)
    if path.is_dir():
        _load_folder(path, sub, skip or {}, before_file)
    elif path.suffix == ".ipynb":
        _load_notebook(path, sub)
    else:
        try:
            module = _exec_module(PACKAGE, path)
        except BaseException as err:  # SystemExit and KeyboardInterrupt included
            message = f"{path.name} could not be loaded: {describe_exception(err, sub.root)}"
            sub.problems = dict.fromkeys(NAMES, message)
            return sub
        _collect(sub, [module])
    return sub


def _load_folder(folder: Path, sub: Submission, skip: dict[str, str],
                 before_file: Callable[[str], None]) -> None:
    package = types.ModuleType(PACKAGE)
    package.__path__ = [str(folder)]
    sys.modules[PACKAGE] = package
    sys.path.insert(0, str(folder))  # `from relu import relu` works as well as `from .relu import relu`
    for ex in EXERCISES:
        file = folder / ex.file
        if not os.path.lexists(file):  # a link the worker may not follow is still the file
            continue
        if ex.name in skip:
            sub.problems[ex.name] = skip[ex.name]
            sys.modules[f"{PACKAGE}.{ex.name}"] = _stand_in(sub, ex.name)
            continue
        before_file(ex.name)
        try:
            module = _exec_module(f"{PACKAGE}.{ex.name}", file)
        except BaseException as err:
            sub.problems[ex.name] = f"{ex.file} could not be loaded: {describe_exception(err, folder)}"
            sys.modules[f"{PACKAGE}.{ex.name}"] = _stand_in(sub, ex.name)
            continue
        setattr(package, ex.name, module)
    learner_modules = [m for m in list(sys.modules.values())
                       if _is_learner(getattr(m, "__file__", None) or "", folder)]
    _collect(sub, learner_modules, own={ex.name: f"{PACKAGE}.{ex.name}" for ex in EXERCISES})


# A line magic or shell line (`%matplotlib inline`, `!pip install x`), but not `!= b`.
MAGIC_LINE = re.compile(r"^([ \t]*)(?:%|!(?!=)).*$", re.M)
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
    except NotANotebook as err:
        sub.problems = dict.fromkeys(NAMES, str(err))
        return
    _quiet_notebook_helpers()
    module = types.ModuleType(PACKAGE)
    module.__file__ = str(path)
    sys.modules[PACKAGE] = module
    for number, source in cells:
        if source.lstrip().startswith("%%"):  # a cell magic: its body may not even be Python
            continue
        code = MAGIC_LINE.sub(r"\1pass", source)  # `pass` keeps line numbers and blocks valid
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


def _collect(sub: Submission, modules: list[types.ModuleType], own: dict[str, str] | None = None) -> None:
    """Find each exercise's function: in its own file when there is one, else anywhere."""
    sub.namespaces = [vars(m) for m in modules]
    for name in NAMES:
        if name in sub.problems:
            continue
        home = sys.modules.get(own[name]) if own else None
        candidates = [home] if home in modules else modules
        for module in candidates:
            fn = vars(module).get(name)
            if callable(fn):
                sub.functions[name] = fn
                break
