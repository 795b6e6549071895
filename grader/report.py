"""The terminal report, drawn with rich: one line per exercise, a panel per problem, what next.

Plain text (no colour, ASCII boxes) when stdout is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from dataclasses import dataclass

import numpy as np
from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.catalog import BY_NAME, CHAPTER_OF, CHAPTERS, NAMES, Exercise, TrainingSettings
from grader.results import ExerciseResult, Results, Status, TrainingResult
from grader.training import Data, clean_history


class ProgressView(Protocol):
    """What the report shows of a learner's progress (grader.progress.Progress)."""

    def current(self) -> Exercise | None: ...

    def summary(self) -> str: ...

STYLE = {Status.PASSED: ("PASS", "green"), Status.FAILED: ("FAIL", "red"),
         Status.ERROR: ("ERROR", "magenta"), Status.NOT_STARTED: ("TODO", "yellow")}


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # In Jupyter, rich renders HTML itself: colours even though the stream is no terminal. The
    # text/plain beside the HTML (what nbconvert and plain-text frontends show) stays free of
    # escape codes: no colour system, which leaves the HTML styled.
    jupyter = Console().is_jupyter
    plain = not (jupyter or stream.isatty()) or "NO_COLOR" in os.environ
    return Console(stderr=stderr, no_color=plain, highlight=False, emoji=False, safe_box=True,
                   width=None if not plain else 100, color_system=None if jupyter else "auto")


def boxes(con: Console) -> box.Box:
    return box.ROUNDED if not con.no_color else box.ASCII


NAME_WIDTH = max(len(name) for name in NAMES) + 1  # the column of exercise names


def _summary_line(res: ExerciseResult, results: Results) -> Text:
    label, colour = STYLE[res.status]
    line = Text.assemble((f"{label:<6}", f"bold {colour}"), (res.name.ljust(NAME_WIDTH), "bold"),
                         f"{res.score:g}/{res.max_score:g} ".rjust(7))
    failed = [c for c in res.checks if c.status == Status.FAILED]
    if res.status == Status.PASSED:
        line.append(f"  {len(res.checks)} checks passed", "dim")
    elif res.status == Status.FAILED:
        line.append(f"  {len(failed)} of {len(res.checks)} checks failed")
    elif res.status == Status.NOT_STARTED:
        line.append("  not started", "dim")
    else:
        line.append("  stopped by an error")
    return line


def _still_failing(res: ExerciseResult, results: Results) -> str:
    """For an exercise that passes with the reference versions of functions that fail: say so."""
    weak = [n for n in BY_NAME[res.name].calls
            if any(r.name == n and r.status != Status.PASSED for r in results.exercises)]
    if res.status != Status.PASSED or not weak:
        return ""
    return (f"checked with the reference {', '.join(weak)}: your {', '.join(weak)} still "
            f"{'fails' if len(weak) == 1 else 'fail'}")


def _is_load_error(res: ExerciseResult) -> bool:
    return " could not be loaded: " in res.message


def _sharing(results: Results, res: ExerciseResult) -> list[str]:
    """The exercises a file that does not load takes down with it."""
    if res.status != Status.ERROR or not _is_load_error(res):
        return [res.name]
    return [r.name for r in results.exercises if r.message == res.message]


def _problem_panel(res: ExerciseResult, con: Console, submission: Path, names: list[str],
                   shown: int | None, more: str) -> Panel:
    ex = BY_NAME[res.name]
    body: list = []
    if len(names) > 1:
        body.append(Text(f"This stops {', '.join(names)}: fix it first.", style="bold"))
    if res.diagnosis:
        body.append(Text.assemble(("Likely cause: ", "bold yellow"), res.diagnosis))
    if res.status == Status.ERROR:
        body.append(Text(res.message))
    else:
        failed = [c for c in res.checks if c.status == Status.FAILED]
        for check in failed[:shown]:
            message = check.message.split("\nLikely cause: ")[0]
            body.append(Text.assemble(("x ", "red"), (check.name, "bold")))
            body.append(Text("  " + message.replace("\n", "\n  ")))
        if shown is not None and len(failed) > shown:
            body.append(Text(f"... and {len(failed) - shown} more failed checks ({more})", "dim"))
    if res.printed:
        body.append(Text(f"Your code printed: {res.printed.strip()[:300]}", "dim"))
    for warning in res.warnings:
        body.append(Text(f"Warning from {warning}", "dim"))
    if len(names) == 1:
        body.append(Text.assemble(("Hint: ", "bold cyan"), ex.hints[0]))
    title = f"{ex.name}  ({_where(ex, submission)})" if len(names) == 1 else str(submission)
    return Panel(Group(*body), title=title, title_align="left",
                 border_style=STYLE[res.status][1], box=boxes(con), expand=True)


