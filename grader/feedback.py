"""`python -m grader feedback GRADES.json OUT`: one Markdown file per student, to send back.

Each file says what was graded (the file, the chapter, the seed and the command that reproduces
the grading), the result of every exercise and of training, and for each exercise that failed
or stopped: the likely cause, every failed check's message and the first hint. It is written
from the gradebook that `batch` wrote (merged or not), so it never runs learner code. What a
submission's code made the grader say (names, messages) is shown as code, never as Markdown.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from grader.batch import GRADED, read_gradebook
from grader.catalog import BY_NAME, BY_NUMBER
from grader.usage import Parser, UsageError, backup_path

SHOWN = 3  # failed checks written out per exercise, as the terminal report shows them


def _code(text: str) -> str:
    """`text` as an inline code span, whatever backticks it holds."""
    text = " ".join(str(text).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(text: str) -> str:
    """`text` as an indented code block: shown as it is."""
    return "\n".join("    " + line for line in str(text).splitlines() or [""])


def _points(exercise: dict) -> str:
    return f"{exercise.get('score', 0):g}/{exercise.get('max_score', 0):g}"


def _training(training: dict) -> str:
    status = training.get("status", "?")
    dev = training.get("dev_accuracy")
    said = f"{status}" + (f", dev accuracy {dev:.3f}" if isinstance(dev, float) else "")
    target = training.get("target")
    return said + (f" (target {target:g})" if isinstance(target, float) else "")


def student_feedback(row: dict[str, Any], chapter: int) -> str:
    """The Markdown file of one gradebook row."""
    name = row["student"]
    lines = [f"# Feedback for {_code(name)}: chapter {chapter}", ""]
    if row.get("status") != GRADED or not isinstance(row.get("grading"), dict):
        return "\n".join(lines + [f"Your submission {_code(row.get('path', '?'))} could not be "
                                  f"graded: {_code(row.get('message') or row.get('status'))}. "
                                  "Ask your instructor.", ""])
    grading = row["grading"]
    seed = grading.get("seed")
    lines += [f"**Score: {row['score']:g}/{row['max_score']:g}**", "",
              f"Graded: {_code(row.get('path', '?'))}, with the random inputs of seed {seed}. "
              f"To see the same report: {_code(f'python -m grader --chapter {chapter} --submission YOUR_FILE --seed {seed}')}.",
              "", "| exercise | result | points |", "|---|---|---|"]
    exercises = [e for e in grading.get("exercises", []) if isinstance(e, dict)]
    for e in exercises:
        lines.append(f"| {_code(e.get('name'))} | {e.get('status', '?').replace('_', ' ')} | "
                     f"{_points(e)} |")
    training = grading.get("training") if isinstance(grading.get("training"), dict) else {}
    lines += [f"| training | {_training(training)} | |", ""]
    for e in exercises:
        if e.get("status") not in ("failed", "error"):
            continue
        lines += [f"## {e.get('name')}: {e.get('status')} ({_points(e)})", ""]
        if e.get("diagnosis"):
            lines += ["Likely cause:", "", _block(e["diagnosis"]), ""]
        if e.get("message"):
            lines += [_block(e["message"]), ""]
        failed = [c for c in e.get("checks", []) if isinstance(c, dict)
                  and c.get("status") == "failed"]
        for check in failed[:SHOWN]:
            lines += [f"Check {_code(check.get('name'))}:", "", _block(check.get("message", "")),
                      ""]
        if len(failed) > SHOWN:
            lines += [f"... and {len(failed) - SHOWN} more failed checks (the command above "
                      "shows them all with -v).", ""]
        ex = BY_NAME.get(e.get("name"))
        if ex is not None:
            lines += [f"Hint: {ex.hints[0]}", ""]
    if training.get("message"):
        lines += ["## Training", "", _block(training["message"]), ""]
    return "\n".join(lines)


def _file_name(student: str, taken: set[str]) -> str:
    """A file name for the student's feedback, unique among `taken`."""
    stem = re.sub(r"[^\w.-]+", "_", student).strip("._") or "student"
    name, n = f"{stem}.md", 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}.md"
    taken.add(name.lower())
    return name


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader feedback",
               description="Write one Markdown feedback file per student from the gradebook "
               "that batch wrote (GRADES.json, next to its CSV).")
    p.add_argument("grades", type=Path, metavar="GRADES.json")
    p.add_argument("out", type=Path, metavar="OUT", help="the folder to write them into")
    p.add_argument("--force", action="store_true",
                   help="if OUT exists, move it to a timestamped backup first")
    args = p.parse_args(argv)
    book = read_gradebook(args.grades)
    if BY_NUMBER.get(book["chapter"]) is None:
        raise UsageError(f"{args.grades} is the gradebook of chapter {book['chapter']}, which "
                         "this grader does not have")
    if not args.out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: the folder {args.out.parent} does not exist")
    if args.out.exists():
        if not args.force:
            raise UsageError(f"{args.out} already exists; pass --force to move it to a backup "
                             "and write a new one")
        backup = backup_path(args.out)
        shutil.move(args.out, backup)
        print(f"moved the existing {args.out} to {backup}")
    args.out.mkdir()
    taken: set[str] = set()
    for row in book["submissions"]:
        (args.out / _file_name(row["student"], taken)).write_text(
            student_feedback(row, book["chapter"]), encoding="utf-8", errors="backslashreplace")
    n = len(book["submissions"])
    print(f"wrote {n} feedback file{'s' if n != 1 else ''} into {args.out}")
    return 0
