"""Gradescope's results.json from a grading run.

The format: https://gradescope-autograders.readthedocs.io/en/latest/specs/
Every exercise is one test worth its points. Training is one more test that passes or fails,
worth 0 points unless an assignment file gives it some (training needs every function to run,
so points for it count that work twice): the Gradescope score is exactly the score of
`python -m grader --json`. An assignment also sets each test's visibility.
The autograder zip that writes it is grader.autograder's.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.catalog import BY_NAME, CHAPTER_OF, CHAPTERS, Chapter
from grader.results import Results, Status

if TYPE_CHECKING:
    from grader.assignment import Assignment

OUTPUT_LIMIT = 1000  # characters of what a learner's code printed that go into a test's output

# --------------------------------------------------------------------------- results.json

def results_json(results: Results, assignment: Assignment | None = None) -> dict[str, Any]:
    """Gradescope's results.json for one grading run (with the assignment's visibilities)."""
    tests = [_exercise_test(ex) for ex in results.exercises] + [_training_test(results)]
    for number, test in enumerate(tests, 1):
        test["number"] = str(number)
    if assignment is not None:
        for ex, test in zip(results.exercises, tests):
            test["visibility"] = assignment.checks.get(ex.name, "visible")
        tests[-1]["visibility"] = assignment.training_visibility
    training = results.training.to_dict()
    training.pop("history", None)
    return {
        "score": sum(t["score"] for t in tests),
        "execution_time": math.ceil(results.seconds),
        "output": _summary(results),
        "visibility": assignment.visibility if assignment else "visible",
        "stdout_visibility": "hidden",  # the grader's report, for instructors
        "tests": tests,
        "extra_data": {"seed": results.seed, "max_score": results.max_score,
                       "training": training},
    }


def write_results(path: Path, results: Results, assignment: Assignment | None = None) -> None:
    """Write results.json, replacing whatever is there (a file a submission planted included)."""
    write_json(path, results_json(results, assignment))


def write_failure(path: Path, output: str, chapter: Chapter = CHAPTERS[0],
                  assignment: Assignment | None = None) -> None:
    """results.json for a submission that could not be graded: 0 points for each of the
    chapter's exercises (the assignment's), and `output` says why."""
    exercises = assignment.exercises if assignment else chapter.exercises
    points = assignment.points if assignment else {ex.name: ex.points for ex in exercises}
    tests = [{"name": f"{ex.name}: {ex.summary}", "score": 0.0, "max_score": points[ex.name],
              "status": "failed", "output": "Not graded.",
              "visibility": assignment.checks[ex.name] if assignment else "visible"}
             for ex in exercises]
    if assignment is not None and assignment.training_points:
        tests.append({"name": "training", "score": 0.0, "max_score": assignment.training_points,
                      "status": "failed", "output": "Not graded.",
                      "visibility": assignment.training_visibility})
    write_json(path, {"score": 0.0, "output": output,
                      "visibility": assignment.visibility if assignment else "visible",
                      "tests": tests})


def write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2)
    fd, temp = tempfile.mkstemp(prefix=".results-", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(temp, 0o644)
    os.replace(temp, path)  # replaces a planted symlink itself, never the file it points to


def _exercise_test(ex) -> dict[str, Any]:
    failed = [c for c in ex.checks if c.status != Status.PASSED]
    if ex.status == Status.PASSED:
        output = f"All {len(ex.checks)} checks passed."
    elif ex.status == Status.NOT_STARTED:
        output = ("Not started: the function is missing or still raises NotImplementedError."
                  + (f"\n{ex.message}" if ex.message else ""))
    elif ex.status == Status.ERROR:
        output = f"Error: {ex.message}"
    else:
        output = f"{len(failed)} of {len(ex.checks)} checks failed.\n" + "".join(
            f"\nx {c.name}\n  {c.message}\n" for c in failed)
    if ex.diagnosis and ex.status == Status.ERROR:  # failed checks carry theirs already
        output += f"\nLikely cause: {ex.diagnosis}"
    if ex.printed:
        output += f"\n\nYour code printed:\n{ex.printed[:OUTPUT_LIMIT]}"
    if ex.warnings:
        output += "\n\nWarnings:\n" + "\n".join(ex.warnings)
    if ex.note:
        output = f"Note: {ex.note}\n\n{output}"
    return {"name": f"{ex.name}: {BY_NAME[ex.name].summary}", "score": ex.score,
            "max_score": ex.max_score, "status": "passed" if ex.status == Status.PASSED else "failed",
            "output": output, "visibility": "visible"}


def _training_test(results: Results) -> dict[str, Any]:
    t = results.training
    if t.status == Status.SKIPPED:
        output = (t.message[0].upper() + t.message[1:] + "." if t.message else "Not run.")
    else:
        output = t.message
        if t.dev_accuracy is not None:
            test = "" if t.test_accuracy is None else f", test accuracy {t.test_accuracy:.3f}"
            output = (f"Dev accuracy {t.dev_accuracy:.3f} (target {t.target:g}){test}, "
                      f"{t.steps} steps in {t.seconds:.1f} s.\n{output}").strip()
    target = t.target if t.target is not None else \
        CHAPTER_OF[results.exercises[0].name].verdict.target if results.exercises else 0.0
    return {"name": f"training: your network reaches {target * 100:g}% accuracy on "
                    f"held-out digits ({t.points:g} points)",
            "score": t.score, "max_score": t.points,
            "status": "passed" if t.status == Status.PASSED else "failed",
            "output": output, "visibility": "visible"}


def _summary(results: Results) -> str:
    if results.error:
        return results.error[0].upper() + results.error[1:] + "."
    passed = sum(ex.status == Status.PASSED for ex in results.exercises)
    return (f"Score {results.score:g}/{results.max_score:g}: {passed} of {len(results.exercises)} "
            f"exercises pass; training {results.training.status}. Random inputs from seed "
            f"{results.seed}: `python -m grader --seed {results.seed}` repeats them."
            + "".join(f"\nNote: {note}" for note in results.notes))
