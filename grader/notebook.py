"""Grading inside Jupyter: the helpers a learner notebook imports.

`check("softmax")` grades the kernel's current `softmax` as `python -m grader softmax` grades a
file: the function's source, with the helpers and constants it uses, goes into a scratch
notebook that a worker process loads, so the grader's own logic never runs learner code.
`train()` grades chapter 1 the same way, then trains its network as `python -m grader` does;
`train(chapter=2)` does so for chapter 2, whose training runs the learner's own gradient_descent.
Inside the worker that grades a notebook submission these three are stand-ins that do nothing
(grader.submission). `check("relu", "softmax")` grades several functions at once.
"""

from __future__ import annotations

import ast
import inspect
import re
import secrets
import sys
import tempfile
import textwrap
import time
import types
from pathlib import Path
from typing import Any

from rich.table import Table

from grader import data as digits
from grader.catalog import BY_NAME, BY_NUMBER, CHAPTER_OF, CHAPTERS, NAMES, Exercise
from grader.engine import grade_submission
from grader.figures import NAMES as FIGURES, png_figures
from grader.limits import Limits
from grader.report import Wording, console, draw_digit, print_report
from grader.results import Results
from grader.submission import is_stub
from grader.training import Data, run_training
from grader.worker import Worker

WHERE = Path("this notebook")  # how the report names the submission in a check cell
NOTEBOOK = Wording(rerun='run its cell and then check("{name}") again (the hints are just above)',
                   more='check("{name}", every=True) shows them all',
                   seed="check(name, seed={seed}) repeats them",
                   everything="Run the train cell at the end of the notebook to grade all and "
                              "train.",
                   beyond="Next: experiment with your network, in a terminal: python -m grader "
                          "experiment --submission YOUR_NOTEBOOK.ipynb --hidden 32 (save the "
                          "notebook first).")
SHOWN_DIGITS = 8


def check(*names: str, seed: int | None = None, every: bool = False) -> None:
    """Check your current functions `names` (as this kernel defines them) and show the
    verdict; `every`: show every failed check, not only the first two."""
    unknown = [name for name in names if name not in BY_NAME]
    if unknown or not names:
        problem = f"there is no exercise {unknown[0]!r}" if unknown else "name an exercise"
        raise ValueError(f"{problem}; the exercises are {', '.join(NAMES)}")
    print_report(_grade(sys._getframe(1).f_globals, [BY_NAME[n] for n in names], seed), WHERE,
                 wording=NOTEBOOK, shown=None if every else 2)


def train(seed: int | None = None, *, chapter: int = CHAPTERS[0].number) -> None:
    """Check the chapter's exercises, train its network as its verdict says (chapter 2: your
    own gradient_descent) and show how it did."""
    if chapter not in BY_NUMBER:
        raise ValueError(f"there is no chapter {chapter}; the chapters are "
                         f"{', '.join(map(str, BY_NUMBER))}")
    graded = BY_NUMBER[chapter]
    verdict = graded.verdict
    data = Data.load(digits.DATA_DIR / verdict.train_file, digits.DATA_DIR / verdict.test_file,
                     verdict.dev_size)
    results = _grade(sys._getframe(1).f_globals, list(graded.exercises), seed, data)
    pictures = _pictures(results, data)
    # One form of each: with pictures, the report leaves out its text curve, matrix and digits.
    print_report(results, WHERE, data, wording=NOTEBOOK, tables=not pictures)
    if pictures:
        from IPython.display import display

        for name, png in zip(FIGURES, pictures):  # a ConvNet's filters.png too
            display({"image/png": png, "text/plain": f"[picture: {name}]"}, raw=True)


def show_digits(count: int = SHOWN_DIGITS) -> None:
    """The first `count` training digits with their labels: pictures, or text without matplotlib."""
    pixels, labels = digits.load_pixels(digits.TRAIN_CSV)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        con = console()
        table = Table(box=None)
        for i in range(count):
            table.add_column(f"label {labels[i]}", no_wrap=True)
        table.add_row(*(draw_digit(pixels[i], con.no_color) for i in range(count)))
        con.print(table)
        return
    _, axes = plt.subplots(1, count, figsize=(1.3 * count, 1.7), squeeze=False)
    for i, ax in enumerate(axes[0]):
        ax.imshow(pixels[i].reshape(28, 28), cmap="gray_r")
        ax.set_title(f"label {labels[i]}")
        ax.axis("off")
    plt.show()


def _pictures(results: Results, data: Data) -> list[bytes]:
    """The training figures as PNG files, in the order of FIGURES; none without a history to
    draw, outside Jupyter (a terminal's IPython shows no pictures) or without matplotlib."""
    if not (results.training.history and results.training.predictions and console().is_jupyter):
        return []
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return []
    return png_figures(results.training, data)


