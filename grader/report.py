"""The terminal report, drawn with rich: one line per exercise, a panel per problem, what next.

Plain text (no colour, ASCII boxes) when stdout is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.catalog import BY_NAME, Exercise
from grader.results import ERROR, FAILED, NOT_STARTED, PASSED, ExerciseResult, Results

STYLE = {PASSED: ("PASS", "green"), FAILED: ("FAIL", "red"), ERROR: ("ERROR", "magenta"),
         NOT_STARTED: ("TODO", "yellow")}


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    plain = not stream.isatty() or "NO_COLOR" in os.environ
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


def _problem_panel(res: ExerciseResult, con: Console) -> Panel:
    ex = BY_NAME[res.name]
    body: list = []
    if res.status == ERROR:
        body.append(Text(res.message))
    else:
        failed = [c for c in res.checks if c.status == FAILED]
        for check in failed[:2]:
            body.append(Text.assemble(("x ", "red"), (check.name, "bold")))
            body.append(Text("  " + check.message.replace("\n", "\n  ")))
        if len(failed) > 2:
            body.append(Text(f"... and {len(failed) - 2} more failed checks (--json lists all)",
                             "dim"))
    if res.printed:
        body.append(Text(f"Your code printed: {res.printed.strip()[:300]}", "dim"))
    body.append(Text.assemble(("Hint: ", "bold cyan"), ex.hints[0]))
    return Panel(Group(*body), title=f"{ex.name}  (exercises/{ex.file})", title_align="left",
                 border_style=STYLE[res.status][1], box=_boxes(con), expand=True)


def _next_step(results: Results, submission: Path) -> str:
    for res in results.exercises:
        if res.status != PASSED:
            ex = BY_NAME[res.name]
            where = submission / ex.file if submission.is_dir() else submission
            verb = "Write" if res.status == NOT_STARTED else "Fix"
            return (f"Next: {verb} {ex.name} in {where}, then run: python -m grader {ex.name}   "
                    f"(stuck? python -m grader hint {ex.name})")
    if results.training.status == FAILED:
        return "Next: your functions pass their checks but the network does not learn yet: see above."
    if results.training.status == PASSED:
        return "All exercises pass and your network reads handwritten digits. Well done!"
    return "Every exercise you graded passes. Run python -m grader to grade all and train."


def print_report(results: Results, submission: Path) -> None:
    con = console()
    con.print(Text.assemble(("Grading ", "bold"), str(submission),
                            (f"   (random inputs: --seed {results.seed})", "dim")))
    table = Table.grid(padding=(0, 1))
    for res in results.exercises:
        table.add_row(_summary_line(res, results))
    con.print(table)
    for res in results.exercises:
        if res.status in (FAILED, ERROR):
            con.print(_problem_panel(res, con))
    if results.training.status != "skipped" or results.training.message:
        from grader.training import render_training

        render_training(con, results.training)
    passed = sum(r.status == PASSED for r in results.exercises)
    con.print(Text.assemble(("Score ", "bold"), (f"{results.score:g}/{results.max_score:g}", "bold"),
                            f"  ({passed} of {len(results.exercises)} exercises passed, "
                            f"{results.seconds:.2f} s)"))
    con.print(_next_step(results, submission))


def print_hint(ex: Exercise, level: int) -> None:
    con = console()
    con.print(Panel(Text(ex.hints[level]), title=f"Hint {level + 1} of {len(ex.hints)}: {ex.name}",
                    title_align="left", border_style="cyan", box=_boxes(con)))
