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

NAMES = ("training_curve.png", "confusion_matrix.png", "dev_digits.png")
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
    paths = [folder / name for name in NAMES]
    for path, fig in zip(paths, figures(tr, data)):
        fig.savefig(path, dpi=DPI)
    (folder / MARK).write_text("\n".join(NAMES) + "\n")
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
    return [curve_figure(tr), confusion_figure(tr), digits_figure(tr, data)]


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
                       label=f"target {tr.target:.2f}")
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
