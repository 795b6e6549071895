"""Gradescope: its results.json from a grading run, and the autograder zip that writes it.

Gradescope builds an image from the zip (running setup.sh once, as root), then for every
submission runs `run_autograder` in /autograder, with the student's files in
/autograder/submission; what it finds in /autograder/results/results.json is the grade.
The format: https://gradescope-autograders.readthedocs.io/en/latest/specs/

Every exercise is one test worth its points. Training is one more test, worth 0 points, that
passes or fails: the Gradescope score is then exactly the score of `python -m grader --json`
(training already needs all seven exercises to pass, so points for it would count them twice).
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from grader.catalog import BY_NAME, EXERCISES
from grader.results import ERROR, NOT_STARTED, PASSED, SKIPPED, TARGET_ACCURACY, Results

OUTPUT_LIMIT = 1000  # characters of what a learner's code printed that go into a test's output

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
/autograder/venv/bin/python -m pip install -e /autograder/source
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, as root; the grader writes results/results.json.
# AUTOGRADER_ROOT and AUTOGRADER_PYTHON let the same script run anywhere (the tests do).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT/source"
# Learner code runs as a user of its own, which must not read the reference solutions here
# (Landlock hides them too, where the kernel has it).
chmod -R go-rwx "$ROOT/source"
exec "$PYTHON" -m grader.gradescope "$ROOT"
"""


# --------------------------------------------------------------------------- results.json

def results_json(results: Results) -> dict[str, Any]:
    """Gradescope's results.json for one grading run."""
    tests = [_exercise_test(ex) for ex in results.exercises] + [_training_test(results)]
    for number, test in enumerate(tests, 1):
        test["number"] = str(number)
    training = results.training.to_dict()
    training.pop("history", None)
    return {
        "score": sum(t["score"] for t in tests),
        "execution_time": math.ceil(results.seconds),
        "output": _summary(results),
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the grader's report, for instructors
        "tests": tests,
        "extra_data": {"seed": results.seed, "max_score": results.max_score,
                       "training": training},
    }


def write_results(path: Path, results: Results) -> None:
    """Write results.json, replacing whatever is there (a file a submission planted included)."""
    text = json.dumps(results_json(results), indent=2)
    fd, temp = tempfile.mkstemp(prefix=".results-", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(temp, 0o644)
    os.replace(temp, path)  # replaces a planted symlink itself, never the file it points to


def _exercise_test(ex) -> dict[str, Any]:
    failed = [c for c in ex.checks if c.status != PASSED]
    if ex.status == PASSED:
        output = f"All {len(ex.checks)} checks passed."
    elif ex.status == NOT_STARTED:
        output = ("Not started: the function is missing or still raises NotImplementedError."
                  + (f"\n{ex.message}" if ex.message else ""))
    elif ex.status == ERROR:
        output = f"Error: {ex.message}"
    else:
        output = f"{len(failed)} of {len(ex.checks)} checks failed.\n" + "".join(
            f"\nx {c.name}\n  {c.message}\n" for c in failed)
    if ex.printed:
        output += f"\n\nYour code printed:\n{ex.printed[:OUTPUT_LIMIT]}"
    return {"name": f"{ex.name}: {BY_NAME[ex.name].summary}", "score": ex.score,
            "max_score": ex.max_score, "status": "passed" if ex.status == PASSED else "failed",
            "output": output, "visibility": "visible"}


def _training_test(results: Results) -> dict[str, Any]:
    t = results.training
    if t.status == SKIPPED:
        output = ("Not run: your network is trained once all seven exercises pass."
                  if results.exit_code else "Not run.")
    else:
        output = t.message
        if t.dev_accuracy is not None:
            test = "" if t.test_accuracy is None else f", test accuracy {t.test_accuracy:.3f}"
            output = (f"Dev accuracy {t.dev_accuracy:.3f} (target {TARGET_ACCURACY:.2f}){test}, "
                      f"{t.steps} steps in {t.seconds:.1f} s.\n{output}").strip()
    return {"name": f"training: your network reaches {TARGET_ACCURACY:.0%} accuracy on "
                    "held-out digits (0 points)",
            "score": 0.0, "max_score": 0.0, "status": "passed" if t.status == PASSED else "failed",
            "output": output, "visibility": "visible"}


def _summary(results: Results) -> str:
    passed = sum(ex.status == PASSED for ex in results.exercises)
    return (f"Score {results.score:g}/{results.max_score:g}: {passed} of {len(results.exercises)} "
            f"exercises pass; training {results.training.status}. Random inputs from seed "
            f"{results.seed}: `python -m grader --seed {results.seed}` repeats them.")


# --------------------------------------------------------------------------- run_autograder

def autograde(root: Path) -> int:
    """What run_autograder does: grade the submission found in ROOT/submission, write
    ROOT/results/results.json, and print the report (Gradescope keeps stdout for instructors).
    A submission that cannot be graded still gets a results.json that says why. Exit status 0
    whenever results.json is written: the grade is in it. When the grader itself cannot run
    learner code safely, it writes none and fails, so Gradescope reports the autograder failed
    instead of a score."""
    from grader.batch import locate
    from grader.cli import UsageError, grade
    from grader.sandbox import SandboxError

    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    submission = locate(root / "submission")
    try:
        if submission is None:
            raise UsageError("the submission holds no .py file, folder of exercises or .ipynb "
                             "notebook (symbolic links are not followed)")
        grade(["--submission", str(submission), "--gradescope", str(results)])
        return 0
    except SandboxError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        results.write_text(json.dumps({
            "score": 0.0, "output": f"Your submission could not be graded: {err}.",
            "visibility": "visible",
            "tests": [{"name": f"{ex.name}: {ex.summary}", "score": 0.0, "max_score": ex.points,
                       "status": "failed", "output": "Not graded.", "visibility": "visible"}
                      for ex in EXERCISES]}, indent=2))
        return 0


# --------------------------------------------------------------------------- the zip

def bundle_main(argv: list[str]) -> int:
    """`python -m grader gradescope-bundle OUT.zip`: the autograder to upload to Gradescope."""
    from grader.cli import Parser, UsageError
    from grader.release import check_stubs, student_files

    p = Parser(prog="python -m grader gradescope-bundle",
               description="Build the autograder zip of a Gradescope programming assignment: "
               "setup.sh, run_autograder and this package (without solutions/ and tests/).")
    p.add_argument("out", type=Path, metavar="OUT.zip")
    p.add_argument("--force", action="store_true",
                   help="overwrite OUT.zip; bundle exercises/ even if it is not all stubs")
    args = p.parse_args(argv)
    if args.out.suffix != ".zip":
        raise UsageError(f"{args.out} should end in .zip")
    if args.out.exists() and not args.force:
        raise UsageError(f"{args.out} already exists; pass --force to overwrite it")
    if not args.out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: the folder {args.out.parent} does not exist")
    if not args.force:
        check_stubs()  # the exercises/ in the zip are readable by every submission it grades
    files = student_files()
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            _add(z, name, text.encode(), 0o755)
        for name, source in files.items():
            _add(z, name, source.read_bytes(), 0o644)
    print(f"wrote {args.out} ({len(files) + 2} files): upload it as the autograder of a "
          "Gradescope programming assignment")
    return 0


def _add(z: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same bytes every time
    info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


if __name__ == "__main__":
    sys.exit(autograde(Path(sys.argv[1])))
