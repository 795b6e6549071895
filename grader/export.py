"""`python -m grader export GRADES.json OUT.csv [--format points|canvas|moodle] [--roster CSV]`:
the gradebook that batch wrote, as a file a spreadsheet or an LMS imports.

- points: one row per student, the points of every exercise and the chapter's total.
- canvas: Canvas's gradebook import layout: Student, ID, SIS User ID, SIS Login ID, Section,
  then the assignment's column, a "Points Possible" row first; students are matched to their
  Canvas ids through the roster.
- moodle: Moodle's CSV grade import: an identifier column (email address, username or ID
  number, from the roster) and the assignment's column, to map at import.

The roster is a CSV file with a `submission` column (the student's name in the gradebook: the
entry's name without .py, .ipynb or .zip) and the LMS's columns (name, id, sis_user_id,
sis_login_id, section for Canvas; email, username or idnumber for Moodle). A student of the
gradebook missing from the roster, or of the roster without a grade, is said, never dropped in
silence.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from grader.batch import GRADED, cell, read_gradebook
from grader.assignment import scale
from grader.catalog import BY_NUMBER, Chapter
from grader.usage import Parser, UsageError, backup_path

CANVAS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_ROSTER = ("name", "id", "sis_user_id", "sis_login_id", "section")
MOODLE_IDS = (("email", "Email address"), ("username", "Username"), ("idnumber", "ID number"))


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """submission -> its roster row (keys lower-cased); UsageError when it is not one."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise UsageError(f"the roster {path} does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise UsageError(f"cannot read the roster {path}: {err}") from None
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in rows]
    if not rows or "submission" not in rows[0]:
        raise UsageError(f"the roster {path} needs a header with a 'submission' column (the "
                         "students' names in the gradebook) and one row per student")
    roster: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, 2):
        name = row["submission"]
        if not name:
            raise UsageError(f"the roster {path}, line {number}: its submission is empty")
        if name in roster:
            raise UsageError(f"the roster {path}, line {number}: {name!r} is listed twice")
        roster[name] = row
    return roster


def points_rows(book: dict[str, Any], chapter: Chapter,
                roster: dict[str, dict[str, str]] | None) -> tuple[list[str], list[list[Any]]]:
    """One column per exercise that counts (and training, when it earns points), then the
    total, out of the gradebook's assignment's points (the catalog's without one)."""
    possible = scale(book, chapter)
    trains = ["training"] if possible.training else []
    extra = [k for k in next(iter(roster.values()), {}) if k != "submission"] if roster else []
    header = ["student", *extra, *possible.points, *trains, f"chapter {chapter.number}",
              "max_score", "status"]
    out = [["(points possible)", *[""] * len(extra), *possible.points.values(),
            *([possible.training] if trains else []), possible.total, possible.total, ""]]
    for row in book["submissions"]:
        grading = row.get("grading", {}) if row.get("status") == GRADED else {}
        points = {e.get("name"): e.get("score", 0.0) for e in grading.get("exercises", [])
                  if isinstance(e, dict)}
        training = grading.get("training") if isinstance(grading.get("training"), dict) else {}
        mine = (roster or {}).get(row["student"], {})
        out.append([row["student"], *(mine.get(k, "") for k in extra),
                    *(points.get(name, 0.0) for name in possible.points),
                    *([training.get("score", 0.0)] if trains else []),
                    row.get("score", 0.0), row.get("max_score", possible.total),
                    row.get("status", "")])
    return header, out


def canvas_rows(book: dict[str, Any], chapter: Chapter, roster: dict[str, dict[str, str]],
                assignment: str) -> tuple[list[str], list[list[Any]]]:
    if not any(k in next(iter(roster.values())) for k in ("id", "sis_user_id", "sis_login_id")):
        raise UsageError("a Canvas export needs the roster's id, sis_user_id or sis_login_id "
                         "column: Canvas matches students by one of them")
    scores = {r["student"]: r.get("score", 0.0) for r in book["submissions"]}
    out = [["Points Possible", "", "", "", "", scale(book, chapter).total]]
    for name, person in roster.items():
        out.append([*(person.get(k, "") for k in CANVAS_ROSTER), scores.get(name, "")])
    return [*CANVAS, assignment], out


def moodle_rows(book: dict[str, Any], roster: dict[str, dict[str, str]],
                assignment: str) -> tuple[list[str], list[list[Any]]]:
    first = next(iter(roster.values()))
    key, title = next(((k, t) for k, t in MOODLE_IDS if k in first), (None, None))
    if key is None:
        raise UsageError("a Moodle export needs the roster's email, username or idnumber "
                         "column: Moodle's import identifies students by one of them")
    scores = {r["student"]: r.get("score", 0.0) for r in book["submissions"]}
    return [title, assignment], [[person[key], scores.get(name, "")]
                                 for name, person in roster.items()]


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader export",
               description="Write the gradebook that batch wrote (GRADES.json) as points per "
               "exercise, or in the layout that Canvas or Moodle imports.")
    p.add_argument("grades", type=Path, metavar="GRADES.json")
    p.add_argument("out", type=Path, metavar="OUT.csv")
    p.add_argument("--format", choices=("points", "canvas", "moodle"), default="points")
    p.add_argument("--roster", type=Path, metavar="CSV", help="submission names to LMS ids "
                   "(needed by canvas and moodle)")
    p.add_argument("--assignment", metavar="NAME",
                   help="the assignment's column (default: the assignment file's title, else "
                        "'Neural networks, chapter N')")
    p.add_argument("--force", action="store_true",
                   help="if OUT.csv exists, move it to a timestamped backup first")
    args = p.parse_args(argv)
    book = read_gradebook(args.grades)
    chapter = BY_NUMBER.get(book["chapter"])
    if chapter is None:
        raise UsageError(f"{args.grades} is the gradebook of chapter {book['chapter']}, which "
                         "this grader does not have")
    if args.format != "points" and args.roster is None:
        raise UsageError(f"--format {args.format} needs --roster CSV: which {args.format} user "
                         "each submission is")
    if not args.out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: the folder {args.out.parent} does not exist")
    if args.out.exists() and not args.force:
        raise UsageError(f"{args.out} already exists; pass --force to move it to a backup and "
                         "write a new one")
    roster = read_roster(args.roster) if args.roster else None
    assignment = args.assignment or scale(book, chapter).title
    if args.format == "canvas":
        header, rows = canvas_rows(book, chapter, roster, assignment)
    elif args.format == "moodle":
        header, rows = moodle_rows(book, roster, assignment)
    else:
        header, rows = points_rows(book, chapter, roster)
    if args.out.exists():
        args.out.rename(backup_path(args.out))
    with args.out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([cell(v) for v in row] for row in rows)
    graded = {r["student"] for r in book["submissions"]}
    print(f"wrote {args.out} ({args.format}, {len(book['submissions'])} students graded)")
    if roster is not None:
        missing = "not exported" if args.format != "points" else "exported without their ids"
        for students, what in ((sorted(graded - set(roster)), f"not in the roster, {missing}"),
                               (sorted(set(roster) - graded), "in the roster without a grade"
                                + (", left blank" if args.format != "points" else ""))):
            if students:
                print(f"{what} ({len(students)}): {', '.join(students)}")
    return 0
