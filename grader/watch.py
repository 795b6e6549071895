"""`python -m grader watch`: regrade the current exercise every time a file is saved.

Polls the submission's .py files (portable, no dependency) and regrades after a short quiet
period, so an editor's several writes per save give one verdict. Keys: h hint, n next
exercise, a all exercises, q quit. In a terminal, keys act at once and the screen is redrawn;
otherwise (a pipe, a test) one key per line is read from standard input.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from rich.text import Text

from grader.catalog import EXERCISES, Exercise
from grader.engine import grade_submission
from grader.limits import Limits
from grader.progress import Progress, print_hints
from grader.report import Wording, console, print_report
from grader.results import Status
from grader.usage import DEFAULT_SUBMISSION, Parser, UsageError, add_folder_option, add_timeout_option
from grader.worker import Worker

WATCHING = Wording(rerun="save it to regrade (press h for a hint)",
                   more="press a to grade all; python -m grader {name} -v shows every check",
                   everything="Press a to grade all, or run python -m grader to train.")
POLL = 0.05  # seconds between looks at the files
QUIET = 0.15  # seconds without further changes before regrading


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    stamps = {}
    for path in folder.glob("*.py"):
        with contextlib.suppress(OSError):  # a file removed or replaced mid-save
            st = path.stat()
            stamps[path.name] = (st.st_mtime_ns, st.st_size)
    return stamps


@contextlib.contextmanager
def _keys() -> Iterator[queue.Queue]:
    """A queue of single-character commands, fed by a background reader."""
    keys: queue.Queue = queue.Queue()
    tty = sys.stdin.isatty()
    restore = None
    if tty and os.name == "posix":
        import termios
        import tty as tty_mode

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        tty_mode.setcbreak(fd)
        restore = lambda: termios.tcsetattr(fd, termios.TCSADRAIN, saved)  # noqa: E731

    def read() -> None:
        while True:
            if tty and os.name == "nt":
                import msvcrt

                char = msvcrt.getwch()
            else:
                char = sys.stdin.read(1) if tty else (sys.stdin.readline() or "q")[:1]
            keys.put(char.lower())

    threading.Thread(target=read, daemon=True).start()
    try:
        yield keys
    finally:
        if restore:
            restore()


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader watch", description="Regrade the current exercise each "
               "time a file is saved. Keys: h hint, n next, a all, q quit.")
    add_folder_option(p, "the exercises folder to watch")
    add_timeout_option(p)
    args = p.parse_args(argv)
    if not args.submission.is_dir():
        raise UsageError(f"{args.submission} is not a folder of exercises")
    learner_run = args.submission is DEFAULT_SUBMISSION
    progress = Progress.load() if learner_run else Progress()
    current: Exercise = progress.current() or EXERCISES[-1]
    con = console()

    def grade(exercises: list[Exercise]) -> None:
        nonlocal current
        started = time.perf_counter()
        with Worker(args.submission, Limits.from_environment().with_call(args.timeout)) as worker:
            results = grade_submission(worker, exercises, seed=int(time.time()))
        results.seconds = time.perf_counter() - started
        if learner_run:
            progress.record(results)
        else:
            progress.status.update({r.name: r.status for r in results.exercises})
        if progress.status.get(current.name) == Status.PASSED:  # move on to what is left to do
            current = progress.current() or current
        if con.is_terminal:
            con.clear()
        print_report(results, args.submission, progress=progress, wording=WATCHING)
        con.print(Text.assemble(f"watching {args.submission} for saves; current exercise: ",
                                (current.name, "bold"), ". Keys: h hint, n next, a all, q quit"),
                  style="dim", soft_wrap=True)

    seen, changed_at = _snapshot(args.submission), None  # before grading: no save is missed
    grade([current])
    with _keys() as keys:
        while True:
            try:
                key = keys.get(timeout=POLL)
            except queue.Empty:
                key = None
            if key == "q":
                return 0
            if key == "h":
                shown = min(progress.hints.get(current.name, 0) + 1, len(current.hints))
                progress.hints[current.name] = shown
                if learner_run:
                    progress.save()
                print_hints(current, shown)
            elif key == "n":
                current = EXERCISES[(EXERCISES.index(current) + 1) % len(EXERCISES)]
                grade([current])
            elif key == "a":
                grade(list(EXERCISES))
            now = _snapshot(args.submission)
            if now != seen:
                seen, changed_at = now, time.monotonic()
            elif changed_at is not None and time.monotonic() - changed_at >= QUIET:
                changed_at = None
                grade([current])