def _where(ex: Exercise, submission: Path) -> Path:
    return submission / ex.file if submission.is_dir() else submission


RERUN = "run: python -m grader {name}{submission}   (stuck? python -m grader hint {name})"


@dataclass(frozen=True)
class Wording:
    """What the report tells a learner to do, where they are: a terminal or a notebook."""

    rerun: str = RERUN  # grade one exercise again, with {name} (and {submission})
    more: str = "python -m grader -v shows them all"  # see every failed check, with {name}
    seed: str = "--seed {seed}"  # repeat these random inputs
    everything: str = "Run python -m grader to grade all and train."
    beyond: str = ("Next: experiment with your network: python -m grader experiment --hidden 32 "
                   "--alpha 0.1 (more hidden units, other steps, epochs or batches), or "
                   "--compare to race your SGD, momentum and Adam.")


TERMINAL = Wording()


def _next_step(results: Results, submission: Path, progress: ProgressView | None,
               wording: Wording) -> str:
    rerun = wording.rerun.replace("{submission}", "")
    graded = {r.name for r in results.exercises}
    chapter = CHAPTER_OF[results.exercises[0].name] if results.exercises else None
    everything = len(chapter.exercises) if chapter else len(BY_NAME)
    todo = [(r.name, "Fix" if r.status != Status.NOT_STARTED else "Write")
            for r in results.exercises if r.status != Status.PASSED]
    current = progress.current() if progress is not None else None
    if not todo and current is not None and current.name not in graded \
            and len(graded) < everything:
        todo = [(current.name, "Write")]
    if todo:
        name, verb = todo[0]
        where = _where(BY_NAME[name], submission)
        first = next((r for r in results.exercises if r.name == name), None)
        line = re.search(r", line (\d+)", first.message) if first else None
        if first is not None and first.status == Status.ERROR and _is_load_error(first) and line:
            return (f"Next: fix line {line[1]} of {where} (shown above), then "
                    f"{rerun.format(name=name)}")
        return f"Next: {verb} {name} in {where}, then {rerun.format(name=name)}"
    needed = [n for n in NAMES if n not in graded and results.training.status == Status.SKIPPED
              and re.search(rf"\b{n}\b", results.training.message)]
    if needed:  # training needs a function of an earlier chapter
        name = needed[0]
        return (f"Next: Write {name} (chapter {CHAPTER_OF[name].number}) in "
                f"{_where(BY_NAME[name], submission)}, then {rerun.format(name=name)}")
    if results.training.status == Status.FAILED:
        return "Next: your functions pass their checks but the network does not learn yet: see above."
    if results.training.status == Status.ERROR:
        return ("Next: your functions pass their checks, but training them together stopped "
                "with an error: see above (the function it names, and what it was given).")
    if results.training.status == Status.PASSED:
        later = [c for c in CHAPTERS if chapter and c.number > chapter.number]
        if later:
            beyond = (f"Next: chapter {later[0].number}, {later[0].title.lower()}: python -m "
                      f"grader --chapter {later[0].number} (or experiment first: python -m "
                      "grader experiment --help)")
        elif chapter is None or chapter is CHAPTERS[0]:
            beyond = wording.beyond
        else:
            beyond = ("That was the last chapter. Next: python -m grader --chapter "
                      f"{chapter.number} --figures DIR draws what your network learnt, and "
                      "python -m grader experiment --help trains chapter 1's network your way.")
        return ("All exercises pass and your network reads handwritten digits. Well done! "
                + beyond).rstrip()
    if progress is not None and current is None:  # every chapter's
        return f"All {len(BY_NAME)} exercises pass. {wording.everything}"
    if len(graded) == everything:
        of = f" of chapter {chapter.number}" if chapter and chapter.number > 1 else ""
        return f"All {everything} exercises{of} pass. {wording.everything}"
    return f"Every exercise you graded passes. {wording.everything}"


