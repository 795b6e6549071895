"""`python -m grader`: parse the command line, grade, report, exit 0 / 1 / 2.

Heavy imports (pytest, rich, pandas) wait until after the worker process has been started, so
that its start-up overlaps with ours.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import secrets
import shlex
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

from grader.catalog import CHAPTER_OF, CHAPTERS, EXERCISES, Chapter, Exercise
from grader.limits import CALL_SECONDS, Limits
from grader.locate import checked
from grader.sandbox import SandboxError
from grader.usage import (ARGUMENTS_VARIABLE, DEFAULT_SUBMISSION, Parser, UsageError,
                          add_assignment_option, add_exercise_argument, add_timeout_option,
                          chapter_argument, internal_error, seed_argument)


def _grade_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m grader", description="Grade the exercises, then train the "
                "network built from them on real MNIST digits.",
                epilog="Other commands: hint [EXERCISE], watch, progress, reset EXERCISE, "
                "notebook [PATH], batch DIR, feedback GRADES.json OUT, class-report "
                "GRADES.json, export GRADES.json OUT.csv, release OUT, gradescope-bundle "
                "OUT.zip, prairielearn-bundle OUT, dev-check (python -m grader COMMAND --help)")
    add_exercise_argument(p, "*", "grade only these, without training")
    p.add_argument("--chapter", type=chapter_argument, metavar="N", help="grade chapter N and train its "
                   f"network (chapters: {', '.join(str(c.number) for c in CHAPTERS)}; default 1)")
    p.add_argument("--submission", type=Path, default=DEFAULT_SUBMISSION, metavar="PATH",
                   help="a .py file, a folder laid out like exercises/, or a .ipynb notebook "
                        "(default: exercises/)")
    p.add_argument("--train", type=Path, metavar="CSV", help="train on this MNIST CSV file")
    p.add_argument("--test", type=Path, metavar="CSV", help="score on (or predict) this CSV file")
    p.add_argument("--no-train", action="store_true", help="only run the checks")
    p.add_argument("--full-batch", action="store_true", help="train as the original notebook "
                   "did (500 full-batch iterations) instead of the fast mini-batch verdict")
    p.add_argument("--figures", type=Path, metavar="DIR",
                   help="also write the training figures as PNG files into DIR (needs matplotlib)")
    p.add_argument("--predictions", type=Path, metavar="CSV",
                   help="write the test digits' predictions (ImageId,Label) to CSV; for a "
                        "--test file without labels they are written to submission.csv anyway")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--json", action="store_true", help="print one JSON document and nothing else")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show every failed check in the report, not only the first two")
    p.add_argument("--gradescope", type=Path, metavar="FILE",
                   help="also write the results as Gradescope's results.json to FILE")
    p.add_argument("--seed", type=seed_argument,
                   help="seed for the random inputs, 0 to 2**32 - 1 (default: a fresh one)")
    add_timeout_option(p, default=None)
    add_assignment_option(p)
    return p


def _chapter(args: argparse.Namespace, assignment) -> Chapter:
    if assignment is not None:
        from grader.assignment import chosen_chapter

        return chosen_chapter(args.chapter, assignment, args.assignment)
    if args.chapter is None:
        return CHAPTER_OF[args.exercises[0]] if args.exercises else CHAPTERS[0]
    found = [c for c in CHAPTERS if c.number == args.chapter]
    if not found:
        raise UsageError(f"there is no chapter {args.chapter}; the chapters are "
                         f"{', '.join(str(c.number) for c in CHAPTERS)}")
    return found[0]


def grade(argv: list[str]) -> int:
    started = time.perf_counter()
    args = _grade_parser().parse_args(argv)
    assignment = None
    if args.assignment is not None:
        from grader.assignment import load

        assignment = load(args.assignment)
    chapter = _chapter(args, assignment)
    counted = assignment.exercises if assignment else chapter.exercises
    exercises = [ex for ex in (EXERCISES if args.exercises else counted)
                 if not args.exercises or ex.name in args.exercises]
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    if assignment is not None and assignment.seed is not None:
        if args.seed is not None and args.seed != assignment.seed:
            raise UsageError(f"{args.assignment} gives everyone the seed {assignment.seed}: "
                             f"leave out --seed {args.seed}")
        seed = assignment.seed
    try:
        return _grade(args, chapter, exercises, seed, started, assignment)
    except (UsageError, SandboxError):
        raise
    except Exception as err:  # a bug of the grader's: said so, in the JSON asked for too
        return _not_graded(args, exercises, seed, internal_error(err), assignment)


def _grade(args: argparse.Namespace, chapter: Chapter, exercises: list[Exercise], seed: int,
           started: float, assignment=None) -> int:
    submission = checked(args.submission)
    if args.gradescope and not args.gradescope.parent.is_dir():
        raise UsageError(f"cannot write {args.gradescope}: the folder {args.gradescope.parent} "
                         "does not exist")
    will_train = not args.exercises and not args.no_train
    if args.figures and not will_train:
        raise UsageError("--figures draws the training, which does not run "
                         + ("for named exercises" if args.exercises else "with --no-train")
                         + ": leave those out to train and draw it")
    if args.figures and args.figures.exists() and not args.figures.is_dir():
        raise UsageError(f"--figures {args.figures}: that is a file, not a folder")
    if args.predictions is not None:
        if not will_train:
            raise UsageError("--predictions writes what the trained network guesses, and "
                             "training does not run " + ("for named exercises" if args.exercises
                                                         else "with --no-train"))
        if args.predictions.is_dir():
            raise UsageError(f"--predictions {args.predictions}: that is a folder; give a file "
                             "name such as predictions.csv")
        if not args.predictions.parent.is_dir():
            raise UsageError(f"cannot write {args.predictions}: the folder "
                             f"{args.predictions.parent} does not exist")
    if args.full_batch and "full-batch" not in chapter.verdict.variants:
        raise UsageError(f"chapter {chapter.number} trains only one way: leave out --full-batch")
    settings = chapter.verdict.variants["full-batch"] if args.full_batch else None
    verdict = assignment.verdict if assignment else chapter.verdict
    limits = replace(Limits.from_environment(assignment.memory_mb if assignment else None),
                     training=verdict.budget).with_call(
        args.timeout or (assignment.call_seconds if assignment else CALL_SECONDS))

    from grader.worker import Worker

    with Worker(submission, limits) as worker:
        worker.start()  # the worker imports NumPy and loads the learner's code meanwhile
        data = _load_data(args, chapter) if will_train or args.train or args.test else None
        if will_train:
            _check_outputs(args, data)
        from grader.engine import grade_submission
        from grader.report import TrainingProgress
        from grader.training import run_training

        def training(worker: Worker, exercises: list):
            with TrainingProgress(settings or verdict.settings,
                                  enabled=not args.json) as on_progress:
                return run_training(worker, data, verdict, settings, on_progress, exercises)

        results = grade_submission(worker, exercises, seed, training if will_train else None,
                                   verdict.uses)
    if assignment is not None:
        assignment.apply(results)
    results.seconds = time.perf_counter() - started
    written = _write_outputs(args, results, data)
    progress = None
    if args.submission is DEFAULT_SUBMISSION:  # a learner's own run: remember it
        from grader.progress import Progress

        progress = Progress.load()
        progress.record(results)
    if args.gradescope:
        from grader.gradescope import write_results

        write_results(args.gradescope, results, assignment)
    if args.json:
        print(json.dumps(results.to_dict(), indent=2))
    else:
        from grader.report import RERUN, Wording, print_report

        option = "" if args.submission is DEFAULT_SUBMISSION else \
            f" --submission {shlex.quote(str(submission))}"
        print_report(results, submission, data, progress,
                     Wording(rerun=RERUN.replace("{submission}", option),
                             more=f"python -m grader {{name}}{option} -v shows them all",
                             everything=f"Run python -m grader{_chapter_option(chapter)}"
                                        f"{option} to grade all and train."),
                     shown=None if args.verbose else 2)
        for path in written:
            print(f"wrote {path}")
    return results.exit_code


def _chapter_option(chapter: Chapter) -> str:
    """What to add to `python -m grader` to grade this chapter: nothing for the first."""
    return "" if chapter is CHAPTERS[0] else f" --chapter {chapter.number}"


def _not_graded(args: argparse.Namespace, exercises: list[Exercise], seed: int, why: str,
                assignment=None) -> int:
    """Exit status 1 for a run the grader could not finish: every exercise is its error, in the
    JSON and results.json asked for."""
    from grader.results import ExerciseResult, Results, Status, TrainingResult

    message = f"the grader could not grade this submission because of {why}; please report this"
    print(f"error: {message}", file=sys.stderr)
    results = Results([ExerciseResult(ex.name, Status.ERROR, message) for ex in exercises],
                      TrainingResult(Status.ERROR, message), seed=seed, error=message)
    if assignment is not None:
        assignment.apply(results)
    if args.gradescope:
        from grader.gradescope import write_results

        write_results(args.gradescope, results, assignment)
    if args.json:
        print(json.dumps(results.to_dict(), indent=2))
    return 1


def _check_outputs(args: argparse.Namespace, data) -> None:
    """Refuse early, before any grading, to overwrite what the user already has."""
    from grader.figures import NAMES as FIGURES, require_matplotlib, written_before

    outputs = ([_predictions_path(args, data)] if _predictions_path(args, data) else []) + \
        ([args.figures / name for name in FIGURES] if args.figures else [])
    # Figures the grader wrote there itself are its to replace; anything else is the user's.
    ours = written_before(args.figures) if args.figures else set()
    existing = [p for p in outputs if p.exists() and p not in ours]
    if existing and not args.force:
        raise UsageError(f"{existing[0]} already exists; pass --force to overwrite it or "
                         "choose another path")
    if args.figures:
        require_matplotlib()


def _predictions_path(args: argparse.Namespace, data) -> Path | None:
    """Where the test predictions go: --predictions, or submission.csv for an unlabelled test
    file (whose predictions are the only result); None: not written."""
    if args.predictions is not None:
        return args.predictions
    return Path("submission.csv") if data is not None and data.Y_test is None else None


def _write_outputs(args: argparse.Namespace, results, data) -> list[Path]:
    training = results.training
    if not training.predictions:
        if args.predictions is not None:
            print(f"{args.predictions} was not written: the network was not trained",
                  file=sys.stderr)
        return []
    written = []
    path = _predictions_path(args, data)
    if path is not None:
        ids = range(1, len(training.predictions["test"]) + 1)
        rows = "".join(f"{i},{p}\n" for i, p in zip(ids, training.predictions["test"]))
        path.write_text("ImageId,Label\n" + rows)
        training.extra["predictions_file"] = str(path)
        written.append(path)
    if args.figures:
        from grader.figures import write_figures

        written += write_figures(args.figures, training, data)
    return written


def _load_data(args: argparse.Namespace, chapter: Chapter):
    from grader import data
    from grader.training import Data

    verdict = chapter.verdict
    try:
        return Data.load(args.train or data.DATA_DIR / verdict.train_file,
                         args.test or data.DATA_DIR / verdict.test_file, verdict.dev_size)
    except data.DataError as err:
        raise UsageError(str(err)) from None


# Sub-commands: name -> "module:function"; each function takes the remaining arguments, returns
# the exit status, and raises UsageError for bad input. Imported only when used.
COMMANDS = {
    "hint": "grader.progress:hint_main",
    "progress": "grader.progress:progress_main",
    "reset": "grader.progress:reset_main",
    "watch": "grader.watch:main",
    "experiment": "grader.experiment:main",
    "notebook": "grader.worksheet:main",
    "batch": "grader.batch:main",
    "feedback": "grader.feedback:main",
    "class-report": "grader.classreport:main",
    "export": "grader.export:main",
    "release": "grader.release:main",
    "gradescope-bundle": "grader.autograder:bundle_main",
    "prairielearn-bundle": "grader.prairielearn:bundle_main",
    "dev-check": "grader.devcheck:main",
}


def _arguments(text: str) -> list[str]:
    try:
        argv = json.loads(text)
    except (ValueError, RecursionError):
        argv = None
    if type(argv) is not list or not all(type(a) is str for a in argv):
        raise UsageError(f"{ARGUMENTS_VARIABLE} must be a JSON list of arguments")
    return argv


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through `with Worker(...)`, which stops the worker


def main(argv: list[str] | None = None) -> int:
    hidden = os.environ.pop(ARGUMENTS_VARIABLE, None)  # never passed on to a worker
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if hidden is not None and not argv:
            argv = _arguments(hidden)
        elif argv[:1] == ["batch"] and os.name == "posix" and os.geteuid() == 0:
            # Workers run as other users, who may read this process's command line but not
            # its environment: the seed and the class's paths move there.
            os.execve(sys.executable, [sys.executable, "-m", "grader"],
                      dict(os.environ, **{ARGUMENTS_VARIABLE: json.dumps(argv)}))
        if argv and argv[0] in COMMANDS:
            module, _, function = COMMANDS[argv[0]].partition(":")
            return getattr(importlib.import_module(module), function)(argv[1:])
        return grade(argv)
    except (UsageError, SandboxError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug of the grader's, in one sentence
        print(f"error: {internal_error(err)}; please report this", file=sys.stderr)
        return 1
