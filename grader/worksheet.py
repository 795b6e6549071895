"""`python -m grader notebook [PATH] [--chapter N]`: a chapter's learner notebook, from the catalog.

The chapter's introduction, then each exercise with its summary, hints (folded; the second one
is the derivation of its formula, as the catalog writes it), its stub (from grader.stubs) and a
check cell, and training at the end. A chapter whose exercises call those of earlier chapters
gets a cell for the learner's own versions of them first: the notebook is graded as one file.
Running it needs the in-kernel helpers of grader.notebook.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from grader.catalog import BY_NAME, BY_NUMBER, CHAPTER_OF, CHAPTERS, EXERCISES, Chapter, Exercise
from grader.docs import exercise_table
from grader.stubs import stub_source
from grader.usage import Parser, UsageError, backup_path

if TYPE_CHECKING:
    from nbformat import NotebookNode


def default_path(chapter: Chapter) -> Path:
    """Where `notebook` writes a chapter's notebook when given no file name."""
    return Path("nn_from_scratch.ipynb" if chapter is CHAPTERS[0]
                else f"nn_chapter{chapter.number}.ipynb")


def _train_is_taken(chapter: Chapter) -> bool:
    """Whether learners call one of the chapter's exercises `train` (gradient_descent does):
    then a notebook that binds grader.notebook's train would have it graded as that exercise
    while the learner's is still a stub, so the notebook reaches it through its module."""
    return any(name.lower().replace("_", "") == "train"
               for ex in chapter.exercises for name in (ex.name, *ex.aliases))


def _setup_code(chapter: Chapter) -> str:
    helpers = "check, show_digits" + ("" if _train_is_taken(chapter) else ", train")
    return f"import numpy as np\n\nfrom grader.notebook import {helpers}"


def train_call(chapter: Chapter) -> str:
    """The code of a chapter's training cell."""
    call = "train()" if chapter is CHAPTERS[0] else f"train(chapter={chapter.number})"
    if not _train_is_taken(chapter):
        return call
    return ("# Not imported as `train`: the grader would take a function of that name for your\n"
            "# gradient_descent.\nimport grader.notebook\n\ngrader.notebook." + call)


def main(argv: list[str]) -> int:
    chapters = ", ".join(str(c.number) for c in CHAPTERS)
    p = Parser(prog="python -m grader notebook",
               description="Write a Jupyter notebook to work through a chapter's exercises in: "
                           "what they compute and why, each exercise with its check, and "
                           "training.")
    p.add_argument("path", nargs="?", type=Path, metavar="PATH",
                   help=f"the notebook to write (default: {default_path(CHAPTERS[0])} for "
                        "chapter 1, nn_chapterN.ipynb for chapter N, in this folder)")
    p.add_argument("--chapter", type=int, default=CHAPTERS[0].number, metavar="N",
                   help=f"the chapter (chapters: {chapters}; default {CHAPTERS[0].number})")
    p.add_argument("--force", action="store_true",
                   help="if PATH exists, move it to a timestamped backup and write a new one")
    args = p.parse_args(argv)
    if args.chapter not in BY_NUMBER:
        raise UsageError(f"there is no chapter {args.chapter}; the chapters are {chapters}")
    chapter = BY_NUMBER[args.chapter]
    path = args.path or default_path(chapter)
    path = path / default_path(chapter) if path.is_dir() else path
    if path.suffix != ".ipynb":
        raise UsageError(f"{path} does not end in .ipynb, so Jupyter would not open it as a "
                         "notebook")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists and was left as it is; pass --force to back it "
                         "up and write a new one, or choose another path")
    import nbformat

    nb = build_notebook(chapter)
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


INTRO_1 = r"""# A neural network from scratch, checked line by line

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

INTRO_2 = r"""# Chapter 2: train it yourself

In chapter 1 you wrote the network: its forward pass, its gradients and one step of gradient
descent, and the grader's own loop trained it. Here you write everything around those: where the
first parameters come from, how wrong the network is, what it guesses and how often it is right,
and finally the loop that trains it. The last cell hands your own `gradient_descent` tens of
thousands of MNIST digits and checks the network it returns.