def print_report(results: Results, submission: Path, data: Data | None = None,
                 progress: ProgressView | None = None, wording: Wording = TERMINAL,
                 shown: int | None = 2, tables: bool = True) -> None:
    """Each panel shows `shown` failed checks (None: all); `wording` says what to do next;
    `tables`: draw the training's curve, confusion matrix and digits (False: the caller shows
    them as pictures)."""
    con = console()
    seed = wording.seed.format(seed=results.seed)
    con.print(Text.assemble(("Grading ", "bold"), str(submission),
                            (f"   (random inputs: {seed})", "dim")))
    for note in results.notes:
        con.print(Text.assemble(("Note: ", "bold yellow"), note))
    table = Table.grid(padding=(0, 1))
    for res in results.exercises:
        table.add_row(_summary_line(res, results))
        for said in filter(None, (_still_failing(res, results), res.note)):
            table.add_row(Padding(Text(said, style="yellow"), (0, 0, 0, 6)))  # wraps indented
        for check in res.checks:  # what passing checks add: a speed lesson, another way
            if check.status == Status.PASSED and check.message:
                table.add_row(Padding(Text(check.message, style="dim"), (0, 0, 0, 6)))
    con.print(table)
    told: set[str] = set()  # the message of a file that does not load, shown once
    for res in results.exercises:
        if res.status in (Status.FAILED, Status.ERROR) and res.message not in told:
            con.print(_problem_panel(res, con, submission, _sharing(results, res), shown,
                                     wording.more.format(name=res.name)))
            if res.status == Status.ERROR and _is_load_error(res):
                told.add(res.message)
    if results.training.status != Status.SKIPPED:
        _training(con, results.training, data, tables)
    elif results.training.message:
        con.print(Text(f"Training: {results.training.message}", style="dim"))
    passed = sum(r.status == Status.PASSED for r in results.exercises)
    con.print(Text.assemble(("Score ", "bold"), (f"{results.score:g}/{results.max_score:g}", "bold"),
                            f"  ({passed} of {len(results.exercises)} exercises passed, "
                            + (f"training {results.training.score:g} of "
                               f"{results.training.points:g} points, "
                               if results.training.points else "")
                            + f"{results.seconds:.2f} s)"))
    if progress is not None:
        con.print(Text.assemble(("Progress ", "bold"), progress.summary()))
    # One line, however narrow the terminal: a command in it must stay whole to be copied.
    con.print(_next_step(results, submission, progress, wording), soft_wrap=True)


def _training(con: Console, tr: TrainingResult, data: Data | None, tables: bool) -> None:
    label, colour = STYLE.get(tr.status, ("ERROR", "magenta"))
    head = Text.assemble((f"{label:<6}", f"bold {colour}"), ("training".ljust(NAME_WIDTH), "bold"))
    if tr.dev_accuracy is not None:
        head.append(f"dev accuracy {tr.dev_accuracy:.3f} (target {tr.target:g})")
        if tr.test_accuracy is not None:
            head.append(f", test accuracy {tr.test_accuracy:.3f}")
        method = tr.extra.get("method", "")
        head.append(f"  {tr.steps} steps, {tr.epochs} epoch(s), {method}, {tr.seconds:.2f} s", "dim")
    con.print(head)
    if tr.message:
        con.print(Panel(Text(tr.message), title="training", title_align="left",
                        border_style=colour, box=boxes(con)))
    if not tables:
        return
    if tr.history:
        con.print(curve_table(tr.history, loss=tr.extra.get("loss", "train loss")))
    if tr.predictions and data is not None:
        con.print(Group(_confusion(np.array(tr.extra["confusion"]), con),
                        _digits(data, tr.predictions["dev"], con)))


