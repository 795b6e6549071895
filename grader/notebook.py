"""Jupyter: the learner notebook, grading from inside it, and reading .ipynb submissions.

`python -m grader notebook [PATH]` writes a notebook generated from the pristine stubs and the
catalog. Inside it, `check("softmax")` grades the kernel's current `softmax` as
`python -m grader softmax` grades a file: the function's source, with the helpers and constants
it uses, goes into a scratch notebook that a worker process loads, so the grader's own logic
never runs learner code. `train()` grades all seven the same way, then trains.

`code_cells` reads any notebook for `--submission`; submission.py runs its cells in the worker,
with GRADING_ENV set so that the notebook's check(), show_digits() and train() do nothing there.
"""

from __future__ import annotations

import ast
import html
import inspect
import json
import os
import re
import secrets
import sys
import tempfile
import textwrap
import time
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.catalog import BY_NAME, EXERCISES, NAMES, Exercise

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from grader.results import Results
    from grader.training import Data

GRADING_ENV = "NN_GRADER_GRADING"
DEFAULT_PATH = Path("nn_from_scratch.ipynb")
WHERE = Path("this notebook")  # how the report names the submission in a check cell
RERUN = 'run its cell and then check("{name}") again (the hints are just above)'
SHOWN_DIGITS = 8


class NotANotebook(ValueError):
    """A --submission .ipynb file that cannot be read as a notebook: one sentence."""


def code_cells(path: Path) -> list[tuple[int, str]]:
    """(number, source) of each code cell; cells are numbered from 1 counting every cell."""
    try:
        nb = json.loads(path.read_bytes())
    except OSError as err:
        raise NotANotebook(f"cannot read {path}: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise NotANotebook(f"{path} is not a notebook: it is not valid JSON ({err.msg} at line "
                           f"{err.lineno}, column {err.colno})") from None
    except ValueError:  # bytes that are not UTF-8/16/32 text
        raise NotANotebook(f"{path} is not a notebook: it is not JSON text") from None
    version = nb.get("nbformat") if isinstance(nb, dict) else None
    if isinstance(version, int) and version < 4:
        raise NotANotebook(f"{path} is an nbformat {version} notebook; open and save it in a "
                           "recent Jupyter to convert it to nbformat 4")
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise NotANotebook(f"{path} is JSON but not a Jupyter notebook (it has no list of cells)")
    found = []
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotANotebook(f"{path} is not a valid notebook: the source of cell {number} is "
                               "not text")
        found.append((number, source))
    return found


def check_notebook_file(path: Path) -> None:
    """Refuse a --submission .ipynb that is not a notebook, before any grading."""
    from grader.cli import UsageError

    try:
        code_cells(path)
    except NotANotebook as err:
        raise UsageError(str(err)) from None


# --------------------------------------------------------------------------- writing the notebook

def main(argv: list[str]) -> int:
    from grader.cli import Parser, UsageError

    p = Parser(prog="python -m grader notebook",
               description="Write a Jupyter notebook to work through the exercises in: the "
                           "network and its math, each exercise with its check, and training.")
    p.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH, metavar="PATH",
                   help=f"the notebook to write (default: {DEFAULT_PATH} in this folder)")
    p.add_argument("--force", action="store_true",
                   help="if PATH exists, move it to a timestamped backup and write a new one")
    args = p.parse_args(argv)
    path = args.path / DEFAULT_PATH if args.path.is_dir() else args.path
    if path.suffix != ".ipynb":
        raise UsageError(f"{path} does not end in .ipynb, so Jupyter would not open it as a "
                         "notebook")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists and was left as it is; pass --force to back it "
                         "up and write a new one, or choose another path")
    import nbformat

    nb = build_notebook()
    try:
        if path.exists():
            backup = _backup_path(path)
            path.rename(backup)
            print(f"moved the existing {path} to {backup}")
        with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
            nbformat.write(nb, f)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from None
    print(f"wrote {path}: open it in Jupyter and run its cells from the top")
    return 0


def _backup_path(path: Path) -> Path:
    stem = f"{path.stem}.backup-{time.strftime('%Y%m%d-%H%M%S')}"
    backup, n = path.with_name(stem + path.suffix), 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{stem}-{n}{path.suffix}")
    return backup


