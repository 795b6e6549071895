"""The training report as PNG figures (optional: needs matplotlib, the `plots` extra).

The figures are plain `matplotlib.figure.Figure` objects, never pyplot's: drawing them changes
no backend, whether the caller is the command line or a notebook's kernel.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from grader.report import pick_digits
from grader.results import TrainingResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from grader.training import Data

# The last only for a ConvNet (chapter 5): its first filters and a digit's feature maps.
NAMES = ("training_curve.png", "confusion_matrix.png", "dev_digits.png", "filters.png")
MARK = ".nn-grader-figures"  # in a folder of figures: which files the grader wrote there
DPI = 120
SHOWN_DIGITS, COLUMNS = 24, 8


def require_matplotlib() -> None:
    """A usage error, before any grading, when --figures cannot be drawn here."""
    from grader.usage import UsageError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("--figures needs matplotlib: python -m pip install -e \".[plots]\"") \
            from None


def written_before(folder: Path) -> set[Path]:
    """The figures in `folder` that an earlier run wrote (and that a new run may replace)."""
    try:
        listed = (folder / MARK).read_text().split()
    except OSError:
        return set()
    return {folder / name for name in listed if name in NAMES}


def write_figures(folder: Path, tr: TrainingResult, data: Data) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    drawn = figures(tr, data)
    paths = [folder / name for name in NAMES[:len(drawn)]]
    for path, fig in zip(paths, drawn):
        fig.savefig(path, dpi=DPI)
    (folder / MARK).write_text("\n".join(p.name for p in paths) + "\n")
    return paths


def png_figures(tr: TrainingResult, data: Data) -> list[bytes]:
    """The figures of NAMES, in order, as PNG files in memory."""
    pngs = []
    for fig in figures(tr, data):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        pngs.append(buffer.getvalue())
    return pngs


def figures(tr: TrainingResult, data: Data) -> list[Figure]:
    """The figures of NAMES, in order: a ConvNet's filters too."""
    drawn = [curve_figure(tr), confusion_figure(tr), digits_figure(tr, data)]
    return drawn + ([filters_figure(tr, data)] if np.ndim(tr.params.get("W1")) == 4 else [])


def curve_figure(tr: TrainingResult) -> Figure:
    """Loss above, dev accuracy and its target below: two panels, so that no line can be read
    against the other quantity's axis. Every point of the history, each marked."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 5.5), layout="constrained")
    loss_ax, acc_ax = fig.subplots(2, 1, sharex=True)
    steps = [h["step"] for h in tr.history]
    loss_ax.plot(steps, [h["loss"] for h in tr.history], "o-", markersize=3, color="tab:red",
                 label="train loss (mean since the point before)"
                 if tr.extra.get("loss", "train loss") == "train loss" else "dev loss")
    loss_ax.set_ylabel("mean cross-entropy")
    loss_ax.legend(loc="best")
    acc_ax.plot(steps, [h["dev_accuracy"] for h in tr.history], "o-", markersize=3,
                color="tab:blue", label="dev accuracy")
    if tr.target is not None:
        acc_ax.axhline(tr.target, color="tab:green", linestyle="--", linewidth=1.2,
                       label=f"target {tr.target:g}")
    acc_ax.set_ylim(0, 1)
    acc_ax.set_ylabel("dev accuracy")
    acc_ax.legend(loc="best")
    # The trainer looks at the dev set every eval_every steps, first at step eval_every.
    acc_ax.set_xlabel(f"step (a point every {steps[0]:.0f} steps)" if steps else "step")
    fig.suptitle(f"Training: dev accuracy {tr.dev_accuracy:.3f} after {tr.steps} steps")
    return fig


def confusion_figure(tr: TrainingResult) -> Figure:
    from matplotlib.figure import Figure

    matrix = np.array(tr.extra["confusion"])
    fig = Figure(figsize=(5.5, 5), layout="constrained")
    ax = fig.subplots()
    ax.imshow(matrix, cmap="Blues")
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(j, i, str(n), ha="center", va="center", fontsize=8,
                color="white" if n > matrix.max() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("the network's guess")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (dev set)")
    return fig


def digits_figure(tr: TrainingResult, data: Data) -> Figure:
    """Dev digits in two groups, each under its own heading: some read right, then mistakes."""
    from matplotlib.figure import Figure

    pred = tr.predictions["dev"]
    right, wrong = pick_digits(pred, data.Y_dev, SHOWN_DIGITS)
    groups = [(f"Read right ({np.sum(pred == data.Y_dev)} of {pred.size})", right, "green"),
              (f"Mistakes ({np.sum(pred != data.Y_dev)} of {pred.size})", wrong, "red")]
    groups = [g for g in groups if g[1].size]
    rows = [math.ceil(picks.size / COLUMNS) for _, picks, _ in groups]
    fig = Figure(figsize=(10, 0.5 + 1.55 * sum(rows)), layout="constrained")
    fig.suptitle("Dev digits: the network's guess / the true digit")
    for sub, (heading, picks, colour), n in zip(
            fig.subfigures(len(groups), 1, height_ratios=rows, squeeze=False)[:, 0], groups, rows):
        sub.suptitle(heading, color=colour, fontsize=11, x=0.01, ha="left")
        axes = sub.subplots(n, COLUMNS, squeeze=False)
        for ax in axes.flat:
            ax.axis("off")
        for ax, i in zip(axes.flat, picks):
            ax.imshow(data.X_dev[:, i].reshape(28, 28), cmap="gray_r")
            ax.set_title(f"guess {pred[i]} / true {data.Y_dev[i]}", fontsize=8, color=colour)
    return fig


def filters_figure(tr: TrainingResult, data: Data) -> Figure:
    """A trained ConvNet's first filters, then what each conv block makes of the first dev
    digit: one row per block, a map per filter (after its ReLU)."""
    from matplotlib.figure import Figure

    from grader import convnet

    digit = data.X_dev[:, :1] / 255.0
    maps = [block[2][0] for block in convnet.forward(tr.params, digit)[:-1]]  # (F, H, W) each
    columns = max(len(m) for m in maps)
    fig = Figure(figsize=(1.0 * columns, 1.3 * (len(maps) + 2)), layout="constrained")
    fig.suptitle(f"Your ConvNet's first filters, and what its conv blocks make of a "
                 f"{data.Y_dev[0]}")
    axes = fig.subplots(len(maps) + 2, columns, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    W1 = tr.params["W1"][:, 0]
    axes[0, 0].imshow(digit.reshape(28, 28), cmap="gray_r")
    axes[0, 0].set_title("the digit", fontsize=8)
    limit = float(np.abs(W1).max()) or 1.0
    for f, ax in enumerate(axes[1]):
        if f < len(W1):  # red weights add, blue ones subtract
            ax.imshow(W1[f], cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(f"filter {f + 1}", fontsize=8)
    for k, (row, block) in enumerate(zip(axes[2:], maps), 1):
        for f, ax in enumerate(row[:len(block)]):
            ax.imshow(block[f], cmap="magma")
            ax.set_title(f"block {k}, map {f + 1}", fontsize=7)
    return fig
