"""`python -m grader release OUT`: the student copy of this repository.

The copy has the exercises as stubs, the grader, the data and the README, and no solutions/,
no tests/ (the project's own test suite grades the grader against solutions/, so it cannot run
without them) and no bench/ or .ci/. GitHub Classroom's autograding workflow, written from the
catalog, is installed as .github/workflows/classroom.yml, so a template repository made from
the copy grades every push. There are no hidden checks to leave out: every check the grader
runs is in grader/chapter*/, and a learner needs them to run `python -m grader` at home.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from grader.catalog import BY_NUMBER, CHAPTERS, EXERCISES, REPO, Chapter
from grader.engine import run_checks
from grader.results import Status
from grader.usage import Parser, UsageError, chapter_argument
from grader.worker import Worker

LEFT_OUT = {"solutions", "tests", "bench", ".ci", ".github", ".git"}
WORKFLOW = ".github/workflows/classroom.yml"
_JUNK = {"__pycache__", "build", "dist"}  # what a copy without git leaves out, with dot folders


def student_files(repo: Path = REPO) -> dict[str, Path]:
    """Relative path in the student copy -> file to copy, sorted."""
    files = {name: repo / name for name in _project_files(repo)
             if name.split("/", 1)[0] not in LEFT_OUT and (repo / name).is_file()}
    return dict(sorted(files.items()))


def classroom_workflow(chapters: tuple[Chapter, ...] = CHAPTERS) -> str:
    """GitHub Classroom's autograding workflow: one step per exercise of the chapters, worth
    its points (the command exits 0 exactly when that exercise passes), and a 0-point step per
    chapter that trains."""
    steps = []
    for chapter in chapters:
        steps += [(ex.name, ex.name, f"python -m grader {ex.name}", 2, ex.points)
                  for ex in chapter.exercises]
        steps.append((f"training{chapter.number}", f"chapter {chapter.number} training (0 points)",
                      f"python -m grader --chapter {chapter.number}",
                      max(5, round(chapter.verdict.budget / 60) + 3), 0))
    lines = [
        "# GitHub Classroom autograding, written by `python -m grader release` from the catalog:",
        "# make the released copy the assignment's template repository, and every push of a",
        "# student's repository is graded. One step per exercise, worth its points: the command",
        "# exits 0 exactly when that exercise passes. The training step is worth 0 points; it",
        "# shows whether the learner's network trains.",
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
                        "default: every chapter)")
    args = p.parse_args(argv)
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
    (out / WORKFLOW).parent.mkdir(parents=True, exist_ok=True)
    chapters = tuple(BY_NUMBER[n] for n in sorted(set(args.chapter))) if args.chapter \
        else CHAPTERS
    (out / WORKFLOW).write_text(classroom_workflow(chapters))
    print(f"wrote the student copy to {args.out} ({len(files) + 1} files). Try it: cd {args.out} && "
          "python -m grader")
    return 0
