"""`python -m grader experiment`: train your own network your way, and look inside it.

Once chapter 1's functions work, the learner can try other hidden layers, steps, epochs and
batches: the grader checks the functions as usual, trains the learner's own network with the
settings asked for (the same training and scoring as the verdict), and shows the learning
curve, the accuracy, and what each hidden unit has learnt to look for: its row of W1 as a
28x28 image (red where a bright pixel raises the unit, blue where it lowers it).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from grader.catalog import CHAPTERS, TrainingSettings
from grader.limits import Limits
from grader.locate import checked
from grader.usage import DEFAULT_SUBMISSION, Parser, UsageError, add_timeout_option, seed_argument

BUDGET = 600.0  # seconds an experiment may train: longer than the verdict's, for bigger runs
SHOWN_UNITS = 16  # hidden units drawn in the terminal
UNITS_FIGURE = "hidden_units.png"
COMPARED_FIGURE = "optimisers.png"
# What --compare trains with: (optimizer, learning rate, the learner's function, its name in
# words). Each rate is one that optimiser trains these networks well with: momentum's steps
# grow to about 1 / (1 - beta) = 10 times its rate, Adam's are about its rate in size.
OPTIMISERS = (("sgd", 0.1, "update_params", "SGD"),
              ("momentum", 0.01, "momentum_step", "momentum (beta 0.9)"),
              ("adam", 2e-3, "adam_step", "Adam"))


def _positive(kind: type, most: float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not 0 < value <= most:
            raise argparse.ArgumentTypeError(f"{text} is not between 0 and {most:g}")
        return value
    return parse


def _parser() -> argparse.ArgumentParser:
    chapter = CHAPTERS[0]
    base = chapter.verdict.settings
    p = Parser(prog="python -m grader experiment",
               description="Train your own network (your forward_prop, backward_prop and "
                           "update_params) with the settings you choose, and see its learning "
                           "curve, its accuracy and what its hidden units look for.")
    p.add_argument("--hidden", type=_positive(int, 1024), default=chapter.verdict.layers[1],
                   metavar="N", help=f"hidden units (default {chapter.verdict.layers[1]})")
    p.add_argument("--alpha", type=_positive(float, 100.0), default=base.alpha,
                   help=f"learning rate (default {base.alpha:g})")
    p.add_argument("--epochs", type=_positive(int, 10_000), default=base.epochs, metavar="N",
                   help=f"passes over the training digits (default {base.epochs})")
    batch = p.add_mutually_exclusive_group()
    batch.add_argument("--batch-size", type=_positive(int, 1_000_000), default=base.batch_size,
                       metavar="N", help=f"examples a step (default {base.batch_size})")
    batch.add_argument("--full-batch", action="store_true",
                       help="every training digit in every step, one step an epoch (the "
                            "original notebook's way)")
    p.add_argument("--seed", type=seed_argument, default=0,
                   help="first parameters and batch order (default 0)")
    p.add_argument("--submission", type=Path, default=DEFAULT_SUBMISSION,
                   help="a .py file, a folder of exercises or a notebook (default: exercises/)")
    p.add_argument("--train", type=Path, help="training CSV (default: the shipped digits)")
    p.add_argument("--test", type=Path, help="test CSV (default: the shipped digits)")
    p.add_argument("--figures", type=Path, metavar="DIR",
                   help=f"also draw the curve, the confusion matrix, digits and {UNITS_FIGURE} "
                        "as PNGs in DIR")
    p.add_argument("--compare", action="store_true",
                   help="train the same network from the same first parameters in the same "
                        "batches three times, with your update_params, momentum_step and "
                        "adam_step (each at its own learning rate), and show the curves side by "
                        f"side ({COMPARED_FIGURE} with --figures)")
    p.add_argument("--force", action="store_true", help="replace files of yours in DIR")
    add_timeout_option(p)
    return p


def settings_of(args: argparse.Namespace, base: TrainingSettings) -> TrainingSettings:
    """The verdict's way of training with the learner's choices; never stopping early."""
    full = args.full_batch
    return replace(base, method="full-batch" if full else "mini-batch", alpha=args.alpha,
                   epochs=args.epochs, batch_size=None if full else args.batch_size,
                   stop_at=None, seed=args.seed, eval_every=base.eval_every)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    chapter = CHAPTERS[0]
    settings = settings_of(args, chapter.verdict.settings)
    verdict = replace(chapter.verdict, layers=(784, args.hidden, 10), settings=settings)
    submission = checked(args.submission)
    if args.figures:
        _check_figures(args.figures, args.force)
    limits = replace(Limits.from_environment(), training=BUDGET).with_call(args.timeout)

    from grader.worker import Worker

    with Worker(submission, limits) as worker:
        worker.start()
        from grader import data as shipped
        from grader.engine import grade_submission
        from grader.report import TrainingProgress
        from grader.training import Data, run_training

        try:
            data = Data.load(args.train or shipped.TRAIN_CSV, args.test or shipped.TEST_CSV)
        except shipped.DataError as err:
            raise UsageError(str(err)) from None

        def training(worker: Worker, exercises: list):
            with TrainingProgress(settings) as on_progress:
                return run_training(worker, data, verdict, settings, on_progress, exercises)

        started = time.perf_counter()
        if args.compare:
            return _compare(worker, verdict, data, args)
        results = grade_submission(worker, list(chapter.exercises), 0, training)
    return _show(results, verdict, settings, data, args, time.perf_counter() - started)


def _compare(worker, verdict, data, args: argparse.Namespace) -> int:
    """The same network trained with each of the learner's optimisers; the curves side by
    side."""
    from rich.table import Table
    from rich.text import Text

    from grader.catalog import BY_NAME
    from grader.engine import run_checks
    from grader.report import TrainingProgress, console
    from grader.results import Status
    from grader.training import run_training

    con = console()
    network = [ex for ex in CHAPTERS[0].exercises if ex.name != "update_params"]
    runs = {}
    for optimizer, alpha, function, words in OPTIMISERS:
        [result] = run_checks(worker, [BY_NAME[function]], 0)
        if result.status not in (Status.PASSED, Status.FAILED):
            con.print(Text(f"{words}: not trained, {function} is "
                           f"{result.status.value.replace('_', ' ')}", style="yellow"))
            continue
        settings = replace(verdict.settings, optimizer=optimizer, alpha=alpha)
        uses = (*(ex.name for ex in network), function)
        con.print(Text(f"{words}: training with your {function}, alpha {alpha:g}", style="dim"))
        with TrainingProgress(settings) as on_progress:
            runs[words] = run_training(worker, data, replace(verdict, uses=uses, settings=settings),
                                       settings, on_progress)
    trained = {w: r for w, r in runs.items() if r.history}
    if not trained:
        for words, r in runs.items():
            con.print(Text(f"{words}: {r.message}", style="red"), soft_wrap=True)
        return 1
    table = Table(title=f"Dev accuracy along training, 784-{verdict.layers[1]}-10, the same "
                        "first parameters and batches", title_justify="left", box=None)
    table.add_column("step", justify="right")
    for words in trained:
        table.add_column(words, justify="right")
    steps = sorted({h["step"] for r in trained.values() for h in r.history})
    picks = [steps[round(i * (len(steps) - 1) / 9)] for i in range(10)] if len(steps) > 10 \
        else steps
    for step in dict.fromkeys(picks):
        table.add_row(f"{step:.0f}", *(next((f"{h['dev_accuracy']:.3f}" for h in r.history
                                             if h["step"] == step), "") for r in trained.values()))
    table.add_row("final", *(f"{r.dev_accuracy:.3f}" for r in trained.values()), style="bold")
    table.add_row("seconds", *(f"{r.seconds:.1f}" for r in trained.values()))
    con.print(table)
    if args.figures:
        print(f"wrote {draw_compared(trained, args.figures / COMPARED_FIGURE)}")
    return 0


def draw_compared(runs: dict, path: Path) -> Path:
    """Each optimiser's dev accuracy and loss against the step, in one PNG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 5.5), layout="constrained")
    accuracy, loss = fig.subplots(2, 1, sharex=True)
    for words, r in runs.items():
        steps = [h["step"] for h in r.history]
        accuracy.plot(steps, [h["dev_accuracy"] for h in r.history], "o-", markersize=2,
                      label=f"{words} (final {r.dev_accuracy:.3f})")
        loss.plot(steps, [h["loss"] for h in r.history], "o-", markersize=2, label=words)
    accuracy.set_ylabel("dev accuracy")
    accuracy.legend(loc="lower right")
    loss.set_ylabel("train loss")
    loss.set_xlabel("step")
    loss.legend(loc="upper right")
    fig.suptitle("The same network, first parameters and batches, three optimisers", fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": "nn-grader experiment"})
    return path


def _check_figures(folder: Path, force: bool) -> None:
    """Refuse, before training, to replace figures the user made: ours may be replaced."""
    from grader.figures import NAMES, require_matplotlib, written_before

    ours = written_before(folder)
    theirs = [p for p in (folder / n for n in NAMES) if p.exists() and p not in ours]
    units = folder / UNITS_FIGURE
    theirs += [units] if units.exists() and not _drawn_by_us(units) else []
    if theirs and not force:
        raise UsageError(f"{theirs[0]} already exists; pass --force to overwrite it or "
                         "choose another folder")
    require_matplotlib()


def _drawn_by_us(png: Path) -> bool:
    """Whether an experiment drew this PNG (it says so in the file's own text chunk)."""
    try:
        return b"nn-grader experiment" in png.read_bytes()[:4096]
    except OSError:
        return False


def _show(results, verdict, settings: TrainingSettings, data, args: argparse.Namespace,
          seconds: float) -> int:
    from rich.text import Text

    from grader.report import console, curve_table
    from grader.results import Status

    con = console()
    batch = "every digit" if settings.batch_size is None else f"batches of {settings.batch_size}"
    con.print(Text.assemble(("Your network: ", "bold"),
                            f"784 -> {verdict.layers[1]} ReLU -> 10 softmax, "
                            f"{settings.method} gradient descent, alpha {settings.alpha:g}, "
                            f"{settings.epochs} epochs of {batch}, seed {settings.seed}"),
              soft_wrap=True)
    failing = [e.name for e in results.exercises if e.status != Status.PASSED]
    if failing:
        con.print(Text(f"{', '.join(failing)} {'fails' if len(failing) == 1 else 'fail'} "
                       "its checks: python -m grader says what is wrong.", style="yellow"))
    tr = results.training
    if tr.status not in (Status.PASSED, Status.FAILED):
        con.print(Text(f"Training: {tr.message or tr.status.value}", style="red"))
        return 1
    con.print(curve_table(tr.history, rows=10))
    test = "" if tr.test_accuracy is None else f", test accuracy {tr.test_accuracy:.3f}"
    con.print(Text.assemble(("Dev accuracy ", "bold"), (f"{tr.dev_accuracy:.3f}", "bold"),
                            f"{test} after {tr.steps} steps in {tr.seconds:.1f} s "
                            f"(chapter 1's verdict asks for {verdict.target:.2f})."),
              soft_wrap=True)
    con.print(hidden_units(tr.params["W1"], con.width, color=con.color_system is not None))
    if args.figures:
        from grader.figures import write_figures

        for path in [*write_figures(args.figures, tr, data),
                     draw_hidden_units(tr.params["W1"], args.figures / UNITS_FIGURE)]:
            print(f"wrote {path}")
    con.print(Text("Try another: python -m grader experiment --hidden 32 --alpha 0.1 "
                   "--epochs 10 (python -m grader experiment --help lists every setting)",
                   style="dim"), soft_wrap=True)
    return 0


def hidden_units(W1: np.ndarray, width: int, color: bool = True):
    """W1's first rows as 28x28 images in the terminal, side by side as the width allows:
    two pixel rows a line (the upper one as the character, the lower as its background), or
    shades of the weight's size where there is no colour."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    shown = min(len(W1), SHOWN_UNITS)
    per_line = max(1, min(shown, (width + 2) // 30))
    grid = Table.grid(padding=(0, 2))
    for _ in range(per_line):
        grid.add_column()
    cells = [_unit_image(W1[k].reshape(28, 28), k + 1, color) for k in range(shown)]
    for start in range(0, shown, per_line):
        grid.add_row(*cells[start:start + per_line])
    more = "" if shown == len(W1) else f" (the first {shown} of {len(W1)})"
    title = Text(f"What each hidden unit looks for: its row of W1 as a 28x28 image{more}; "
                 "red where a bright pixel raises the unit, blue where it lowers it",
                 style="bold")
    return Group(title, grid)


def _unit_image(image: np.ndarray, number: int, color: bool):
    from rich.text import Text

    scale = np.abs(image).max() or 1.0
    text = Text(f"unit {number}\n")
    if not color:
        shades = " .:-=+*#%@"
        pairs = np.abs(image).reshape(14, 2, 28).mean(axis=1) / scale
        for row in pairs:
            text.append("".join(shades[min(int(v * len(shades)), len(shades) - 1)] for v in row)
                        + "\n")
        return text
    for top, bottom in zip(image[0::2], image[1::2]):
        for upper, lower in zip(top, bottom):
            text.append("▀", style=f"{_rgb(upper / scale)} on {_rgb(lower / scale)}")
        text.append("\n")
    return text


def _rgb(value: float) -> str:
    """A diverging colour: white at 0, red towards +1, blue towards -1."""
    fade = int(255 * (1 - min(abs(value), 1.0)))
    return f"rgb(255,{fade},{fade})" if value >= 0 else f"rgb({fade},{fade},255)"


def draw_hidden_units(W1: np.ndarray, path: Path) -> Path:
    """Every row of W1 as a 28x28 image, in one PNG."""
    from matplotlib.figure import Figure

    units = len(W1)
    columns = min(units, 8)
    rows = -(-units // columns)
    fig = Figure(figsize=(1.6 * columns, 2.0 * rows + 0.3), layout="constrained")
    for k, ax in enumerate(fig.subplots(rows, columns, squeeze=False).flat):
        ax.axis("off")
        if k < units:
            limit = np.abs(W1[k]).max() or 1.0
            ax.imshow(W1[k].reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(f"unit {k + 1}", fontsize=8)
    fig.suptitle("Hidden units: each row of W1 as an image (red raises the unit, blue lowers it)",
                 fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": "nn-grader experiment"})
    return path
