"""`python -m grader batch DIR`: grade a whole class in parallel, each submission under limits.

Every entry of DIR is one student's submission: a .py file, a .ipynb notebook, a folder (laid
out like exercises/, or a repository or upload that holds one) or a .zip of one (grader.unpack);
the student is its name without the suffix. Each submission is graded by a `python -m grader --json` process of its own, --jobs
at a time, with a wall-clock limit (past it, the grader and its worker are stopped) and a memory
limit (the worker's address space), so a hostile or broken submission costs one slot for at most
its limit and nothing else. Everyone gets the same random inputs (one seed for the batch, kept in
the output). Grades go to a CSV file and, in full, to a JSON file next to it; `--merge` updates
the rows of the students graded into an existing gradebook, with the gradebook's seed, and keeps
everyone else's. A `similar` column flags functions that are the same code as the grader's
reference, a solution or another student's (grader.similarity): for a person to look at.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from grader import similarity, zygote
from grader.assignment import Assignment, chosen_chapter, load
from grader.catalog import CHAPTERS, Chapter, Exercise
from grader.limits import CALL_SECONDS, MEMORY_MB, SUBMISSION_SECONDS, Limits
from grader.locate import choose, exercise_files, ignored
from grader.pool import Graders, Job
from grader.sandbox import exposure
from grader.shown import visible
from grader.unpack import Unpackable, unpack
from grader.usage import (Parser, UsageError, add_assignment_option,
                          add_timeout_option, backup_path, chapter_argument, internal_error,
                          seed_argument)
from grader.worker import environment


GRADED, TIMEOUT, ERROR = "graded", "timeout", "error"


SUFFIXES = (".py", ".ipynb", ".zip")  # of the files that are submissions


def _candidates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not ignored(Path(p.name))
                  and (p.is_dir() or p.suffix.lower() in SUFFIXES))


def _student(entry: Path) -> str:
    # A name is shown and written as text: an upload's control characters made visible.
    return visible(entry.stem if entry.is_file() else entry.name)


def _newest(entries: list[Path]) -> Path:
    return max(entries, key=lambda p: (p.stat().st_mtime, p.name))


def submissions(folder: Path) -> dict[str, Path]:
    """Student name (the entry's name without .py, .ipynb or .zip) -> entry, in name order. A
    student with several entries (alice.py and alice.zip) is graded on the newest one."""
    students: dict[str, list[Path]] = {}
    for entry in _candidates(folder):
        students.setdefault(_student(entry), []).append(entry)
    return {name: _newest(entries) for name, entries in sorted(students.items())}


def not_graded(folder: Path, graded: dict[str, Path]) -> dict[str, str]:
    """Entries of `folder` that are not among the `graded` submissions, with why: said, never
    dropped silently."""
    why = {}
    for p in sorted(folder.iterdir()):
        if ignored(Path(p.name)):
            continue
        if p.is_dir() or p.suffix.lower() in SUFFIXES:
            newer = graded[_student(p)]
            if newer != p:
                why[visible(p.name)] = (f"an older entry of {_student(p)}: {visible(newer.name)} "
                                        "is newer and is graded")
        else:
            why[visible(p.name)] = "not a .py file, a folder, an .ipynb notebook or a .zip"
    return why


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as a formula


def cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as the text it is (OWASP's advice: a leading ')."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


class Batch:
    """Grades entries one grader process each; stop() ends every process still running."""

    def __init__(self, seed: int, *, train: bool, limits: Limits,
                 chapter: Chapter = CHAPTERS[0], scratch: Path | None = None,
                 assignment: Path | None = None) -> None:
        self.seed, self.train, self.limits, self.chapter = seed, train, limits, chapter
        self.scratch = scratch  # where .zip uploads are unpacked, one folder each
        self.assignment = assignment  # the file each grader grades by
        rules = load(assignment) if assignment else None
        self.counted = rules.exercises if rules else chapter.exercises
        self.max_score = rules.max_score if rules else chapter.max_score
        # What every grader runs with (and, through it, every worker: grader.worker).
        self.env = dict(os.environ, NN_GRADER_MEMORY_MB=str(limits.memory_mb), NO_COLOR="1")
        self._running: set[Job] = set()
        self._graders = Graders()
        self._lock = threading.Lock()
        self._stopping = False

    def grade(self, student: str, entry: Path) -> dict[str, Any]:
        row: dict[str, Any] = {"student": student, "path": visible(str(entry)), "status": ERROR,
                               "score": 0.0, "max_score": self.max_score, "message": ""}
        try:
            return self._grade(entry, row)
        except Exception as err:  # a bug of the grader's costs this row, not the batch
            row["message"] = f"the grader could not grade it because of {internal_error(err)}"
            return row

    def _grade(self, entry: Path, row: dict[str, Any]) -> dict[str, Any]:
        if not (entry.is_file() and entry.suffix.lower() == ".zip"):
            return self._grade_found(entry, row)
        folder = Path(tempfile.mkdtemp(dir=self.scratch))
        try:  # an archive's files last as long as its grading
            return self._grade_found(unpack(entry, folder / "upload"), row, entry)
        except Unpackable as why:
            row["message"] = f"cannot unpack {visible(entry.name)}: {why}"
            return row
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _grade_found(self, entry: Path, row: dict[str, Any], archive: Path | None = None
                     ) -> dict[str, Any]:
        """Grade what `choose` picks in `entry` (unpacked from `archive`, if given)."""
        try:
            choice = choose(entry)
        except OSError as problem:  # an unreadable folder is that student's, not the batch's
            row["message"] = f"cannot read the submission: {problem}"
            return row
        target = choice.target
        if target is None:
            row["message"] = ("no .py file, folder of exercises or .ipynb notebook found "
                              "(symbolic links are not followed)") + "".join(
                f"; {p.name}: {why}" for p, why in choice.passed_over)
            return row
        row["path"] = visible(str(target))
        try:  # parsed, never run: what the similarity flags compare
            row["fingerprints"] = similarity.submitted(target, self.chapter)
        except Exception:  # noqa: BLE001 - a flag that cannot be computed is only left out
            row["fingerprints"] = {}
        if archive is not None:  # which file of the archive is graded
            inside = target.relative_to(entry).as_posix()
            row["path"] = visible(f"{archive}!/{inside}" if inside != "." else str(archive))
        # Each grader starts in the repository: a path relative to here must not change meaning.
        arguments = ["--submission", os.path.abspath(target), "--json", "--seed", str(self.seed),
                     "--timeout", str(self.limits.call), "--chapter", str(self.chapter.number)] \
            + ([] if self.train else ["--no-train"]) \
            + (["--assignment", os.path.abspath(self.assignment)] if self.assignment else [])
        started = time.perf_counter()
        ran, retried = self._run_grader(arguments, self.env), ""
        if _spoiled(ran):
            # A worker that ended while loading, before any check, is the code's doing or the
            # machine's (seen once in 400 gradings under load); a grader that ended without
            # a result never the code's. Once more tells them apart.
            again = self._run_grader(arguments, self.env)
            if again is not None and not _spoiled(again):
                retried = "graded twice: the first run's " + (
                    "worker ended while loading the code" if _died_loading(ran[0]) else
                    f"grader ended without a result ({ran[1]})") + ", the second did not"
                ran = again
        row["seconds"] = round(time.perf_counter() - started, 2)
        if ran is None:
            row.update(status=TIMEOUT, message=f"grading took longer than {self.limits.submission:g} s "
                       "and was stopped")
            return row
        result, err, _status = ran
        if result is None or result.get("error"):
            row["message"] = f"the grader could not grade it: {err}"
            return row
        training = result["training"]
        said = "; ".join(filter(None, (choice.said(entry), retried)))
        row.update(status=GRADED, score=result["score"], max_score=result["max_score"],
                   message=visible(said),
                   training=training.get("status"), dev_accuracy=training.get("dev_accuracy"),
                   test_accuracy=training.get("test_accuracy"), grading=result,
                   **{e["name"]: e["status"] for e in result["exercises"]
                      if e["name"] in {ex.name for ex in self.counted}})
        return row

    def _run_grader(self, arguments: list[str], env: dict[str, str]
                    ) -> tuple[dict[str, Any] | None, str, int | None] | None:
        """One grader process: (its JSON result or None, the last line it wrote on stderr,
        its exit status); None when it ran out of time."""
        folder = Path(tempfile.mkdtemp(prefix="grader-", dir=self.scratch))
        out, err = folder / "stdout", folder / "stderr"
        try:
            with self._lock:
                if self._stopping:
                    raise KeyboardInterrupt
                proc = self._graders.start(arguments, env, out, err)
                self._running.add(proc)
            try:
                status = self._graders.wait(proc, self.limits.submission)
                if status is None:
                    self._graders.stop(proc)
                    return None
            finally:
                with self._lock:
                    self._running.discard(proc)
            said = _read(err).strip().splitlines()
            last = (said or [f"exit status {status}"])[-1]
            return (_result(_read(out)) if status in (0, 1) else None), last, status
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @contextlib.contextmanager
    def warm(self) -> Iterator[None]:
        """While it lasts, graders wait warm between submissions (grader.pool) and their
        workers are forked from a zygote where learner code cannot reach one (grader.zygote;
        else each worker starts a fresh Python); both end with it."""
        forking = self.scratch is not None and zygote.available()
        workers = zygote.Zygote(self.scratch / "zygote", environment(self.env)) \
            if forking else None
        if workers is not None:
            self.env[zygote.SOCKET_VARIABLE] = str(workers.socket)
        try:
            yield
        finally:
            self._graders.close()
            if workers is not None:
                del self.env[zygote.SOCKET_VARIABLE]
                workers.close()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            running = list(self._running)
        for proc in running:
            self._graders.stop(proc)


def _result(out: str) -> dict[str, Any] | None:
    """The JSON document a grader printed, if it is one with the fields the rows need (learner
    code that could write to the grader's stdout may have printed anything)."""
    try:
        result = json.loads(out)
    except (ValueError, RecursionError):
        return None
    numbers = (int, float)
    ok = (isinstance(result, dict) and type(result.get("score")) in numbers
          and type(result.get("max_score")) in numbers and isinstance(result.get("training"), dict)
          and isinstance(result.get("exercises"), list)
          and all(isinstance(e, dict) and type(e.get("name")) is str
                  and type(e.get("status")) is str for e in result["exercises"]))
    return result if ok else None


def _spoiled(ran: tuple[dict[str, Any] | None, str, int | None] | None) -> bool:
    """Whether a grader's run may be the machine's failure rather than the code's: its worker
    ended while loading the code, or the grader ended without a result and not with exit
    status 2 (its own one-sentence refusal of the submission)."""
    return ran is not None and (_died_loading(ran[0]) or ran[2] not in (0, 1, 2))


def _died_loading(result: dict[str, Any] | None) -> bool:
    """Whether every exercise is an error because the worker ended while loading the code."""
    exercises = (result or {}).get("exercises") or []
    return bool(exercises) and all(
        e.get("status") == "error" and str(e.get("message", "")).startswith("loading your code ")
        and (" ended the process " in e["message"] or " was killed by signal " in e["message"])
        for e in exercises)


def _read(path: Path) -> str:
    """What a grader wrote there: nothing if it wrote nothing (it was stopped first)."""
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def columns(exercises: tuple[Exercise, ...]) -> list[str]:
    """The gradebook's columns: one per exercise graded."""
    return ["student", "score", "max_score", "status", *(ex.name for ex in exercises),
            "training", "dev_accuracy", "test_accuracy", "seconds", "path", "similar", "message"]


def write_outputs(csv_path: Path, json_path: Path, rows: list[dict], meta: dict,
                  exercises: tuple[Exercise, ...] = CHAPTERS[0].exercises) -> None:
    # A file name need not be text: its undecodable bytes are written as escapes.
    with csv_path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        writer = csv.DictWriter(f, columns(exercises), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: cell(v) for k, v in row.items()} for row in rows)
    json_path.write_text(json.dumps(dict(meta, submissions=rows), indent=2))


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader batch",
               description="Grade every submission in DIR (one .py file, folder or .ipynb "
               "notebook per student) in parallel, each with a time and memory limit, and write "
               "the grades as CSV and JSON. Exit status 0 when every submission was graded, 1 "
               "when some timed out or could not be graded.")
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--out", type=Path, default=Path("grades.csv"), metavar="CSV",
                   help="the grades (default: grades.csv); the full results go next to it, "
                        "as .json")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    p.add_argument("--jobs", type=int, default=cpus or 1, metavar="N",
                   help="submissions graded at once (default: one per CPU this process may use)")
    p.add_argument("--time-limit", type=float, metavar="SECONDS",
                   help=f"wall-clock limit for grading one submission (default: the "
                        f"assignment's, else {SUBMISSION_SECONDS:g})")
    p.add_argument("--memory", type=int, metavar="MB",
                   help=f"memory limit of the process running a submission (default: the "
                        f"assignment's, else {MEMORY_MB})")
    add_timeout_option(p, default=None)
    p.add_argument("--no-train", action="store_true", help="only run the checks")
    p.add_argument("--chapter", type=chapter_argument, metavar="N",
                   help="the chapter to grade and train (default: the assignment's, else 1)")
    add_assignment_option(p)
    p.add_argument("--seed", type=seed_argument,
                   help="seed of everyone's random inputs (default: fresh)")
    p.add_argument("--force", action="store_true",
                   help="replace existing output files, each moved to a timestamped backup first")
    p.add_argument("--merge", action="store_true",
                   help="update the existing gradebook (--out and its .json, backed up first): "
                        "the students graded now replace their rows, everyone else's stay, and "
                        "the gradebook's seed is used")
    args = p.parse_args(argv)
    rules = load(args.assignment) if args.assignment else None
    chapter = chosen_chapter(args.chapter, rules, args.assignment)
    _limits_from(args, rules)
    if rules is not None and rules.seed is not None:
        if args.seed is not None and args.seed != rules.seed:
            raise UsageError(f"{args.assignment} gives everyone the seed {rules.seed}: leave "
                             f"out --seed {args.seed}")
        args.seed = rules.seed
    if not args.dir.is_dir():
        raise UsageError(f"{args.dir} is not a folder")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if not 0 < args.time_limit <= 86400:
        raise UsageError("--time-limit must be a number of seconds above 0 and at most 86400")
    if args.memory < 512:
        raise UsageError("--memory must be at least 512 (MB): NumPy alone needs about 200")
    json_path = args.out.with_suffix(".json")
    for path in (args.out, json_path):
        if path.exists() and not (args.force or args.merge):
            raise UsageError(f"{path} already exists; pass --merge to update its students' rows "
                             "or --force to back it up and write a new one")
        if not path.parent.is_dir():
            raise UsageError(f"cannot write {path}: the folder {path.parent} does not exist")
    earlier = _gradebook(json_path, chapter, args.seed, rules) if args.merge else None
    own = exercise_files(args.dir)
    if own:  # `batch class/bob --merge`: one student's folder, regraded
        entries = {_student(args.dir.resolve()): args.dir}
        print(f"{args.dir} holds exercise files ({', '.join(own[:3])}"
              f"{', ...' if len(own) > 3 else ''}): graded as one submission, "
              f"{next(iter(entries))}'s", file=sys.stderr)
    else:
        entries = submissions(args.dir)
    if not entries:
        raise UsageError(f"{args.dir} holds no .py file, folder, .ipynb notebook or .zip")

    warning = exposure()
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    seed = earlier["seed"] if earlier else args.seed if args.seed is not None \
        else secrets.randbelow(2**31)
    limits = Limits(submission=args.time_limit, memory_mb=args.memory).with_call(args.timeout)
    with tempfile.TemporaryDirectory(prefix="nn-batch-") as scratch:
        batch = Batch(seed, train=not args.no_train, limits=limits, chapter=chapter,
                      scratch=Path(scratch), assignment=args.assignment)
        started = time.perf_counter()
        with batch.warm():
            rows = _run(batch, entries, args.jobs)
        seconds = time.perf_counter() - started
    skipped = {} if own else not_graded(args.dir, entries)
    meta = {"seed": seed, "chapter": chapter.number, "max_score": batch.max_score,
            "jobs": args.jobs, "train": not args.no_train,
            "time_limit": args.time_limit, "memory_mb": args.memory,
            "seconds": round(seconds, 2), "per_second": round(len(rows) / seconds, 3),
            "not_graded": skipped}
    if rules is not None:
        meta["assignment"] = rules.summary()
    graded_now = rows
    if earlier:
        rows = merged(earlier["submissions"], rows)
        meta["not_graded"] = earlier.get("not_graded", {}) | skipped
        meta["updated"] = [row["student"] for row in graded_now]
    try:
        flagged = similarity.flags({r["student"]: r.get("fingerprints") or {} for r in rows
                                    if isinstance(r.get("fingerprints"), dict)}, chapter)
    except Exception as err:  # noqa: BLE001 - flags for a person to look at never cost grades
        print(f"warning: no similarity flags: {internal_error(err)}", file=sys.stderr)
        flagged = {}
    for row in rows:  # across the whole gradebook, merged rows included
        row["similar"] = "; ".join(flagged.get(row["student"], []))
    for path in (args.out, json_path):  # a gradebook is never lost: the old one is kept
        if path.exists():
            backup = backup_path(path)
            path.rename(backup)
            print(f"moved the existing {path} to {backup}", file=sys.stderr)
    write_outputs(args.out, json_path, rows, meta, batch.counted)
    print(_summary(graded_now, seconds, args.jobs, batch.max_score)
          + (f" Updated {len(graded_now)} of the {len(rows)} rows of {args.out} and {json_path}."
             if earlier else f" Wrote {args.out} and {json_path}."))
    if skipped:
        print(f"Not graded ({len(skipped)}): "
              + "; ".join(f"{name}: {why}" for name, why in skipped.items()), file=sys.stderr)
    return 0 if all(r["status"] == GRADED for r in graded_now) else 1


