"""Gradescope's autograder: the zip that `gradescope-bundle` builds, and what it runs.

Gradescope builds an image from the zip (running setup.sh once, as root), then for every
submission runs `run_autograder` in /autograder, with the student's files in
/autograder/submission; what it finds in /autograder/results/results.json (grader.gradescope)
is the grade.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from grader.assignment import chosen_chapter, load
from grader.catalog import BY_NUMBER, CHAPTERS, Chapter
from grader.cli import grade
from grader.gradescope import write_failure
from grader.locate import find
from grader.release import check_stubs, student_files
from grader.sandbox import SandboxError
from grader.usage import (Parser, UsageError, add_assignment_option, chapter_argument,
                          internal_error)

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
exec "$PYTHON" -m grader.autograder "$ROOT" {chapter}{assignment}
"""
ASSIGNMENT = "assignment.toml"  # where the bundle keeps the assignment file, in source/


# --------------------------------------------------------------------------- run_autograder

def autograde(root: Path, chapter: Chapter = CHAPTERS[0], assignment: Path | None = None) -> int:
    """What run_autograder does: grade the submission found in ROOT/submission (by the
    `assignment` file, if given), write ROOT/results/results.json, and print the report
    (Gradescope keeps stdout for instructors).
    A submission that cannot be graded still gets a results.json that says why. Exit status 0
    whenever results.json is written: the grade is in it. When the grader itself cannot run
    learner code safely, it writes none and fails, so Gradescope reports the autograder failed
    instead of a score."""
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    rules = None
    try:
        rules = load(assignment) if assignment else None  # the bundle checked it
        submission = find(root / "submission")
        if submission is None:
            raise UsageError("the submission holds no .py file, folder of exercises or .ipynb "
                             "notebook (symbolic links are not followed)")
        grade(["--submission", str(submission), "--gradescope", str(results),
               "--chapter", str(chapter.number)]
              + (["--assignment", str(assignment)] if assignment else []))
        return 0
    except SandboxError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        write_failure(results, f"Your submission could not be graded: {err}.", chapter, rules)
        return 0
    except Exception as err:  # a bug of the grader's: still a grade, which says so
        why = f"the grader could not grade this submission because of {internal_error(err)}"
        print(f"error: {why}", file=sys.stderr)
        write_failure(results, f"{why[0].upper()}{why[1:]}; please report this.", chapter, rules)
        return 0


# --------------------------------------------------------------------------- the zip

def bundle_main(argv: list[str]) -> int:
    """`python -m grader gradescope-bundle OUT.zip`: the autograder to upload to Gradescope."""
    p = Parser(prog="python -m grader gradescope-bundle",
               description="Build the autograder zip of a Gradescope programming assignment: "
               "setup.sh, run_autograder and this package (without solutions/ and tests/).")
    p.add_argument("out", type=Path, metavar="OUT.zip")
    p.add_argument("--force", action="store_true",
                   help="overwrite OUT.zip; bundle exercises/ even if it is not all stubs")
    p.add_argument("--chapter", type=chapter_argument, metavar="N",
                   help="the chapter each submission is graded and trained on (default: the "
                        "assignment's, else 1)")
    add_assignment_option(p)
    args = p.parse_args(argv)
    rules = load(args.assignment) if args.assignment else None
    chapter = chosen_chapter(args.chapter, rules, args.assignment)
    if args.out.suffix != ".zip":
        raise UsageError(f"{args.out} should end in .zip")
    if args.out.exists() and not args.force:
        raise UsageError(f"{args.out} already exists; pass --force to overwrite it")
    if not args.out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: the folder {args.out.parent} does not exist")
    if not args.force:
        check_stubs()  # the exercises/ in the zip are readable by every submission it grades
    files: dict[str, bytes] = {name: source.read_bytes()
                               for name, source in student_files().items()}
    if rules is not None:  # graded by the assignment, which the zip carries as written
        files[ASSIGNMENT] = rules.source.encode()
    run = RUN_AUTOGRADER.replace("{chapter}", str(chapter.number)).replace(
        "{assignment}", f' "$ROOT/source/{ASSIGNMENT}"' if rules else "")
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", run)):
            _add(z, name, text.encode(), 0o755)
        for name, data in sorted(files.items()):
            _add(z, name, data, 0o644)
    print(f"wrote {args.out} ({len(files) + 2} files): upload it as the autograder of a "
          f"Gradescope programming assignment (chapter {chapter.number}"
          + (f", graded by {args.assignment}: {rules.max_score:g} points)" if rules else ")"))
    return 0


def _add(z: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same bytes every time
    info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


if __name__ == "__main__":
    sys.exit(autograde(Path(sys.argv[1]), BY_NUMBER[int(sys.argv[2]) if len(sys.argv) > 2 else 1],
                       Path(sys.argv[3]) if len(sys.argv) > 3 else None))