**How to work:** as in chapter 1, run the cells from the top. In each exercise, replace
`raise NotImplementedError()` with your code, run that cell, then run the check cell below it.
A check grades the function as this notebook's kernel knows it, so run your cell again after
every change.

The shapes are chapter 1's: $X$ is $(784, m)$, one image per column, $Y$ holds the $m$ labels,
and the network is 784 → 10 (ReLU) → 10 (softmax) with $W_1$ $(10, 784)$, $b_1$ $(10, 1)$,
$W_2$ $(10, 10)$ and $b_2$ $(10, 1)$.

## Where training starts: He initialisation

The weights cannot all start at 0: every hidden unit would then compute the same number, get
the same gradient and stay the same as the others forever. They start random, and the scale
matters. A hidden unit adds up $n_{in}$ inputs times weights, so its variance grows with
$n_{in}$; ReLU then zeroes about half of it. Drawing each weight from
$\mathcal{N}(0,\, 2 / n_{in})$, where $n_{in}$ is the number of inputs of its layer (784 for
$W_1$, 10 for $W_2$), keeps the signal about the same size from layer to layer. The biases
start at 0.

## How wrong it is: the loss

Training lowers the mean cross-entropy, minus the log of the probability the network gives to
the right class, averaged over the $m$ examples:

$$L = -\frac{1}{m} \sum_j \log A_2[Y_j, j]$$

A confident right answer costs almost 0; a confident wrong one costs a lot, and a probability of
exactly 0 would cost $\infty$, so the probabilities are clipped just above 0 first.

## What it guesses, and how often it is right

The network's guess for example $j$ is the row of the largest entry of column $j$ of $A_2$, and
its accuracy is the fraction of the examples it guesses right. Accuracy is what we care about,
but it jumps in steps and has no useful gradient; the loss changes smoothly with every
parameter, which is why gradient descent lowers the loss and we watch the accuracy.

## Mini-batches

A step on all the training digits at once (full batch) computes the exact gradient, but costs a
pass over all of them. A mini-batch step uses only $b$ of them, say 64: its gradient is a noisy
estimate, but it costs a tiny fraction, so one pass over the data (an **epoch**) makes
$\lceil m / b \rceil$ steps instead of one. Each epoch shuffles the examples afresh and cuts them
into batches, every example in exactly one batch.

## The training loop

```
W1, b1, W2, b2 = init_params(784, 10, 10, rng)
for each epoch:
    for X_batch, Y_batch in mini_batches(X, Y, batch_size, rng):
        forward_prop, backward_prop on the batch, then update_params
```

Every random number (the first weights, every shuffle) comes from one `np.random.Generator`,
`rng`, passed along: the same seed then trains the same network.
"""

INTRO_3 = r"""# Chapter 3: better optimisers, a wider network

Plain gradient descent takes every step in the direction of the latest gradient, scaled by
one learning rate for all the parameters. This chapter writes two ways of stepping that learn
faster, momentum and Adam, and weight decay, which keeps the weights small; then a network with
128 hidden units instead of 10 trains with your Adam.

**How to work:** as in the earlier chapters, run the cells from the top, replace
`raise NotImplementedError()` with your code, run the cell, then its check.

From here on the parameters travel as a dict, `params["W1"]`, `params["b1"]`, ..., and a
gradient is keyed like its parameter: `grads["W1"]` is the gradient of $W_1$ (not
`grads["dW1"]`). The same code then serves a network of any depth.

## Momentum

A velocity $v$ adds up the gradients, the older ones weighted down by $\beta$, and the step
follows the velocity:

$$v \leftarrow \beta v + g, \qquad p \leftarrow p - \alpha v$$

