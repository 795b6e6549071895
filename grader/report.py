"""The terminal report, drawn with rich: one line per exercise, a panel per problem, what next.

Plain text (no colour, ASCII boxes) when stdout is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.catalog import BY_NAME, EXERCISES, Exercise
from grader.results import (ERROR, FAILED, NOT_STARTED, PASSED, SKIPPED, TARGET_ACCURACY,
                            ExerciseResult, Results, TrainingResult)

if TYPE_CHECKING:
    from grader.progress import Progress
    from grader.training import Data

STYLE = {PASSED: ("PASS", "green"), FAILED: ("FAIL", "red"), ERROR: ("ERROR", "magenta"),
         NOT_STARTED: ("TODO", "yellow")}


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # In Jupyter, rich renders HTML itself: colours even though the stream is no terminal.
    jupyter = Console().is_jupyter
    plain = not (jupyter or stream.isatty()) or "NO_COLOR" in os.environ
    return Console(stderr=stderr, no_color=plain, highlight=False,
                   emoji=False, safe_box=True, width=None if not plain else 100)


def _boxes(con: Console) -> box.Box:
    return box.ROUNDED if not con.no_color else box.ASCII


def _summary_line(res: ExerciseResult, results: Results) -> Text:
    label, colour = STYLE[res.status]
    line = Text.assemble((f"{label:<6}", f"bold {colour}"), (f"{res.name:<15}", "bold"),
                         f"{res.score:g}/{res.max_score:g} ".rjust(7))
    failed = [c for c in res.checks if c.status == FAILED]
    if res.status == PASSED:
        line.append(f"  {len(res.checks)} checks passed", "dim")
        weak = [n for n in BY_NAME[res.name].calls
                if any(r.name == n and r.status != PASSED for r in results.exercises)]
        if weak:
            line.append(f"  (checked with the reference {', '.join(weak)}: "
                        f"your {', '.join(weak)} still {'fails' if len(weak) == 1 else 'fail'})",
                        "yellow")
    elif res.status == FAILED:
        line.append(f"  {len(failed)} of {len(res.checks)} checks failed")
    elif res.status == NOT_STARTED:
        line.append("  not started", "dim")
    else:
        line.append("  stopped by an error")
    return line


def _problem_panel(res: ExerciseResult, con: Console, submission: Path) -> Panel:
    ex = BY_NAME[res.name]
    body: list = []
    if res.diagnosis:
        body.append(Text.assemble(("Likely cause: ", "bold yellow"), res.diagnosis))
    if res.status == ERROR:
        body.append(Text(res.message))
    else:
        failed = [c for c in res.checks if c.status == FAILED]
        for check in failed[:2]:
            message = check.message.split("\nLikely cause: ")[0]
            body.append(Text.assemble(("x ", "red"), (check.name, "bold")))
            body.append(Text("  " + message.replace("\n", "\n  ")))
        if len(failed) > 2:
            body.append(Text(f"... and {len(failed) - 2} more failed checks (--json lists all)",
                             "dim"))
    if res.printed:
        body.append(Text(f"Your code printed: {res.printed.strip()[:300]}", "dim"))
    body.append(Text.assemble(("Hint: ", "bold cyan"), ex.hints[0]))
    return Panel(Group(*body), title=f"{ex.name}  ({_where(ex, submission)})", title_align="left",
                 border_style=STYLE[res.status][1], box=_boxes(con), expand=True)


def _where(ex: Exercise, submission: Path) -> Path:
    return submission / ex.file if submission.is_dir() else submission


RERUN = "run: python -m grader {name}{submission}   (stuck? python -m grader hint {name})"


def _next_step(results: Results, submission: Path, progress: Progress | None, rerun: str) -> str:
    graded = {r.name for r in results.exercises}
    todo = [(r.name, "Fix" if r.status != NOT_STARTED else "Write") for r in results.exercises
            if r.status != PASSED]
    if not todo and progress is not None and progress.current().name not in graded \
            and len(graded) < len(BY_NAME):
        todo = [(progress.current().name, "Write")]
    if todo:
        name, verb = todo[0]
        where = _where(BY_NAME[name], submission)
        return f"Next: {verb} {name} in {where}, then {rerun.format(name=name)}"
    if results.training.status == FAILED:
        return "Next: your functions pass their checks but the network does not learn yet: see above."
    if results.training.status == PASSED:
        return "All exercises pass and your network reads handwritten digits. Well done!"
    return "Every exercise you graded passes. Run python -m grader to grade all and train."


def print_report(results: Results, submission: Path, data: Data | None = None,
                 progress: Progress | None = None, rerun: str = RERUN) -> None:
    """`rerun` says how to grade one exercise again, with {name} (and {submission}) in it."""
    rerun = rerun.replace("{submission}", "")
    con = console()
    con.print(Text.assemble(("Grading ", "bold"), str(submission),
                            (f"   (random inputs: --seed {results.seed})", "dim")))
    table = Table.grid(padding=(0, 1))
    for res in results.exercises:
        table.add_row(_summary_line(res, results))
    con.print(table)
    for res in results.exercises:
        if res.status in (FAILED, ERROR):
            con.print(_problem_panel(res, con, submission))
    if results.training.status != SKIPPED:
        _training(con, results.training, data)
    passed = sum(r.status == PASSED for r in results.exercises)
    con.print(Text.assemble(("Score ", "bold"), (f"{results.score:g}/{results.max_score:g}", "bold"),
                            f"  ({passed} of {len(results.exercises)} exercises passed, "
                            f"{results.seconds:.2f} s)"))
    if progress is not None:
        con.print(Text.assemble(("Progress ", "bold"), progress.summary()))
    con.print(_next_step(results, submission, progress, rerun))


def _training(con: Console, tr: TrainingResult, data: Data | None) -> None:
    label, colour = STYLE.get(tr.status, ("ERROR", "magenta"))
    head = Text.assemble((f"{label:<6}", f"bold {colour}"), ("training       ", "bold"))
    if tr.dev_accuracy is not None:
        head.append(f"dev accuracy {tr.dev_accuracy:.3f} (target {TARGET_ACCURACY:.2f})")
        if tr.test_accuracy is not None:
            head.append(f", test accuracy {tr.test_accuracy:.3f}")
        method = tr.extra.get("method", "")
        head.append(f"  {tr.steps} steps, {tr.epochs} epoch(s), {method}, {tr.seconds:.2f} s", "dim")
    con.print(head)
    if tr.message:
        con.print(Panel(Text(tr.message), title="training", title_align="left",
                        border_style=colour, box=_boxes(con)))
    if tr.history:
        con.print(_curve(tr.history))
    if tr.predictions and data is not None:
        con.print(Group(_confusion(np.array(tr.extra["confusion"]), con),
                        _digits(data, tr.predictions["dev"], con)))


def _curve(history: list[dict[str, float]], rows: int = 8) -> Table:
    """Loss and dev accuracy along training, at most `rows` evenly spaced points."""
    table = Table(title="Learning curve (your forward_prop on the dev set)", box=None,
                  title_justify="left", padding=(0, 2), min_width=60)
    for column in ("step", "epoch", "train loss", "dev accuracy"):
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


def _digits(data: Data, predictions: np.ndarray, con: Console) -> Table:
    count = max(1, min(6, con.width // 30))
    wrong = np.flatnonzero(predictions != data.Y_dev)
    right = np.flatnonzero(predictions == data.Y_dev)
    picks = np.concatenate([wrong, right])[:count]
    table = Table(title="Dev digits, mistakes first", title_justify="left", box=None,
                  padding=(0, 1), min_width=60)
    for i in picks:
        ok = predictions[i] == data.Y_dev[i]
        table.add_column(Text(f"guess {predictions[i]} true {data.Y_dev[i]}",
                              style="green" if ok else "red"), no_wrap=True, min_width=28)
    table.add_row(*(draw_digit(data.X_dev[:, i], con.no_color) for i in picks))
    return table


def print_hints(ex: Exercise, shown: int) -> None:
    """Hint levels 1..shown of an exercise; earlier ones dimmed, the newest one bright."""
    con = console()
    body = [Text(f"{i + 1}. {hint}", style="dim" if i < shown - 1 else "")
            for i, hint in enumerate(ex.hints[:shown])]
    more = (f"python -m grader hint {ex.name} reveals hint {shown + 1}" if shown < len(ex.hints)
            else "that was the last hint")
    con.print(Panel(Group(*body, Text(more, style="dim")),
                    title=f"Hint {shown} of {len(ex.hints)}: {ex.name}  (exercises/{ex.file})",
                    title_align="left", border_style="cyan", box=_boxes(con)))


def print_progress(progress: Progress) -> None:
    con = console()
    table = Table(title=f"Progress: {progress.summary()}", title_justify="left", box=_boxes(con))
    for column in ("exercise", "points", "status", "first passed", "hints seen"):
        table.add_column(column)
    for ex in EXERCISES:
        status = progress.status.get(ex.name, "not graded yet")
        label, colour = STYLE.get(status, ("-", "dim"))
        table.add_row(ex.name, f"{ex.points:g}", Text(status.replace("_", " "), style=colour),
                      progress.first_passed.get(ex.name, ""),
                      f"{progress.hints.get(ex.name, 0)} of {len(ex.hints)}")
    con.print(table)
    if progress.runs:
        con.print(Text(f"{len(progress.runs)} runs recorded; the last ones:", style="bold"))
        for run in progress.runs[-5:]:
            accuracy = run.get("dev_accuracy")
            training = f", training {run.get('training')}" + (
                f" ({accuracy:.3f})" if isinstance(accuracy, float) else "")
            con.print(f"  {run.get('at')}: passed {len(run.get('passed', []))} of "
                      f"{len(run.get('graded', []))} graded{training}")
    con.print(f"Next: {progress.current().name} (exercises/{progress.current().file})")
