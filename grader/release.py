"""`python -m grader release OUT`: the student copy of this repository.

The copy has the exercises as stubs, the grader, the data and the README, and no solutions/,
no tests/ (the project's own test suite grades the grader against solutions/, so it cannot run
without them) and no bench/, docs/ or .ci/. GitHub Classroom's autograding workflow, written
from the catalog, is installed as .github/workflows/classroom.yml, so a template repository
made from the copy grades every push. There are no hidden checks to leave out: every check the grader
runs is in grader/chapter*/, and a learner needs them to run `python -m grader` at home.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

from grader.assignment import Assignment, chosen_chapter, load
from grader.catalog import BY_NUMBER, CHAPTERS, EXERCISES, REPO, Chapter
from grader.engine import run_checks
from grader.results import Status
from grader.usage import Parser, UsageError, add_assignment_option, chapter_argument
from grader.worker import Worker

LEFT_OUT = {"solutions", "tests", "bench", "docs", ".ci", ".github", ".git"}
WORKFLOW = ".github/workflows/classroom.yml"
ASSIGNMENT = "assignment.toml"  # where the copy keeps the assignment file
CATALOG = "grader/catalog.py"
WITHHELD = ("The last hint level, the line to write, is not in this course's copy: the first "
            "two and the docstring are enough; ask your instructor if you are stuck.")
_JUNK = {"__pycache__", "build", "dist"}  # what a copy without git leaves out, with dot folders


def student_files(repo: Path = REPO) -> dict[str, Path]:
    """Relative path in the student copy -> file to copy, sorted."""
    files = {name: repo / name for name in _project_files(repo)
             if name.split("/", 1)[0] not in LEFT_OUT and (repo / name).is_file()}
    return dict(sorted(files.items()))


def classroom_workflow(chapters: tuple[Chapter, ...] = CHAPTERS,
                       assignment: Assignment | None = None) -> str:
    """GitHub Classroom's autograding workflow: one step per exercise of the chapters (the
    assignment's), worth its points (the command exits 0 exactly when that exercise passes),
    and a step per chapter that trains, worth 0 points (the assignment's training points; it
    exits 0 when every exercise passes and training reaches the target)."""
    steps = []
    for chapter in ((assignment.chapter,) if assignment else chapters):
        by = f" --assignment {ASSIGNMENT}" if assignment else ""
        points = assignment.points if assignment else {ex.name: ex.points
                                                       for ex in chapter.exercises}
        steps += [(ex.name, ex.name, f"python -m grader {ex.name}{by}", 2, points[ex.name])
                  for ex in (assignment.exercises if assignment else chapter.exercises)]
        worth = assignment.training_points if assignment else 0
        steps.append((f"training{chapter.number}",
                      f"chapter {chapter.number} training ({worth:g} points)",
                      f"python -m grader{by or f' --chapter {chapter.number}'}",
                      max(5, round(chapter.verdict.budget / 60) + 3), worth))
    lines = [
        "# GitHub Classroom autograding, written by `python -m grader release` from the catalog:",
        "# make the released copy the assignment's template repository, and every push of a",
        "# student's repository is graded. One step per exercise, worth its points: the command",
        "# exits 0 exactly when that exercise passes. The training step shows whether the",
        "# learner's network trains; it is worth what the assignment gives it (0 without one).",
        "name: Autograding Tests", "'on':", "- push", "- repository_dispatch",
        "- workflow_dispatch", "permissions:", "  checks: write", "  actions: read",
        "  contents: read", "jobs:", "  run-autograding-tests:", "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'", "    steps:",
        "    - name: Checkout code", "      uses: actions/checkout@v4",
        "    - name: Set up Python", "      uses: actions/setup-python@v5", "      with:",
        "        python-version: '3.11'", "    - name: Install the grader",
        "      run: python -m pip install -e ."]
    for step, test, command, minutes, points in steps:
        lines += [f"    - name: {step}", f"      id: {step}",
                  "      uses: classroom-resources/autograding-command-grader@v1", "      with:",
                  f"        test-name: {test}", f"        command: {command}",
                  f"        timeout: {minutes}", f"        max-score: {points:g}"]
    lines += ["    - name: Autograding Reporter",
              "      uses: classroom-resources/autograding-grading-reporter@v1", "      env:"]
    lines += [f'        {step.upper()}_RESULTS: "${{{{steps.{step}.outputs.result}}}}"'
              for step, *_ in steps]
    lines += ["      with:", f"        runners: {','.join(step for step, *_ in steps)}"]
    return "\n".join(lines) + "\n"


def _project_files(repo: Path) -> list[str]:
    """The files git knows of (tracked, or new and not ignored); every file without git."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=repo, capture_output=True, check=True).stdout
        return sorted({name for name in out.decode().split("\0") if name})
    except (OSError, subprocess.CalledProcessError):  # no git, or not a repository
        return sorted(str(p.relative_to(repo)).replace("\\", "/") for p in repo.rglob("*")
                      if p.is_file() and not any(part.startswith(".") or part in _JUNK
                                                 or part.endswith(".egg-info")
                                                 for part in p.relative_to(repo).parts)
                      and p.suffix != ".pyc")


