"""PrairieLearn's external grader: the image that `prairielearn-bundle` writes, and what it runs.

PrairieLearn runs the question's grading image once per submission, with the student's files in
/grade/student, and reads /grade/results/results.json: a score in [0, 1] and a list of tests
(name, description, points, max_points, message, output), rendered by
<pl-external-grader-results>. The grading itself is the Gradescope autograder's (each exercise
a test worth its points, training a test worth 0), written in PrairieLearn's form. A submission
with nothing to grade is "not gradable" (no attempt is used up); when the grader cannot run
learner code safely it writes nothing and fails, so PrairieLearn reports a grading failure, not
a score.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from grader.catalog import BY_NUMBER, CHAPTERS, Chapter
from grader.cli import grade
from grader.gradescope import write_json
from grader.locate import find
from grader.release import check_stubs, student_files
from grader.sandbox import SandboxError
from grader.usage import Parser, UsageError, chapter_argument, internal_error

DOCKERFILE = """\
# The grading image of a PrairieLearn question: this package and what it needs, installed once.
FROM python:3.11-slim
COPY . /nn_grader
# Learner code runs as a user of its own, which must not read the grader's files (Landlock hides
# them too, where the kernel has it); PrairieLearn runs the container as root.
RUN python -m pip install --no-cache-dir -e /nn_grader && chmod -R go-rwx /nn_grader
ENTRYPOINT ["/nn_grader/run.sh"]
"""

RUN_SH = """\
#!/bin/sh
# PrairieLearn runs this for every submission; the grader writes /grade/results/results.json.
exec python -m grader.prairielearn "${GRADE_ROOT:-/grade}" {chapter}
"""

INFO_JSON = {"externalGradingOptions": {
    "enabled": True, "image": "YOUR-REGISTRY/nn-grader-chapter{chapter}",
    "entrypoint": "/nn_grader/run.sh", "timeout": 300}}


def from_gradescope(gradescope: dict[str, Any], max_score: float) -> dict[str, Any]:
    """PrairieLearn's results.json from Gradescope's (grader.gradescope.results_json)."""
    tests = [{"name": t["name"].split(": ", 1)[0], "description": t["name"].partition(": ")[2],
              "points": t["score"], "max_points": t["max_score"],
              "message": t["status"], "output": t.get("output", "")}
             for t in gradescope.get("tests", [])]
    return {"gradable": True, "score": round(gradescope["score"] / max_score, 6) if max_score
            else 0.0, "message": gradescope.get("output", ""), "tests": tests}


def grade_job(root: Path, chapter: Chapter = CHAPTERS[0]) -> int:
    """Grade ROOT/student and write ROOT/results/results.json; exit status 0 whenever it is
    written (the grade is in it)."""
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        submission = find(root / "student")
        if submission is None:
            write_json(results, {"gradable": False, "format_errors": [
                "Your submission holds no .py file, folder of exercises or .ipynb notebook."]})
            return 0
        with tempfile.TemporaryDirectory() as folder:
            gradescope = Path(folder) / "results.json"
            grade(["--submission", str(submission), "--gradescope", str(gradescope),
                   "--chapter", str(chapter.number)])
            write_json(results, from_gradescope(json.loads(gradescope.read_text()),
                                                chapter.max_score))
        return 0
    except SandboxError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        write_json(results, {"gradable": False, "format_errors": [
            f"Your submission could not be graded: {err}."]})
        return 0
    except Exception as err:  # a bug of the grader's: not the student's attempt
        why = f"the grader could not grade this submission because of {internal_error(err)}"
        print(f"error: {why}", file=sys.stderr)
        write_json(results, {"gradable": False, "format_errors": [
            f"{why[0].upper()}{why[1:]}; please tell your instructor."]})
        return 0


def bundle_main(argv: list[str]) -> int:
    """`python -m grader prairielearn-bundle OUT`: the grading image's build folder."""
    p = Parser(prog="python -m grader prairielearn-bundle",
               description="Write the build folder of a PrairieLearn external-grading image: "
               "a Dockerfile, run.sh, this package (without solutions/ and tests/) and the "
               "question's info.json settings.")
    p.add_argument("out", type=Path, metavar="OUT")
    p.add_argument("--force", action="store_true",
                   help="write into an existing OUT; bundle exercises/ even if not all stubs")
    p.add_argument("--chapter", type=chapter_argument, default=CHAPTERS[0].number, metavar="N",
                   help="the chapter each submission is graded and trained on (default 1)")
    args = p.parse_args(argv)
    if args.out.exists() and not args.force:
        raise UsageError(f"{args.out} already exists; pass --force to write into it")
    if not args.out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: the folder {args.out.parent} does not exist")
    if not args.force:
        check_stubs()  # the exercises/ in the image are readable by every submission it grades
    files = student_files()
    info = json.loads(json.dumps(INFO_JSON).replace("{chapter}", str(args.chapter)))
    written = {"Dockerfile": DOCKERFILE, "run.sh": RUN_SH.replace("{chapter}", str(args.chapter)),
               "info.json": json.dumps(info, indent=2) + "\n"}
    for name, source in files.items():
        target = args.out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    for name, text in written.items():
        (args.out / name).write_text(text)
    (args.out / "run.sh").chmod(0o755)
    print(f"wrote {args.out} ({len(files) + len(written)} files): build it (docker build -t "
          f"YOUR-REGISTRY/nn-grader-chapter{args.chapter} {args.out}), push it, and put "
          "info.json's externalGradingOptions in the question's info.json")
    return 0


if __name__ == "__main__":
    sys.exit(grade_job(Path(sys.argv[1]), BY_NUMBER[int(sys.argv[2]) if len(sys.argv) > 2
                                                     else 1]))