Along a slope that keeps its direction the velocity grows to about $g / (1 - \beta)$, ten
times the gradient for $\beta = 0.9$; across a valley, where the gradient flips sign from step
to step, it cancels out. (Some courses write $v \leftarrow \beta v + (1 - \beta) g$, an average
instead of a sum; the exercise uses the form above, PyTorch's.)

## Adam

Adam keeps two averages per parameter, of the gradient and of its square, and divides one by
the square root of the other, so each parameter's step is about $\alpha$ whatever the scale of
its gradients:

$$m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2) g^2$$
$$\hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
p \leftarrow p - \alpha \frac{\hat m}{\sqrt{\hat v} + \epsilon}$$

Both averages start at 0, so at first they are too small; dividing by $1 - \beta^t$ (the bias
correction, $t = 1$ at the first step) undoes exactly that.

## Weight decay

Adding $\frac{\lambda}{2} \sum W^2$ over the weights to the loss penalises large weights; its
gradient adds $\lambda W$ to each weight's gradient. The biases are left out.
"""

INTRO_4 = r"""# Chapter 4: deeper networks, dropout, your own gradient check

One hidden layer was enough to learn the digits; more layers learn features of features. This
chapter writes the forward and backward passes once, in a loop, for any number of layers; then
dropout, which makes a wide network rely on no single unit; then your own gradient check, the
test that every backward pass you will ever write should pass. Finally 784-128-64-10, two
hidden layers, trains with your passes and your Adam of chapter 3.

**How to work:** as before, run the cells from the top, replace `raise NotImplementedError()`
with your code, run the cell, then its check.

## Any number of layers

The parameters are a dict `W1, b1, ..., WL, bL`, so $L$ = `len(params) // 2`. Layer $k$ takes
the activations of the layer below, $A_0 = X$:

$$Z_k = W_k A_{k-1} + b_k, \qquad A_k = \mathrm{ReLU}(Z_k) \text{ for } k < L, \qquad
A_L = \mathrm{softmax}(Z_L)$$

`forward_deep` returns $A_L$ and `caches`, whatever the backward pass will need: a list of
`(A_prev, Z, A)` per layer is one choice. `backward_deep` walks the layers back from the top:

$$dZ_L = \frac{A_L - \mathrm{one\_hot}(Y)}{m}, \quad dW_k = dZ_k A_{k-1}^T, \quad
db_k = \textstyle\sum_{\text{examples}} dZ_k, \quad dZ_{k-1} = W_k^T dZ_k \odot
\mathrm{ReLU}'(Z_{k-1})$$

Its gradients are keyed like the parameters, `grads["W1"]`, as Adam expects them.

## Dropout

While training, each hidden unit is kept with probability `keep_prob` and set to 0 otherwise;
the kept ones are divided by `keep_prob`, so that the expected activation stays the same and
nothing changes at test time (*inverted* dropout):

$$\text{mask} = (\text{rng.random}(A.\text{shape}) < \text{keep\_prob}), \qquad
A_{\text{dropped}} = A \odot \text{mask} / \text{keep\_prob}$$

## Gradient checking

A derivative is a limit; with a small step $h$ the central difference comes close:

$$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}$$