def curve_table(history: list[dict[str, float]], rows: int = 8, loss: str = "train loss") -> Table:
    """Loss (`loss` says which) and dev accuracy along training, at most `rows` evenly spaced
    points."""
    table = Table(title="Learning curve (your forward_prop on the dev set)", box=None,
                  title_justify="left", padding=(0, 2), min_width=60)
    for column in ("step", "epoch", loss, "dev accuracy"):
        table.add_column(column, justify="right")
    picks = sorted({round(i * (len(history) - 1) / max(rows - 1, 1)) for i in range(rows)})
    for h in (history[i] for i in picks):
        table.add_row(f"{h['step']:.0f}", f"{h['epoch']:.0f}", f"{h['loss']:.3f}",
                      f"{h['dev_accuracy']:.3f}")
    return table


def _confusion(matrix: np.ndarray, con: Console) -> Table:
    table = Table(title="Confusion matrix on the dev set (rows: true digit, columns: guess)",
                  title_justify="left", box=None, padding=(0, 1), min_width=70)
    table.add_column("")
    for k in range(10):
        table.add_column(str(k), justify="right")
    for true in range(10):
        cells = [Text(str(n), style="bold green" if true == guess else ("red" if n else "dim"))
                 for guess, n in enumerate(matrix[true])]
        table.add_row(Text(str(true), style="bold"), *cells)
    return table


def draw_digit(pixels: np.ndarray, plain: bool) -> Text:
    """A 28x28 digit in 14 text rows: half blocks in colour, a character ramp in plain text."""
    img = pixels.reshape(28, 28).astype(int)
    text = Text()
    for r in range(0, 28, 2):
        for top, bottom in zip(img[r], img[r + 1]):
            if plain:
                text.append(" .:-=+*#%@"[min(9, (top + bottom) * 10 // 512)])
            else:
                text.append("\u2580", style=f"rgb({top},{top},{top}) on rgb({bottom},{bottom},{bottom})")
        text.append("\n")
    return text


def pick_digits(predictions: np.ndarray, truth: np.ndarray,
                count: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to `count` digits to show, as (read right, mistakes): a third of them right, more of
    either when the other runs short, at least one of each whenever both exist."""
    right = np.flatnonzero(predictions == truth)
    wrong = np.flatnonzero(predictions != truth)
    n_right = min(right.size, max(count - wrong.size, count // 3, 1))
    return right[:n_right], wrong[:count - n_right]


def _digits(data: Data, predictions: np.ndarray, con: Console) -> Table:
    right, wrong = pick_digits(predictions, data.Y_dev, max(2, min(6, con.width // 30)))
    table = Table(title="Dev digits: some read right, then mistakes", title_justify="left",
                  box=None, padding=(0, 1), min_width=60)
    for i in right:
        table.add_column(Text(f"right: guess {predictions[i]} true {data.Y_dev[i]}",
                              style="green"), no_wrap=True, min_width=28)
    for i in wrong:
        table.add_column(Text(f"wrong: guess {predictions[i]} true {data.Y_dev[i]}",
                              style="red"), no_wrap=True, min_width=28)
    table.add_row(*(draw_digit(data.X_dev[:, i], con.no_color) for i in [*right, *wrong]))
    return table


class TrainingProgress:
    """A rich progress bar for training that appears only once it has run for a second; call
    it with each progress event from the worker."""

    def __init__(self, settings: TrainingSettings, enabled: bool = True) -> None:
        self.settings, self.enabled = settings, enabled
        self.started = time.perf_counter()
        self.bar = None

    def __enter__(self) -> Callable[[Any], None]:
        return self.update

    def update(self, event: Any) -> None:
        if not self.enabled or time.perf_counter() - self.started < 1.0:
            return
        event = (clean_history([event]) or [{}])[0]
        if self.bar is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            total = self.settings.epochs if self.settings.batch_size is None else None
            self.bar = Progress(TextColumn("training ({task.fields[method]})"), BarColumn(),
                                TextColumn("step {task.completed:.0f}  loss {task.fields[loss]:.3f}"
                                           "  dev accuracy {task.fields[acc]:.3f}"),
                                TimeElapsedColumn(), console=console(stderr=True), transient=True)
            self.task = self.bar.add_task("train", total=total, method=self.settings.method,
                                          loss=0.0, acc=0.0)
            self.bar.start()
        self.bar.update(self.task, completed=float(event.get("step", 0)),
                        loss=float(event.get("loss", 0.0)), acc=float(event.get("dev_accuracy", 0.0)))

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