def _grade(namespace: dict[str, Any], exercises: list[Exercise], seed: int | None,
           data: Data | None = None) -> Results:
    """Grade the kernel's definitions of `exercises` (and train when `data` is given)."""
    from nbformat import v4, write

    started = time.perf_counter()
    chapter = CHAPTER_OF[exercises[0].name]
    # Training also runs the chapter's functions that none of the exercises names (chapter 2's
    # evaluates the network with the learner's forward_prop): they go along as well.
    uses = [n for n in chapter.verdict.uses if n not in {ex.name for ex in exercises}] \
        if data is not None else []
    sources, labels = _kernel_code(namespace, [ex.name for ex in exercises] + uses)
    seed = secrets.randbelow(2**31) if seed is None else seed
    with tempfile.TemporaryDirectory(prefix="nn-check-") as folder:
        path = Path(folder) / "kernel.ipynb"
        write(v4.new_notebook(cells=[v4.new_code_cell(s) for s in sources]), str(path))
        training = None if data is None else (
            lambda worker, graded: run_training(worker, data, chapter.verdict, exercises=graded))
        with Worker(path, Limits(training=chapter.verdict.budget)) as worker:
            worker.start()
            results = grade_submission(worker, exercises, seed, training, chapter.verdict.uses)
    results.seconds = time.perf_counter() - started
    _relabel(results, labels)
    return results


def _kernel_code(namespace: dict[str, Any], names: list[str]) -> tuple[list[str], dict[int, str]]:
    """The cells a worker needs to run the kernel's `names`, and the kernel's name for each
    cell (by number) that holds one of its functions.

    First one cell per module, importable object or plain constant the functions use (one that
    fails then costs only its own name), then each function defined in the kernel, followed
    from name to name. An exercise that a checked one calls but the kernel lacks gets a stub,
    which the grader swaps out like a learner's. Each function keeps its line numbers.
    """
    bindings, functions = ["import numpy as np"], []  # functions: (label, source)
    todo, seen = list(names), set()
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        if name in BY_NAME and (name not in namespace or is_stub(namespace[name])):
            name = _alias_in(namespace, BY_NAME[name]) or name  # the notebook's ReLU for relu
            seen.add(name)
        if name not in namespace:
            if name in BY_NAME and name not in names:
                functions.append((name, f"def {name}(*args, **kwargs):\n"
                                        "    raise NotImplementedError()"))
            continue
        value = namespace[name]
        binding = _binding(name, value)
        if binding is not None:
            bindings.append(binding)
            continue
        source = _padded_source(value)
        if source is None:
            continue
        functions.append((_cell_label(value, name), source))
        try:
            todo += [n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)]
        except SyntaxError:  # a lambda whose source line does not parse alone
            pass
    labels = {len(bindings) + i: label for i, (label, _) in enumerate(functions, 1)}
    return bindings + [source for _, source in functions], labels


def _alias_in(namespace: dict[str, Any], ex: Exercise) -> str | None:
    """The name the kernel gives exercise `ex`, if it uses one of the names learners use."""
    squash = {a.lower().replace("_", "") for a in ex.aliases}
    return next((k for k, v in namespace.items() if isinstance(v, types.FunctionType)
                 and k != ex.name and k.lower().replace("_", "") in squash and not is_stub(v)
                 and v.__module__ != __name__),  # this module's train is no gradient_descent
                None)


def _binding(name: str, value: Any) -> str | None:
    """A line binding `name` to `value` in a fresh module, when one exists."""
    if isinstance(value, types.ModuleType):
        return f"import {value.__name__} as {name}"
    module, attr = getattr(value, "__module__", None), getattr(value, "__name__", None)
    if (isinstance(module, str) and module != "__main__" and isinstance(attr, str)
            and getattr(sys.modules.get(module), attr, None) is value):
        return f"from {module} import {attr} as {name}"
    try:
        if ast.literal_eval(repr(value)) == value:  # numbers, strings, tuples of them...
            return f"{name} = {value!r}"
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    return None


def _padded_source(value: Any) -> str | None:
    """The source of a function defined in the kernel, starting on its line in its cell."""
    if not isinstance(value, types.FunctionType):
        return None
    try:
        source = inspect.getsource(value)
    except (OSError, TypeError):
        return None
    return "\n" * (value.__code__.co_firstlineno - 1) + textwrap.dedent(source)


def _cell_label(fn: types.FunctionType, name: str) -> str:
    """IPython's name for the cell that defined `fn` ("Cell In[7]"), as in its tracebacks."""
    try:
        from IPython import get_ipython

        label = get_ipython().compile.format_code_name(fn.__code__.co_filename)
    except (ImportError, AttributeError):
        label = None
    return " ".join(label) if label else f"the cell that defines {name}"


def _relabel(results: Results, labels: dict[int, str]) -> None:
    """Messages name the scratch notebook's cells ("cell 3, line 2"); name the kernel's instead."""
    def fix(text: str) -> str:
        return re.sub(r"\bcell (\d+), line",
                      lambda m: f"{labels.get(int(m[1]), 'cell ' + m[1])}, line", text)

    for res in results.exercises:
        res.message = fix(res.message)
        res.warnings = [fix(w) for w in res.warnings]
        for check_result in res.checks:
            check_result.message = fix(check_result.message)
    results.training.message = fix(results.training.message)