with an error of order $h^2$ (a one-sided difference's is of order $h$). `numerical_gradient(f,
x)` nudges each element of `x` in place, calls `f()` (which reads `x`), and puts the element
back before the next one.
"""

INTRO_5 = r"""# Chapter 5: a small ConvNet

A fully connected layer looks at all 784 pixels at once and must learn a stroke anew at every
place it may appear. A convolutional layer slides a few small filters over the image: the same
3x3 weights at every position, so a stroke detector learnt once works everywhere. This chapter
writes that layer, forward and backward, in NumPy, fast enough to train, and max-pooling
after it; then a network of two conv blocks trains with your functions and your Adam, and the
last cell draws the filters it learnt and what they see in a digit.

**How to work:** as before, run the cells from the top, replace `raise NotImplementedError()`
with your code, run the cell, then its check.

## The convolution

Images are arrays `X` of shape $(m, C, H, W)$: $m$ images of $C$ channels (1 for grey digits,
the number of filters after a conv layer). $F$ filters `W` of shape $(F, C, k_h, k_w)$ and a
bias per filter give, with $X_p$ the images padded by `pad` zeros on every side and $s$ the
stride,

$$	ext{out}[n, f, y, x] = b_f + \sum_{c, i, j} W[f, c, i, j]\, X_p[n, c, ys + i, xs + j],
\qquad H' = \left\lfloor rac{H + 2\,	ext{pad} - k_h}{s} 
ight
floor + 1$$

(a cross-correlation: deep-learning libraries call it a convolution and never flip the
filter). Written as loops over $n, f, y, x$ it is slow in Python; `im2col` gathers every window
as a column of a matrix of shape $(C k_h k_w, m H' W')$, so that all filters at all windows
are one matrix product, `W.reshape(F, -1) @ cols`. The speed check times yours against a loop.

## Its gradients

Every weight and every pixel took part in many outputs, so their gradients are sums:
$db_f$ sums `dout[:, f]`; $dW$ is `dout`'s columns times the windows; each window sends its
share of the gradient back to the pixels it read, and overlapping windows add up (col2im).

## Max-pooling

Each $2 \times 2$ window keeps its largest value, halving the maps. Only that value was passed
on, so the backward pass gives the window's whole gradient to it (to the first one in row-major
order, when two are equal) and 0 to the others.
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


def _names(names: list[str]) -> str:
    """"`a`", "`a` and `b`", "`a`, `b` and `c`"."""
    quoted = [f"`{name}`" for name in names]
    return " and ".join(filter(None, [", ".join(quoted[:-1]), quoted[-1]])) if quoted else ""


def _exercise_intro(number: int, ex: Exercise) -> str:
    lines = [f"## {number}. `{ex.name}` ({ex.points:g} point{'s' if ex.points != 1 else ''})",
             "", f"In short: {ex.summary}."]  # a summary may start with code: not capitalised
    if ex.calls:
        lines += ["", f"It calls your {_names(list(ex.calls))}; while it is checked, the grader "
                      "uses its own versions of them."]
    lines += ["", "Its docstring below says what it receives and returns. Write it, run the cell, "
                  "then run the check."]
    for level, hint in enumerate(ex.hints, 1):
        # The last hint is an almost-complete line of code; the second derives the formula, a
        # first line and then a "- " line per step, which Markdown shows as a list (catalog.py).
        text = f"`{hint}`" if level == len(ex.hints) else html.escape(hint, quote=False)
        title = f"Hint {level}" + (": where the formula comes from" if level == 2 else "")
        lines += ["", f"<details><summary>{title}</summary>", "", text, "", "</details>"]
    return "\n".join(lines)


def earlier_exercises(chapter: Chapter) -> list[Exercise]:
    """The exercises of earlier chapters that this one's exercises or training call, directly
    or through one another, in the catalog's order."""
    needed: set[str] = set()
    todo = [*chapter.verdict.uses, *(name for ex in chapter.exercises for name in ex.calls)]
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo += BY_NAME[name].calls
    return [ex for ex in EXERCISES
            if ex.name in needed and CHAPTER_OF[ex.name].number < chapter.number]


def _chapters(exercises: list[Exercise]) -> str:
    """"chapter 1", "chapters 1 and 2": where these exercises come from."""
    numbers = sorted({CHAPTER_OF[ex.name].number for ex in exercises})
    return "chapter" + ("s " if len(numbers) > 1 else " ") + " and ".join(map(str, numbers))


def _earlier_intro(chapter: Chapter, earlier: list[Exercise]) -> str:
    names = [ex.name for ex in earlier]
    callers = [ex.name for ex in chapter.exercises if set(ex.calls) & set(names)]
    direct = [n for n in names if any(n in BY_NAME[c].calls for c in callers)]
    indirect = [n for n in names if n not in direct]
    before = _chapters(earlier)
    said = (f"{_names(callers)} call{'s' if len(callers) == 1 else ''} your {_names(direct)} "
            f"from {before}" + (f", which call your {_names(indirect)}" if indirect else "")) \
        if callers else f"The training at the end runs your {_names(names)} from {before}"
    return "\n".join([
        f"## Your functions from {before}", "",
        f"{said}. This notebook is graded as one file, on its own (`python -m grader --chapter "
        f"{chapter.number} --submission {default_path(chapter)}` runs its code cells in order), "
        "so it cannot import them from another notebook: your own versions must be in it. "
        "Replace the stubs in the next cell with your functions, copied from your "
        f"{before} notebook ({default_path(CHAPTERS[0])}) or from `exercises/` (without "
        "their `from .relu import relu` lines: here every function is in this notebook), run "
        "it, then run the check below it.", "",
        f"Until then everything but the training works: while the exercises of this chapter are "
        f"checked, the grader uses its own versions of these, so a bug in {before} never fails "
        "an exercise here. Only the training at the end runs yours."])