INTRO = r"""# A neural network from scratch, checked line by line

You write a tiny neural network in plain NumPy, one function at a time, and it learns to read
handwritten digits. Each exercise has a check cell that tells you precisely what is right and
what is wrong; once all seven pass, the last cell trains *your* network on real MNIST digits.

**How to work:** run the cells from the top. In each exercise, replace
`raise NotImplementedError()` with your code, run that cell, then run the check cell below it.
A check grades the function as this notebook's kernel knows it, so run your cell again after
every change.

## The data

Each digit is a 28 × 28 grayscale image, flattened to 784 pixels and scaled to $[0, 1]$. The
network takes $m$ images at once, **one image per column**: $X$ has shape $(784, m)$, and $Y$
holds their labels, the integers 0 to 9, with shape $(m,)$.

## The network

784 pixels in, 10 hidden units with ReLU, 10 outputs with softmax. Its parameters are
$W_1$ $(10, 784)$, $b_1$ $(10, 1)$, $W_2$ $(10, 10)$ and $b_2$ $(10, 1)$.

**Forward pass**, every result of shape $(10, m)$:

$$Z_1 = W_1 X + b_1 \qquad A_1 = \mathrm{relu}(Z_1) = \max(0, Z_1) \qquad
Z_2 = W_2 A_1 + b_2 \qquad A_2 = \mathrm{softmax}(Z_2)$$

The bias $b_1$ is added to every column. Column $j$ of $A_2$ holds the 10 probabilities the
network gives to example $j$: $A_2[i, j] = e^{Z_2[i, j]} / \sum_r e^{Z_2[r, j]}$.

**Loss**: the mean cross-entropy, $L = -\frac{1}{m} \sum_j \log A_2[Y_j, j]$.

**Backward pass**, the gradients of $L$, each with the shape of what it is the gradient of:

$$dZ_2 = A_2 - \mathrm{one\_hot}(Y) \qquad dW_2 = \tfrac{1}{m}\, dZ_2 A_1^T \qquad
db_2 = \tfrac{1}{m} \textstyle\sum_j dZ_2[:, j]$$

$$dZ_1 = W_2^T dZ_2 \odot \mathrm{relu}'(Z_1) \qquad dW_1 = \tfrac{1}{m}\, dZ_1 X^T \qquad
db_1 = \tfrac{1}{m} \textstyle\sum_j dZ_1[:, j]$$

($\odot$ multiplies element by element.)

**Gradient descent** moves every parameter a small step against its gradient:
$W_1 \leftarrow W_1 - \alpha\, dW_1$, and the same for $b_1$, $W_2$ and $b_2$.
"""

SETUP = """## Setup

Run this cell first. If it says `No module named 'grader'`, this kernel's Python does not have
the package: install it with that Python (`python -m pip install -e .` in the repository), or
pick the kernel of the environment where it is installed."""

DIGITS = """## A few digits

The first digits of the training set, with their labels:"""


def _exercise_table() -> str:
    rows = [f"| {i} | `{ex.name}` | {ex.points:g} | " + ex.summary.replace("|", r"\|") + " |"
            for i, ex in enumerate(EXERCISES, 1)]
    return "\n".join(["## The exercises", "", "| # | function | points | what it computes |",
                      "|---|---|---|---|", *rows, "",
                      "Every exercise is checked on its own: while a function that calls others "
                      "is checked, the grader swaps in its own versions of those, so one bug "
                      "never fails two exercises."])


def _stub(ex: Exercise) -> str:
    """The exercise's stub file, without the relative imports a notebook does not need."""
    from grader.progress import STUBS

    source = re.sub(r"^from \.\w+ import \w+\n", "", (STUBS / ex.file).read_text(), flags=re.M)
    return re.sub(r"\n{3,}", "\n\n\n", source).strip()


def _exercise_intro(number: int, ex: Exercise) -> str:
    lines = [f"## {number}. `{ex.name}` ({ex.points:g} point{'s' if ex.points != 1 else ''})",
             "", f"{ex.summary[0].upper()}{ex.summary[1:]}."]
    if ex.calls:
        calls = " and ".join(f"`{name}`" for name in ex.calls)
        lines += ["", f"It calls your {calls}; while it is checked, the grader uses its own "
                      "versions of them."]
    lines += ["", "Its docstring below says what it receives and returns. Write it, run the cell, "
                  "then run the check."]
    for level, hint in enumerate(ex.hints, 1):
        # The last hint is an almost-complete line of code (see catalog.py).
        text = f"`{hint}`" if level == len(ex.hints) else html.escape(hint, quote=False)
        lines += ["", f"<details><summary>Hint {level}</summary>", "", text, "", "</details>"]
    return "\n".join(lines)


