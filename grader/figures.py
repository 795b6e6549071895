"""The training report as PNG figures (optional: needs matplotlib, the `plots` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from grader.results import TrainingResult

if TYPE_CHECKING:
    from grader.training import Data

NAMES = ("training_curve.png", "confusion_matrix.png", "dev_digits.png")
MARK = ".nn-grader-figures"  # in a folder of figures: which files the grader wrote there


def written_before(folder: Path) -> set[Path]:
    """The figures in `folder` that an earlier run wrote (and that a new run may replace)."""
    try:
        listed = (folder / MARK).read_text().split()
    except OSError:
        return set()
    return {folder / name for name in listed if name in NAMES}


def write_figures(folder: Path, tr: TrainingResult, data: Data) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in NAMES]

    fig, loss_ax = plt.subplots(figsize=(7, 4))
    steps = [h["step"] for h in tr.history]
    loss_ax.plot(steps, [h["loss"] for h in tr.history], color="tab:red", label="train loss")
    loss_ax.set_xlabel("step")
    loss_ax.set_ylabel("mean cross-entropy", color="tab:red")
    acc_ax = loss_ax.twinx()
    acc_ax.plot(steps, [h["dev_accuracy"] for h in tr.history], color="tab:blue",
                label="dev accuracy")
    acc_ax.axhline(tr.target, color="tab:blue", linestyle=":", linewidth=1)
    acc_ax.set_ylabel("dev accuracy", color="tab:blue")
    acc_ax.set_ylim(0, 1)
    loss_ax.set_title(f"Training: dev accuracy {tr.dev_accuracy:.3f} after {tr.steps} steps")
    fig.tight_layout()
    fig.savefig(paths[0], dpi=120)
    plt.close(fig)

    matrix = np.array(tr.extra["confusion"])
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(j, i, str(n), ha="center", va="center", fontsize=8,
                color="white" if n > matrix.max() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("the network's guess")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (dev set)")
    fig.tight_layout()
    fig.savefig(paths[1], dpi=120)
    plt.close(fig)

    pred = tr.predictions["dev"]
    order = np.concatenate([np.flatnonzero(pred != data.Y_dev), np.flatnonzero(pred == data.Y_dev)])
    fig, axes = plt.subplots(3, 8, figsize=(10, 4.4))
    for ax, i in zip(axes.flat, order):
        ax.imshow(data.X_dev[:, i].reshape(28, 28), cmap="gray_r")
        ok = pred[i] == data.Y_dev[i]
        ax.set_title(f"guess {pred[i]} / true {data.Y_dev[i]}", fontsize=8,
                     color="green" if ok else "red")
        ax.axis("off")
    fig.suptitle("Dev digits, mistakes first")
    fig.tight_layout()
    fig.savefig(paths[2], dpi=120)
    plt.close(fig)
    (folder / MARK).write_text("\n".join(NAMES) + "\n")
    return paths
