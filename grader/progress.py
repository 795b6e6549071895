"""A learner's progress, and the self-study commands built on it: hint, progress, reset.

The state is one small JSON file (`.grader/progress.json` beside exercises/, gitignored, or
under $NN_GRADER_STATE): when each exercise first passed, its latest status, how many hint
levels were revealed, and a short history of runs. Losing or corrupting it costs nothing but
that history; a read-only checkout simply keeps no progress.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.catalog import BY_NAME, CHAPTER_OF, CHAPTERS, EXERCISES, REPO, Exercise
from grader.report import STYLE, boxes, console
from grader.results import Results, Status
from grader.stubs import stub_source
from grader.usage import (DEFAULT_SUBMISSION, Parser, UsageError, add_exercise_argument,
                          add_folder_option)

HISTORY_LIMIT = 200


def state_dir() -> Path:
    return Path(os.environ.get("NN_GRADER_STATE") or REPO / ".grader")


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


@dataclass
class Progress:
    status: dict[str, str] = field(default_factory=dict)  # exercise -> latest status
    first_passed: dict[str, str] = field(default_factory=dict)  # exercise -> when
    hints: dict[str, int] = field(default_factory=dict)  # exercise -> hint levels revealed
    runs: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls) -> Progress:
        try:
            raw = json.loads((state_dir() / "progress.json").read_text())
            return cls(**{k: raw[k] for k in ("status", "first_passed", "hints", "runs") if k in raw})
        except (OSError, ValueError, TypeError, RecursionError):
            return cls()

    def save(self) -> None:
        folder = state_dir()
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(asdict(self), f, indent=1)
            os.replace(tmp, folder / "progress.json")

    def record(self, results: Results) -> None:
        now = _now()
        for res in results.exercises:
            self.status[res.name] = res.status
            if res.status == Status.PASSED:
                self.first_passed.setdefault(res.name, now)
        self.runs.append({"at": now, "graded": [r.name for r in results.exercises],
                          "passed": [r.name for r in results.exercises if r.status == Status.PASSED],
                          "training": results.training.status,
                          "dev_accuracy": results.training.dev_accuracy})
        self.runs = self.runs[-HISTORY_LIMIT:]
        self.save()

    def summary(self) -> str:
        """'8/13 exercises, 12/20 points (chapter 1: 7/7, chapter 2: 1/6)'."""
        def done(exercises) -> list[Exercise]:
            return [ex for ex in exercises if self.status.get(ex.name) == Status.PASSED]
        chapters = ", ".join(f"chapter {c.number}: {len(done(c.exercises))}/{len(c.exercises)}"
                             for c in CHAPTERS)
        return (f"{len(done(EXERCISES))}/{len(EXERCISES)} exercises, "
                f"{sum(ex.points for ex in done(EXERCISES)):g}/"
                f"{sum(ex.points for ex in EXERCISES):g} points ({chapters})")

    def current(self) -> Exercise | None:
        """The first exercise not passed yet; None when all have passed."""
        return next((ex for ex in EXERCISES if self.status.get(ex.name) != Status.PASSED), None)

    def reveal(self, ex: Exercise, every: bool = False) -> int:
        """Count one more hint level of `ex` as seen (every level with `every`); the levels
        to show now."""
        shown = len(ex.hints) if every else min(self.hints.get(ex.name, 0) + 1, len(ex.hints))
        self.hints[ex.name] = max(shown, self.hints.get(ex.name, 0))
        return shown


# --------------------------------------------------------------------------- commands

def hint_main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader hint", description="Reveal the next hint for an exercise "
               "(by default the first one not passed yet).")
    add_exercise_argument(p, "?", "the exercise (default: the first one not passed yet)")
    p.add_argument("--all", action="store_true", help="show every hint level at once")
    args = p.parse_args(argv)
    progress = Progress.load()
    ex = BY_NAME[args.exercise] if args.exercise else progress.current()
    if ex is None:
        print("Every exercise passes: no hint needed. `python -m grader hint EXERCISE` shows "
              "the hints of any exercise.")
        return 0
    shown = progress.reveal(ex, args.all)
    progress.save()
    print_hints(ex, shown)
    return 0


def progress_main(argv: list[str]) -> int:
    Parser(prog="python -m grader progress", description="Show what passed when, and the hints "
           "used.").parse_args(argv)
    print_progress(Progress.load())
    return 0


def reset_main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader reset", description="Put an exercise back to its stub; "
               "your code is kept in a backup whose path is printed.")
    add_exercise_argument(p, None, "the exercise to put back to its stub")
    add_folder_option(p, "the exercises folder")
    args = p.parse_args(argv)
    if not args.submission.is_dir():
        raise UsageError(f"{args.submission} is not a folder of exercises")
    target = args.submission / BY_NAME[args.exercise].file
    stub = stub_source(BY_NAME[args.exercise])
    if target.exists() and target.read_bytes() == stub.encode():
        print(f"{target} is already the original stub; nothing to reset.")
        return 0
    if target.exists():
        backups = state_dir() / "backups"
        try:
            backups.mkdir(parents=True, exist_ok=True)
            backup = backups / f"{target.stem}-{datetime.now():%Y%m%d-%H%M%S-%f}.py"
            shutil.copy2(target, backup)
        except OSError as err:
            raise UsageError(f"could not back up {target} ({err.strerror}), so it was not reset") \
                from None
        print(f"Your previous {target.name} is saved as {backup}")
    target.write_text(stub)
    print(f"{target} is the original stub again.")
    if args.submission == DEFAULT_SUBMISSION:  # your progress follows what the file holds now
        progress = Progress.load()
        progress.status[args.exercise] = Status.NOT_STARTED.value
        progress.save()
    return 0


# --------------------------------------------------------------------------- printing

def print_hints(ex: Exercise, shown: int, more: str = "python -m grader hint {name} reveals "
                "hint {level}", folder: Path = Path("exercises")) -> None:
    """Hint levels 1..shown of an exercise; earlier ones dimmed, the newest one bright; `more`
    says how to see the next level, the exercise's file is in `folder`."""
    con = console()
    body = [Text(f"{i + 1}. {hint}", style="dim" if i < shown - 1 else "")
            for i, hint in enumerate(ex.hints[:shown])]
    more = (more.format(name=ex.name, level=shown + 1) if shown < len(ex.hints)
            else "that was the last hint")
    con.print(Panel(Group(*body, Text(more, style="dim")),
                    title=f"Hint {shown} of {len(ex.hints)}: {ex.name}  ({folder / ex.file})",
                    title_align="left", border_style="cyan", box=boxes(con)))


def print_progress(progress: Progress) -> None:
    con = console()
    table = Table(title=f"Progress: {progress.summary()}", title_justify="left", box=boxes(con))
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
    current = progress.current()
    con.print(f"Next: {current.name} (exercises/{current.file}, chapter "
              f"{CHAPTER_OF[current.name].number})" if current else
              "All exercises pass: python -m grader --chapter 2 trains your network, with your "
              "own training loop, on real digits.")