def read_gradebook(path: Path) -> dict[str, Any]:
    """The gradebook that batch wrote to `path` (its JSON file); UsageError when there is none
    or it is not one."""
    try:
        book = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist") from None
    except (OSError, ValueError, RecursionError) as err:
        raise UsageError(f"{path} is not a gradebook that batch wrote ({err})") from None
    rows = book.get("submissions") if isinstance(book, dict) else None
    if not (isinstance(rows, list) and all(isinstance(r, dict) and isinstance(
            r.get("student"), str) for r in rows) and type(book.get("seed")) is int
            and type(book.get("chapter")) is int):
        raise UsageError(f"{path} is not a gradebook that batch wrote")
    return book


def _limits_from(args: Any, rules: Assignment | None) -> None:
    """Fill in the limits not given on the command line: the assignment's, else the defaults."""
    for option, key, default in (("time_limit", "submission_seconds", SUBMISSION_SECONDS),
                                 ("memory", "memory_mb", MEMORY_MB),
                                 ("timeout", "call_seconds", CALL_SECONDS)):
        if getattr(args, option) is None:
            setattr(args, option, getattr(rules, key) if rules else default)


def _gradebook(path: Path, chapter: Chapter, seed: int | None,
               rules: Assignment | None = None) -> dict[str, Any]:
    """The gradebook `batch --merge` updates; UsageError when there is none, or it is another
    chapter's, another seed's or another assignment's."""
    if not path.exists():
        raise UsageError(f"--merge updates an existing gradebook, and {path} does not exist "
                         "(grade without --merge to start one)")
    try:
        book = read_gradebook(path)
    except UsageError as err:
        raise UsageError(f"cannot merge: {err}") from None
    if book["chapter"] != chapter.number:
        raise UsageError(f"{path} is the gradebook of chapter {book['chapter']}, not chapter "
                         f"{chapter.number}: pass --chapter {book['chapter']} or another --out")
    if seed is not None and seed != book["seed"]:
        raise UsageError(f"{path} was graded with --seed {book['seed']}: everyone in a gradebook "
                         f"gets the same inputs, so --merge uses that seed, not {seed}")
    before = book.get("assignment")
    now = rules.summary() if rules else None
    if before is not None and now is not None:  # the seed is the gradebook's either way
        before, now = dict(before, seed=None), dict(now, seed=None)
    if before is None and now is not None:
        raise UsageError(f"{path} was graded without an assignment file: merge without "
                         "--assignment, or grade into another --out")
    if before is not None and now is None:
        raise UsageError(f"{path} was graded under the assignment {before.get('title')!r}: pass "
                         "--assignment with its file to merge")
    if before != now:
        raise UsageError(f"{path} was graded under the assignment {before.get('title')!r}, whose "
                         "exercises, points or target differ from this assignment file's: merge "
                         "with the same file, or grade into another --out")
    return book


