"""`python -m grader notebook [PATH]`: the learner notebook, written from the catalog.

The network and its math, then each exercise with its summary, hints (folded; the second one is
the derivation of its formula, as the catalog writes it), its stub (from grader.stubs) and a
check cell, and training at the end. Running it needs the in-kernel helpers of grader.notebook.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from grader.catalog import CHAPTERS, Chapter, Exercise
from grader.docs import exercise_table
from grader.stubs import stub_source
from grader.usage import Parser, UsageError, backup_path

if TYPE_CHECKING:
    from nbformat import NotebookNode

DEFAULT_PATH = Path("nn_from_scratch.ipynb")



def main(argv: list[str]) -> int:
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
            backup = backup_path(path)
            path.rename(backup)
            print(f"moved the existing {path} to {backup}")
        with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
            nbformat.write(nb, f)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from None
    print(f"wrote {path}: open it in Jupyter and run its cells from the top")
    return 0


INTRO = r"""# A neural network from scratch, checked line by line

You write a tiny neural network in plain NumPy, one function at a time, and it learns to read
handwritten digits. Each exercise has a check cell that tells you precisely what is right and
what is wrong; once they all pass, the last cell trains *your* network on real MNIST digits.

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


def _exercise_table(chapter: Chapter) -> str:
    return "\n".join(["## The exercises", "", exercise_table(chapter, files=False), "",
                      "Every exercise is checked on its own: while a function that calls others "
                      "is checked, the grader swaps in its own versions of those, so one bug "
                      "never fails two exercises."])


def _exercise_intro(number: int, ex: Exercise) -> str:
    lines = [f"## {number}. `{ex.name}` ({ex.points:g} point{'s' if ex.points != 1 else ''})",
             "", f"In short: {ex.summary}."]  # a summary may start with code: not capitalised
    if ex.calls:
        calls = " and ".join(f"`{name}`" for name in ex.calls)
        lines += ["", f"It calls your {calls}; while it is checked, the grader uses its own "
                      "versions of them."]
    lines += ["", "Its docstring below says what it receives and returns. Write it, run the cell, "
                  "then run the check."]
    for level, hint in enumerate(ex.hints, 1):
        # The last hint is an almost-complete line of code; the second derives the formula, a
        # first line and then a "- " line per step, which Markdown shows as a list (catalog.py).
        text = f"`{hint}`" if level == len(ex.hints) else html.escape(hint, quote=False)
        title = f"Hint {level}" + (": where the formula comes from" if level == 2 else "")
        lines += ["", f"<details><summary>{title}</summary>", "", text, "", "</details>"]
    return "\n".join(lines)


def _training_intro(chapter: Chapter) -> str:
    verdict = chapter.verdict
    uses = ", ".join(f"`{name}`" for name in verdict.uses[:-1]) + f" and `{verdict.uses[-1]}`"
    return ("## Train your network\n\n"
            f"Once all {len(chapter.exercises)} checks pass, this cell trains the network built "
            f"from your {uses} on real digits (mini-batches of "
            f"{verdict.settings.batch_size}, a few seconds) and checks that it recognises at "
            f"least {verdict.target:.0%} of the dev digits, which it never trained on. It shows "
            "the learning curve, the confusion matrix and a few digits with your network's "
            "guesses.")


def build_notebook(chapter: Chapter = CHAPTERS[0]) -> NotebookNode:
    """The learner notebook of a chapter, as an nbformat NotebookNode."""
    from nbformat import v4

    cells = [v4.new_markdown_cell(INTRO), v4.new_markdown_cell(_exercise_table(chapter)),
             v4.new_markdown_cell(SETUP),
             v4.new_code_cell("import numpy as np\n\n"
                              "from grader.notebook import check, show_digits, train"),
             v4.new_markdown_cell(DIGITS), v4.new_code_cell("show_digits()")]
    for number, ex in enumerate(chapter.exercises, 1):
        cells += [v4.new_markdown_cell(_exercise_intro(number, ex)),
                  v4.new_code_cell(stub_source(ex, imports=False).strip()),
                  v4.new_code_cell(f'check("{ex.name}")')]
    cells += [v4.new_markdown_cell(_training_intro(chapter)), v4.new_code_cell("train()")]
    return v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
