"""`python -m grader watch`: regrade an exercise every time its file is saved.

Every exercise is graded at the start, so the verdicts (and the progress file) follow what the
files hold now. Then each save regrades the exercise of the file saved (all of them for any
other file: a helper any exercise may import), and the status line names the exercise worked
on: the one saved until it passes, then the first one left to do, or none once all pass. Keys:
h hint, n next exercise, a all, t train the network (as `python -m grader` does at the end),
q quit; keys pressed while grading or training wait their turn. In a terminal keys act at once;
otherwise (a pipe, a test) one key per line is read from standard input.

Quick verdicts: the files' stamps are polled (portable, no dependency), and at the first change
a worker is started on them at once, so that its start-up overlaps the wait for the save to
settle (an editor's several writes give one verdict). A worker grades the copy of the files
made when it starts: one started before a change can never grade it, and is thrown away. After
each verdict a spare worker is started for the next key (n, a, t) to use, while no file changes.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from rich.text import Text

from grader.catalog import CHAPTER_OF, CHAPTERS, EXERCISES, Chapter, Exercise
from grader.data import DATA_DIR, DataError
from grader.engine import grade_submission
from grader.limits import Limits
from grader.progress import Progress, print_hints
from grader.report import TrainingProgress, Wording, console, print_report
from grader.results import ExerciseResult, Status, TrainingResult
from grader.training import Data, run_training
from grader.usage import (DEFAULT_SUBMISSION, Parser, UsageError, add_folder_option,
                          add_timeout_option)
from grader.worker import Worker

KEYS = "Keys: h hint, n next, a all, t train, q quit"
WATCHING = Wording(rerun="save it to regrade",
                   more="press a to grade all; python -m grader {name} -v shows every check",
                   everything="Press t to train your network on real digits.")
POLL = 0.01  # seconds between looks at the files while nothing changes
SETTLE = 0.05  # seconds a save must stay unchanged to be graded (the worker starts meanwhile)
SETTLE_POLL = 0.005
ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?")  # arrow keys and the like: no command

Stamps = dict[str, tuple[int, int]]


def _snapshot(folder: Path) -> Stamps:
    """Modification time and size of each .py file; hidden ones (an editor's lock or swap
    files) are not part of the submission."""
    stamps = {}
    with contextlib.suppress(OSError), os.scandir(folder) as entries:  # gone: no files left
        for entry in entries:
            if entry.name.endswith(".py") and not entry.name.startswith("."):
                with contextlib.suppress(OSError):  # a file removed or replaced mid-save
                    st = entry.stat()
                    stamps[entry.name] = (st.st_mtime_ns, st.st_size)
    return stamps


def _changed(old: Stamps, new: Stamps) -> list[str]:
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


def _exercises_of(files: list[str]) -> list[Exercise]:
    """The exercises those files hold; every exercise for any other file."""
    ours = [ex for ex in EXERCISES if ex.file in files]
    return ours if len(ours) == len(files) else list(EXERCISES)


class _Spare:
    """A worker started on the files before it is needed, good while they keep its stamps."""

    def __init__(self, folder: Path, limits: Limits) -> None:
        self.folder, self.limits = folder, limits
        self.worker: Worker | None = None
        self.stamps: Stamps | None = None
        self.stale: list[Worker] = []  # thrown away, to close when no new one is starting

    def renew(self) -> Stamps:
        """Start a spare on the files as they are now, instead of the last one; their stamps."""
        if self.worker is not None:
            self.stale.append(self.worker)
        stamps = _snapshot(self.folder)
        self.worker = Worker(self.folder, self.limits)
        self.worker.start()  # copies the files now, then loads them in the background
        # A write while they were copied leaves the copy unknown: a spare for no stamps.
        self.stamps = stamps if _snapshot(self.folder) == stamps else None
        return stamps

    def take(self) -> Worker:
        """A worker on the files as they are now: the spare, unless they changed since."""
        if self.worker is None or self.stamps != _snapshot(self.folder):
            self.renew()
        worker, self.worker = self.worker, None
        return worker

    def clean(self) -> None:
        while self.stale:
            self.stale.pop().close()

    def close(self) -> None:
        self.clean()
        if self.worker is not None:
            self.worker.close()
            self.worker = None


@contextlib.contextmanager
def _keys() -> Iterator[queue.Queue[str]]:
    """A queue of single-character commands, fed by a background reader.

    It reads a copy of standard input's descriptor: pytest, which runs the checks, swaps
    sys.stdin and descriptor 0 while it runs, and keys pressed meanwhile must wait, not be lost.
    """
    keys: queue.Queue[str] = queue.Queue()
    fd = os.dup(sys.stdin.fileno())
    tty = os.isatty(fd)
    restore: Callable[[], None] | None = None
    if tty and os.name == "posix":
        import termios
        import tty as tty_mode

        saved = termios.tcgetattr(fd)
        tty_mode.setcbreak(fd, termios.TCSANOW)  # not the default TCSAFLUSH: keep keys typed
        restore = lambda: termios.tcsetattr(fd, termios.TCSADRAIN, saved)  # noqa: E731

    def read() -> None:
        if tty and os.name == "nt":
            import msvcrt

            while True:
                char = msvcrt.getwch()
                if char in "\x00\xe0":  # an arrow or function key: its second half is no command
                    msvcrt.getwch()
                else:
                    keys.put(char.lower())
        elif tty:
            while chunk := os.read(fd, 256):
                for char in ESCAPES.sub("", chunk.decode(errors="ignore")):
                    keys.put(char.lower())
        else:
            for line in open(fd, errors="replace", closefd=False):  # noqa: SIM115
                keys.put(line[:1].lower())
        keys.put("q")  # end of input

    threading.Thread(target=read, daemon=True).start()
    try:
        yield keys
    finally:
        if restore:
            restore()


class _Watch:
    def __init__(self, folder: Path, limits: Limits, learner_run: bool) -> None:
        self.folder, self.learner_run = folder, learner_run
        self.progress = Progress.load() if learner_run else Progress()
        self.current: Exercise | None = None  # None: every exercise passes
        self.spare = _Spare(folder, limits)
        self.con = console()

    def run(self, keys: queue.Queue[str]) -> int:
        seen = self._settled()
        self.grade(list(EXERCISES), None, "starting")
        gc.freeze()  # what is loaded by now lives as long as watch: pytest's collections skip it
        while True:
            if _snapshot(self.folder) != seen:
                stamps = self._settled()
                files, seen = _changed(seen, stamps), stamps
                if files:
                    exercises = _exercises_of(files)
                    focus = exercises[0] if len(exercises) < len(EXERCISES) else self.current
                    self.grade(exercises, focus, f"{', '.join(files)} changed")
                continue
            try:
                key = keys.get(timeout=POLL)
            except queue.Empty:
                continue
            if key == "q":
                return 0
            if key == "h":
                self.hint()
            elif key == "n":
                chosen = EXERCISES[(EXERCISES.index(self.current) + 1) % len(EXERCISES)] \
                    if self.current else EXERCISES[0]
                self.grade([chosen], chosen, "n", stay=True)
            elif key == "a":
                self.grade(list(EXERCISES), self.current, "a")
            elif key == "t":
                self.grade(list(self.trained().exercises), self.current, "t", train=True)

    def _settled(self) -> Stamps:
        """The files' stamps once unchanged for SETTLE seconds; the spare is started on them
        meanwhile, afresh at each change."""
        stamps, quiet_since = self.spare.renew(), time.monotonic()
        while time.monotonic() - quiet_since < SETTLE:
            time.sleep(SETTLE_POLL)
            if _snapshot(self.folder) != stamps:
                stamps, quiet_since = self.spare.renew(), time.monotonic()
                self.spare.clean()  # the one replaced was still starting: free its CPU
        return stamps

    def trained(self) -> Chapter:
        """The chapter t trains: the last one whose exercises all pass, else the one being
        worked on (its verdict then says what stops the network)."""
        passing = [c for c in CHAPTERS if all(self.progress.status.get(ex.name) == Status.PASSED
                                              for ex in c.exercises)]
        return passing[-1] if passing else CHAPTER_OF[self.current.name] if self.current \
            else CHAPTERS[0]

    def grade(self, exercises: list[Exercise], focus: Exercise | None, why: str,
              stay: bool = False, train: bool = False) -> None:
        """Grade (and `train`) and show the verdicts; then the current exercise is `focus`, if
        it is to `stay` or does not pass, else the first one left to do."""
        names = f"all {len(exercises)} exercises" if len(exercises) > 1 else exercises[0].name
        chapter = CHAPTER_OF[exercises[0].name]
        self.con.print(Text(f"{why}: grading {names}" + (
            f" and training your network (chapter {chapter.number}) on {chapter.verdict.data} "
            "(keys wait their turn)" if train else ""), style="dim"), soft_wrap=True)
        started = time.perf_counter()
        verdict = chapter.verdict
        try:
            data = Data.load(DATA_DIR / verdict.train_file, DATA_DIR / verdict.test_file,
                             verdict.dev_size) if train else None
        except DataError as err:
            self.con.print(Text(f"cannot train: {err}", style="red"), soft_wrap=True)
            return
        with self.spare.take() as worker:
            results = grade_submission(worker, exercises, seed=int(time.time()),
                                       needs=chapter.verdict.uses,
                                       training=None if data is None
                                       else self._training(data, chapter))
        results.seconds = time.perf_counter() - started
        if self.learner_run:
            self.progress.record(results)
        else:
            self.progress.status.update({r.name: r.status for r in results.exercises})
        keep = focus is not None and (stay or self.progress.status.get(focus.name) != Status.PASSED)
        self.current = focus if keep else self.progress.current()
        if self.con.is_terminal:
            self.con.clear()
        print_report(results, self.folder, data, progress=self.progress, wording=WATCHING)
        where = Text.assemble("current exercise: ", (self.current.name, "bold")) if self.current \
            else Text(f"all {len(EXERCISES)} exercises pass, t trains your network", "bold")
        self.con.print(Text.assemble(f"watching {self.folder} for saves; ", where, f". {KEYS}"),
                       style="dim", soft_wrap=True)
        self.spare.clean()  # closing a worker while another one starts would slow that one
        self.spare.renew()

    @staticmethod
    def _training(data: Data, chapter: Chapter
                  ) -> Callable[[Worker, list[ExerciseResult]], TrainingResult]:
        """Training as python -m grader --chapter N does it, its progress drawn as it goes."""
        def training(worker: Worker, exercises: list[ExerciseResult]) -> TrainingResult:
            with TrainingProgress(chapter.verdict.settings) as on_progress:
                return run_training(worker, data, chapter.verdict, None, on_progress, exercises)

        return training

    def hint(self) -> None:
        if self.current is None:
            self.con.print("Every exercise passes: no hint needed (n goes to an exercise, whose "
                           "hints h then shows).", soft_wrap=True)
            return
        shown = self.progress.reveal(self.current)
        if self.learner_run:
            self.progress.save()
        print_hints(self.current, shown, "press h again for hint {level}", self.folder)


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader watch", description="Regrade an exercise each time its "
               f"file is saved. {KEYS}.")
    add_folder_option(p, "the exercises folder to watch")
    add_timeout_option(p)
    args = p.parse_args(argv)
    if not args.submission.is_dir():
        raise UsageError(f"{args.submission} is not a folder of exercises")
    limits = replace(Limits.from_environment(),
                     training=max(c.verdict.budget for c in CHAPTERS))
    watch = _Watch(args.submission, limits.with_call(args.timeout),
                   args.submission is DEFAULT_SUBMISSION)
    try:
        with _keys() as keys:
            return watch.run(keys)
    finally:
        watch.spare.close()
