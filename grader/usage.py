"""What every command shares on its command line: usage errors and the common options.

A usage error is one sentence on stderr and exit status 2 (grader.cli prints it); so is a bug of
the grader's own (`internal_error`), with exit status 1.
"""

from __future__ import annotations

import argparse
import difflib
import time
import traceback
from pathlib import Path

from grader.catalog import BY_NAME, CHAPTERS, NAMES, REPO
from grader.limits import CALL_SECONDS

DEFAULT_SUBMISSION = REPO / CHAPTERS[0].folder
# The arguments of a grader started by batch, as a JSON list: any user may read a process's
# command line (/proc/*/cmdline), so it carries neither the seed nor the student's path.
ARGUMENTS_VARIABLE = "NN_GRADER_ARGUMENTS"


class UsageError(Exception):
    """A problem with what the user asked for: one sentence, exit status 2."""


def internal_error(err: BaseException) -> str:
    """'an internal error (KeyError: 'x', in engine.py line 12)': an exception the grader did
    not expect, named where the grader's own code met it."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if Path(f.filename).parent.is_relative_to(_PACKAGE)] or frames
    where = f", in {Path(ours[-1].filename).name} line {ours[-1].lineno}" if ours else ""
    message = (str(err).splitlines() or [""])[0][:300]
    return f"an internal error ({type(err).__name__}{': ' if message else ''}{message}{where})"


_PACKAGE = Path(__file__).resolve().parent


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence and exit 2, as for every usage error
        raise UsageError(f"{message} (see {self.prog} --help)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0 and at "
                                         "most 3600")
    return value


def exercise_argument(text: str) -> str:
    """An exercise's name, or one of the names learners give it; else a usage error that
    suggests the nearest name."""
    if text in BY_NAME:
        return text
    known = {alias.lower(): ex.name for ex in BY_NAME.values() for alias in ex.aliases}
    if text.lower() in known:
        return known[text.lower()]
    near = difflib.get_close_matches(text, [*NAMES, *known], n=1, cutoff=0.6)
    hint = f" (did you mean {known.get(near[0], near[0])}?)" if near else ""
    raise argparse.ArgumentTypeError(f"unknown exercise {text!r}{hint}; the exercises are "
                                     f"{', '.join(NAMES)}")


def add_exercise_argument(p: argparse.ArgumentParser, nargs: str | None, what: str) -> None:
    """The EXERCISE argument, the same for grading, hint and reset."""
    dest = "exercises" if nargs == "*" else "exercise"
    p.add_argument(dest, nargs=nargs, type=exercise_argument, metavar="EXERCISE",
                   help=f"{what} ({', '.join(NAMES)})")


def seed_argument(text: str) -> int:
    """A --seed: an integer from 0 to 2**32 - 1, as NumPy's generators take."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer from 0 to 2**32 - 1")
    return value


def chapter_argument(text: str) -> int:
    """A --chapter: the number of one of the catalog's chapters."""
    numbers = [str(c.number) for c in CHAPTERS]
    if text.strip() not in numbers:
        raise argparse.ArgumentTypeError(f"there is no chapter {text!r}; the chapters are "
                                         f"{', '.join(numbers)}")
    return int(text)


def add_timeout_option(p: argparse.ArgumentParser, default: float | None = CALL_SECONDS) -> None:
    """--timeout, the per-call time limit, the same for every command that runs learner code
    (default None: the assignment's, else CALL_SECONDS)."""
    p.add_argument("--timeout", type=_seconds, default=default, metavar="SECONDS",
                   help=f"time limit for one call of the learner's functions (default: "
                        f"{'the assignment file' + chr(39) + 's, else ' if default is None else ''}"
                        f"{CALL_SECONDS:g})")


def add_assignment_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--assignment", type=Path, metavar="TOML",
                   help="an assignment file: the chapter, the exercises that count, points, "
                        "the training target and points, the seed, limits, visibility "
                        "(see grader/assignment.py)")


def add_folder_option(p: argparse.ArgumentParser, what: str) -> None:
    """--submission FOLDER, a folder of exercises (exercises/ by default)."""
    p.add_argument("--submission", type=Path, default=DEFAULT_SUBMISSION, metavar="FOLDER",
                   help=f"{what} (default: exercises/)")


def backup_path(path: Path) -> Path:
    """Where to move `path` before writing a new one: beside it, with the time in its name."""
    stem = f"{path.stem}.backup-{time.strftime('%Y%m%d-%H%M%S')}"
    backup, n = path.with_name(stem + path.suffix), 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{stem}-{n}{path.suffix}")
    return backup