def _training_intro() -> str:
    from grader.results import TARGET_ACCURACY
    from grader.training import MINI_BATCH

    return ("## Train your network\n\n"
            "Once all seven checks pass, this cell trains the network built from your "
            "`forward_prop`, `backward_prop` and `update_params` on real digits (mini-batches of "
            f"{MINI_BATCH['batch_size']}, a few seconds) and checks that it recognises at least "
            f"{TARGET_ACCURACY:.0%} of the dev digits, which it never trained on. It shows the "
            "learning curve, the confusion matrix and a few digits with your network's guesses.")


def build_notebook() -> NotebookNode:
    """The learner notebook, as an nbformat NotebookNode."""
    from nbformat import v4

    cells = [v4.new_markdown_cell(INTRO), v4.new_markdown_cell(_exercise_table()),
             v4.new_markdown_cell(SETUP),
             v4.new_code_cell("import numpy as np\n\n"
                              "from grader.notebook import check, show_digits, train"),
             v4.new_markdown_cell(DIGITS), v4.new_code_cell("show_digits()")]
    for number, ex in enumerate(EXERCISES, 1):
        cells += [v4.new_markdown_cell(_exercise_intro(number, ex)),
                  v4.new_code_cell(_stub(ex)), v4.new_code_cell(f'check("{ex.name}")')]
    cells += [v4.new_markdown_cell(_training_intro()), v4.new_code_cell("train()")]
    return v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})


# --------------------------------------------------------------------------- in the notebook

def _grading() -> bool:
    """True inside the worker that grades a notebook: there the helpers below do nothing."""
    return os.environ.get(GRADING_ENV) == "1"


def check(name: str, seed: int | None = None) -> None:
    """Check your current `name` (as this kernel defines it) and show the verdict."""
    if _grading():
        return
    if name not in BY_NAME:
        raise ValueError(f"there is no exercise {name!r}; the exercises are {', '.join(NAMES)}")
    from grader.report import print_report

    print_report(_grade(sys._getframe(1).f_globals, [BY_NAME[name]], seed), WHERE, rerun=RERUN)


def train(seed: int | None = None) -> None:
    """Check all seven exercises; when they pass, train your network and show how it did."""
    if _grading():
        return
    from grader import data as digits
    from grader.report import print_report
    from grader.training import Data

    data = Data.load(digits.TRAIN_CSV, digits.TEST_CSV)
    results = _grade(sys._getframe(1).f_globals, list(EXERCISES), seed, data)
    print_report(results, WHERE, data, rerun=RERUN)
    if results.training.history:
        _show_figures(results, data)


def show_digits(count: int = SHOWN_DIGITS) -> None:
    """The first `count` training digits with their labels: pictures, or text without matplotlib."""
    if _grading():
        return
    from grader import data

    pixels, labels = data.load_pixels(data.TRAIN_CSV)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        from rich.table import Table

        from grader.report import console, draw_digit

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


def _show_figures(results: Results, data: Data) -> None:
    """The training figures (curve, confusion matrix, digits) as pictures, with matplotlib."""
    try:
        import matplotlib
        from IPython.display import Image, display
    except ImportError:
        return  # the report has already shown the same as tables
    from grader.figures import write_figures

    backend = matplotlib.get_backend()
    with tempfile.TemporaryDirectory(prefix="nn-figures-") as folder:
        try:
            paths = write_figures(Path(folder), results.training, data)
        finally:
            matplotlib.use(backend)  # write_figures switches to Agg; keep the notebook's plots
        for path in paths:
            display(Image(filename=str(path)))


def _grade(namespace: dict[str, Any], exercises: list[Exercise], seed: int | None,
           data: Data | None = None) -> Results:
    """Grade the kernel's definitions of `exercises` (and train when `data` is given)."""
    from nbformat import v4, write

    from grader.engine import grade_submission
    from grader.worker import Worker

    started = time.perf_counter()
    sources, labels = _kernel_code(namespace, [ex.name for ex in exercises])
    seed = secrets.randbelow(2**31) if seed is None else seed
    with tempfile.TemporaryDirectory(prefix="nn-check-") as folder:
        path = Path(folder) / "kernel.ipynb"
        write(v4.new_notebook(cells=[v4.new_code_cell(s) for s in sources]), str(path))
        with Worker(path) as worker:
            worker.start()
            results = grade_submission(worker, exercises, seed, data)
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
        for check_result in res.checks:
            check_result.message = fix(check_result.message)
    results.training.message = fix(results.training.message)