def _pasted_stub(ex: Exercise) -> str:
    """An earlier chapter's exercise as a stub to paste over: its signature, one line."""
    source = stub_source(ex, imports=False)
    signature = source[source.index("def "):source.index('\n    """')]
    return (f'{signature}\n    """Chapter {CHAPTER_OF[ex.name].number}: {ex.summary}. Paste '
            'yours here."""\n    raise NotImplementedError()')


def check_call(names: list[str]) -> str:
    """The code of a check cell."""
    return "check(" + ", ".join(f'"{name}"' for name in names) + ")"


def _training_intro(chapter: Chapter) -> str:
    verdict, settings = chapter.verdict, chapter.verdict.settings
    steps = (f"{'up to ' if settings.stop_at else ''}{settings.epochs} epochs of "
             + (f"mini-batches of {settings.batch_size}" if settings.batch_size
                else "full-batch steps"))
    earlier = earlier_exercises(chapter)
    when = f"Once all {len(chapter.exercises)} checks pass" + (
        f" and your functions from {_chapters(earlier)} are in their cell above" if earlier
        else "")
    trains = (f"runs your own `gradient_descent` ({steps}, learning rate {settings.alpha:g})"
              if verdict.loop == "learner" else
              f"trains the network built from your {_names(list(verdict.uses))} ({steps})")
    return ("## Train your network\n\n"
            f"{when}, this cell {trains} on {verdict.data} and checks that the network "
            f"recognises at least {verdict.target * 100:g}% of the dev digits, which it never trained "
            "on; it takes " + (f"under {verdict.settings.seconds:g} s (it stops there). "
                               if verdict.settings.seconds else "a few seconds. ")
            + ("Your `predict` labels the test digits. " if verdict.predicts else "")
            + "It shows the learning curve, the confusion matrix and a few digits with your "
              "network's guesses" + (", then the filters it learnt and what each conv block "
                                     "makes of a digit." if verdict.filters else "."))


INTROS = {1: INTRO_1, 2: INTRO_2, 3: INTRO_3, 4: INTRO_4, 5: INTRO_5}


def build_notebook(chapter: Chapter = CHAPTERS[0]) -> NotebookNode:
    """The learner notebook of a chapter, as an nbformat NotebookNode."""
    from nbformat import v4

    cells = [v4.new_markdown_cell(INTROS[chapter.number]),
             v4.new_markdown_cell(_exercise_table(chapter)), v4.new_markdown_cell(SETUP),
             v4.new_code_cell(_setup_code(chapter)),
             v4.new_markdown_cell(DIGITS), v4.new_code_cell("show_digits()")]
    earlier = earlier_exercises(chapter)
    if earlier:
        cells += [v4.new_markdown_cell(_earlier_intro(chapter, earlier)),
                  v4.new_code_cell("\n\n\n".join(map(_pasted_stub, earlier))),
                  v4.new_code_cell(check_call([ex.name for ex in earlier]))]
    for number, ex in enumerate(chapter.exercises, 1):
        cells += [v4.new_markdown_cell(_exercise_intro(number, ex)),
                  v4.new_code_cell(stub_source(ex, imports=False).strip()),
                  v4.new_code_cell(check_call([ex.name]))]
    cells += [v4.new_markdown_cell(_training_intro(chapter)),
              v4.new_code_cell(train_call(chapter))]
    return v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