def without_last_hints(source: str) -> str:
    """The catalog's source with every exercise's last hint replaced by WITHHELD. ValueError
    when some exercise's hints are not a literal tuple there (the edit would miss them)."""
    data = source.encode()
    lines = [0]
    for line in data.splitlines(keepends=True):
        lines.append(lines[-1] + len(line))
    spans = [(lines[last.lineno - 1] + last.col_offset, lines[last.end_lineno - 1]
              + last.end_col_offset)  # ast's columns count UTF-8 bytes
             for node in ast.walk(ast.parse(source)) if isinstance(node, ast.keyword)
             and node.arg == "hints" and isinstance(node.value, ast.Tuple)
             for last in node.value.elts[-1:]]
    if len(spans) != len(EXERCISES):
        raise ValueError(f"found {len(spans)} literal hint tuples for {len(EXERCISES)} exercises")
    for start, end in sorted(spans, reverse=True):
        data = data[:start] + repr(WITHHELD).encode() + data[end:]
    return data.decode()


def check_stubs(folder: Path = REPO / "exercises") -> None:
    """Refuse (UsageError) unless every exercise in `folder` is not started: a stub that raises
    NotImplementedError, as the grader itself sees it."""
    with Worker(folder) as worker:
        results = run_checks(worker, list(EXERCISES), seed=0)
    started = [r.name for r in results if r.status != Status.NOT_STARTED]
    if started:
        raise UsageError(f"{folder / (started[0] + '.py')} is not a stub (the grader finds it "
                         f"{next(r.status for r in results if r.name == started[0])}); restore "
                         "the stubs (git checkout exercises/) or pass --force")


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader release",
               description="Write the student copy of this repository into OUT: exercises as "
               "stubs, no solutions/ and no tests/, GitHub Classroom's autograding workflow.")
    p.add_argument("out", type=Path, metavar="OUT", help="a new or empty folder")
    p.add_argument("--force", action="store_true",
                   help="release exercises/ even if some of it is filled in")
    p.add_argument("--chapter", type=chapter_argument, action="append", metavar="N",
                   help="grade only this chapter in the Classroom workflow (repeat for several; "
                        "default: the assignment's, else every chapter)")
    add_assignment_option(p)
    args = p.parse_args(argv)
    rules = load(args.assignment) if args.assignment else None
    if rules is not None:
        for number in set(args.chapter or ()):
            chosen_chapter(number, rules, args.assignment)
    out = args.out.resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{args.out} exists and is not an empty folder")
    if out == REPO or REPO in out.parents:
        raise UsageError(f"{args.out} is inside the repository; release outside it")
    if not args.force:
        check_stubs()
    files = student_files()
    for name, source in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, out / name)
    written = [WORKFLOW]
    if rules is not None:
        (out / ASSIGNMENT).write_text(rules.source, encoding="utf-8")
        written.append(ASSIGNMENT)
        if not rules.last_hint:
            (out / CATALOG).write_text(without_last_hints((REPO / CATALOG).read_text()))
    (out / WORKFLOW).parent.mkdir(parents=True, exist_ok=True)
    chapters = tuple(BY_NUMBER[n] for n in sorted(set(args.chapter))) if args.chapter \
        else CHAPTERS
    (out / WORKFLOW).write_text(classroom_workflow(chapters, rules))
    print(f"wrote the student copy to {args.out} ({len(set(files) | set(written))} files)"
          + (f", graded by {ASSIGNMENT} ({rules.max_score:g} points"
             + (", without the last hint level" if not rules.last_hint else "") + ")"
             if rules else "")
          + f". Try it: cd {args.out} && python -m grader"
          + (f" --assignment {ASSIGNMENT}" if rules else ""))
    return 0
