"""`python -m grader release OUT`: the student copy of this repository.

The copy has the exercises as stubs, the grader, the data and the README, and no solutions/,
no tests/ (the project's own test suite grades the grader against solutions/, so it cannot run
without them) and no bench/ or .ci/. GitHub Classroom's autograding workflow is installed as
.github/workflows/classroom.yml, so a template repository made from the copy grades every push.
There are no hidden checks to leave out: every check the grader runs is in grader/checks/, and
a learner needs them to run `python -m grader` at home.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LEFT_OUT = {"solutions", "tests", "bench", ".ci", ".github", ".git"}
WORKFLOW = (".github/classroom/autograding.yml", ".github/workflows/classroom.yml")
_JUNK = {"__pycache__", "build", "dist"}  # what a copy without git leaves out, with dot folders


def student_files(repo: Path = REPO) -> dict[str, Path]:
    """Relative path in the student copy -> file to copy, sorted."""
    files = {name: repo / name for name in _project_files(repo)
             if name.split("/", 1)[0] not in LEFT_OUT and (repo / name).is_file()}
    source, target = WORKFLOW
    if (repo / source).is_file():
        files[target] = repo / source
    return dict(sorted(files.items()))


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
    from grader.catalog import EXERCISES
    from grader.cli import UsageError
    from grader.engine import run_checks
    from grader.results import NOT_STARTED
    from grader.worker import Worker

    with Worker(folder) as worker:
        results = run_checks(worker, list(EXERCISES), seed=0)
    started = [r.name for r in results if r.status != NOT_STARTED]
    if started:
        raise UsageError(f"{folder / (started[0] + '.py')} is not a stub (the grader finds it "
                         f"{next(r.status for r in results if r.name == started[0])}); restore "
                         "the stubs (git checkout exercises/) or pass --force")


def main(argv: list[str]) -> int:
    from grader.cli import Parser, UsageError

    p = Parser(prog="python -m grader release",
               description="Write the student copy of this repository into OUT: exercises as "
               "stubs, no solutions/ and no tests/, GitHub Classroom's autograding workflow.")
    p.add_argument("out", type=Path, metavar="OUT", help="a new or empty folder")
    p.add_argument("--force", action="store_true",
                   help="release exercises/ even if some of it is filled in")
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
    print(f"wrote the student copy to {args.out} ({len(files)} files). Try it: cd {args.out} && "
          "python -m grader")
    return 0