def merged(earlier: list[dict], now: list[dict]) -> list[dict]:
    """The gradebook's rows by student, in name order: those graded `now` replace theirs."""
    rows = {row["student"]: row for row in earlier} | {row["student"]: row for row in now}
    return [rows[student] for student in sorted(rows)]


def _run(batch: Batch, entries: dict[str, Path], jobs: int) -> list[dict]:
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    rows: dict[str, dict] = {}
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("eta"), TimeRemainingColumn(),
               TextColumn("{task.fields[last]}", markup=False))
    with Progress(*columns, console=Console(stderr=True)) as progress, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        task = progress.add_task("batch", total=len(entries), last="")
        futures = {pool.submit(batch.grade, student, entry): student
                   for student, entry in entries.items()}
        try:
            for future in as_completed(futures):
                row = future.result()
                rows[row["student"]] = row
                last = (f"{row['score']:g}/{row['max_score']:g}" if row["status"] == GRADED
                        else row["status"])
                progress.update(task, advance=1, last=f"{row['student']}: {last}")
        except BaseException:  # Ctrl-C or SIGTERM: stop every grader still running
            pool.shutdown(wait=False, cancel_futures=True)
            batch.stop()
            raise
    return [rows[student] for student in entries]


def _summary(rows: list[dict], seconds: float, jobs: int, max_score: float) -> str:
    mean = sum(r["score"] for r in rows) / len(rows) if rows else 0.0  # 0 for the ungraded
    problems = [f"{sum(r['status'] == s for r in rows)} {what}" for s, what in
                ((TIMEOUT, "timed out"), (ERROR, "could not be graded"))
                if any(r["status"] == s for r in rows)]
    count = f"{len(rows)} submission{'s' if len(rows) != 1 else ''}"
    return (f"Graded {count} in {seconds:.1f} s with {jobs} job{'s' if jobs != 1 else ''} "
            f"({len(rows) / seconds:.2f} per second); mean score {mean:.2f}/{max_score:g}"
            + (f"; {', '.join(problems)}." if problems else "."))
