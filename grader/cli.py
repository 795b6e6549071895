"""`python -m grader`: parse the command line, grade, report, exit 0 / 1 / 2.

Heavy imports (pytest, rich, pandas) wait until after the worker process has been started, so
that its start-up overlaps with ours.
"""

from __future__ import annotations

import argparse
import importlib
import json
import secrets
import signal
import sys
import time
from pathlib import Path

from grader.catalog import BY_NAME, EXERCISES, NAMES
from grader.sandbox import SandboxError

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SUBMISSION = REPO / "exercises"


class UsageError(Exception):
    """A problem with what the user asked for: one sentence, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence and exit 2, as for every usage error
        raise UsageError(f"{message} (see python -m grader --help)")


def _grade_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m grader", description="Grade the exercises, then train the "
                "network built from them on real MNIST digits.",
                epilog="Other commands: hint [EXERCISE], watch, progress, reset EXERCISE, "
                "notebook [PATH], batch DIR, release OUT, gradescope-bundle OUT.zip "
                "(python -m grader COMMAND --help)")
    p.add_argument("exercises", nargs="*", metavar="EXERCISE",
                   help=f"grade only these, without training ({', '.join(NAMES)})")
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
    p.add_argument("--predictions", type=Path, default=Path("submission.csv"), metavar="CSV",
                   help="where to write predictions for a --test file without labels "
                        "(default: submission.csv)")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--json", action="store_true", help="print one JSON document and nothing else")
    p.add_argument("--gradescope", type=Path, metavar="FILE",
                   help="also write the results as Gradescope's results.json to FILE")
    p.add_argument("--seed", type=int, help="seed for the random inputs (default: a fresh one)")
    add_timeout_option(p)
    return p


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds between 0 and 3600")
    return value


def add_timeout_option(p: argparse.ArgumentParser) -> None:
    """--timeout, the per-call time limit, the same for every command that runs learner code."""
    p.add_argument("--timeout", type=_seconds, default=5.0, metavar="SECONDS",
                   help="time limit for one call of the learner's functions (default: 5)")


def _check_submission(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"the submission {path} does not exist")
    if path.is_dir():
        if not any(path.glob("*.py")):
            raise UsageError(f"the folder {path} holds no .py file")
        return path
    if path.suffix == ".ipynb":
        from grader.notebook import check_notebook_file

        check_notebook_file(path)  # raises UsageError for a file that is not a notebook
        return path
    if path.suffix != ".py":
        raise UsageError(f"the submission {path} is neither a .py file nor a folder")
    return path


def grade(argv: list[str]) -> int:
    started = time.perf_counter()
    args = _grade_parser().parse_args(argv)
    unknown = [name for name in args.exercises if name not in BY_NAME]
    if unknown:
        raise UsageError(f"unknown exercise '{unknown[0]}'; the exercises are {', '.join(NAMES)}")
    submission = _check_submission(args.submission)
    if args.gradescope and not args.gradescope.parent.is_dir():
        raise UsageError(f"cannot write {args.gradescope}: the folder {args.gradescope.parent} "
                         "does not exist")
    exercises = [ex for ex in EXERCISES if not args.exercises or ex.name in args.exercises]
    will_train = not args.exercises and not args.no_train

    from grader.worker import Worker

    with Worker(submission, call_timeout=args.timeout) as worker:
        worker.start()  # the worker imports NumPy and loads the learner's code meanwhile
        data = _load_data(args) if will_train or args.train or args.test else None
        if will_train:
            _check_outputs(args, data)
        from grader.engine import grade_submission
        from grader.training import FULL_BATCH, MINI_BATCH

        seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
        results = grade_submission(worker, exercises, seed, data if will_train else None,
                                   FULL_BATCH if args.full_batch else MINI_BATCH,
                                   show_progress=not args.json)
    results.seconds = time.perf_counter() - started
    written = _write_outputs(args, results, data)
    progress = None
    if args.submission is DEFAULT_SUBMISSION:  # a learner's own run: remember it
        from grader.progress import Progress

        progress = Progress.load()
        progress.record(results)
    if args.gradescope:
        from grader.gradescope import write_results

        write_results(args.gradescope, results)
    if args.json:
        print(json.dumps(results.to_dict(), indent=2))
    else:
        from grader.report import print_report

        from grader.report import RERUN

        option = "" if args.submission is DEFAULT_SUBMISSION else f" --submission {submission}"
        print_report(results, submission, data, progress, RERUN.replace("{submission}", option))
        for path in written:
            print(f"wrote {path}")
    return results.exit_code


def _check_outputs(args: argparse.Namespace, data) -> None:
    """Refuse early, before any grading, to overwrite what the user already has."""
    outputs = ([args.predictions] if data.Y_test is None else []) + \
        ([args.figures / name for name in FIGURES] if args.figures else [])
    existing = [p for p in outputs if p.exists()]
    if existing and not args.force:
        raise UsageError(f"{existing[0]} already exists; pass --force to overwrite it or "
                         "choose another path")
    if args.figures:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise UsageError("--figures needs matplotlib: python -m pip install -e \".[plots]\"") \
                from None


FIGURES = ("training_curve.png", "confusion_matrix.png", "dev_digits.png")


def _write_outputs(args: argparse.Namespace, results, data) -> list[Path]:
    training = results.training
    if not training.predictions:
        return []
    written = []
    if data.Y_test is None:
        ids = range(1, len(training.predictions["test"]) + 1)
        rows = "".join(f"{i},{p}\n" for i, p in zip(ids, training.predictions["test"]))
        args.predictions.write_text("ImageId,Label\n" + rows)
        training.extra["predictions_file"] = str(args.predictions)
        written.append(args.predictions)
    if args.figures:
        from grader.figures import write_figures

        written += write_figures(args.figures, training, data)
    return written


def _load_data(args: argparse.Namespace):
    from grader import data
    from grader.training import Data

    try:
        return Data.load(args.train or data.TRAIN_CSV, args.test or data.TEST_CSV)
    except data.DataError as err:
        raise UsageError(str(err)) from None


# Sub-commands: name -> "module:function"; each function takes the remaining arguments, returns
# the exit status, and raises UsageError for bad input. Imported only when used.
COMMANDS = {
    "hint": "grader.progress:hint_main",
    "progress": "grader.progress:progress_main",
    "reset": "grader.progress:reset_main",
    "watch": "grader.watch:main",
    "notebook": "grader.notebook:main",
    "batch": "grader.batch:main",
    "release": "grader.release:main",
    "gradescope-bundle": "grader.gradescope:bundle_main",
}


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through `with Worker(...)`, which stops the worker


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _terminate)
    try:
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
