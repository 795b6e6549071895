"""The assignment file: what an instructor decides once, for every command that grades.

    # assignment.toml
    title = "Neural networks, week 3"  # the gradebook's and the LMS's column
    chapter = 2
    exercises = ["init_params", "mini_batches", "gradient_descent"]  # those that count
    seed = 20261203                    # everyone's random inputs; "fresh": new ones each time

    [points]                           # an exercise's points (default: the catalog's)
    gradient_descent = 4

    [training]
    points = 2                         # earned when training reaches the target (default 0)
    target = 0.95                      # dev accuracy to reach (default: the chapter's)

    [limits]
    call_seconds = 5                   # one call of a learner's function
    submission_seconds = 300           # grading one submission in a batch
    memory_mb = 2048

    [gradescope]                       # visibility: visible, hidden, after_due_date, after_published
    visibility = "visible"             # the whole result, the score included
    checks = "after_due_date"          # every exercise's test, or a table: exercise = visibility
    training = "visible"

    [release]
    last_hint = false                  # the student copy's hints stop at the second level

`python -m grader --assignment FILE` grades by it; batch, gradescope-bundle and release take
the same option and carry the file to where grading happens. Every key is checked: a misspelt
one is an error that names it, never a silent default.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.catalog import BY_NAME, BY_NUMBER, CHAPTER_OF, Chapter, Exercise, Verdict
from grader.limits import CALL_SECONDS, MEMORY_MB, SUBMISSION_SECONDS
from grader.results import Results
from grader.usage import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library
    import tomli as tomllib

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's
KEYS = {"": {"title", "chapter", "exercises", "seed", "points", "training", "limits",
             "gradescope", "release"},
        "training": {"points", "target"},
        "limits": {"call_seconds", "submission_seconds", "memory_mb"},
        "gradescope": {"visibility", "checks", "training"},
        "release": {"last_hint"}}


@dataclass(frozen=True)
class Assignment:
    chapter: Chapter
    exercises: tuple[Exercise, ...]  # those that count, in the chapter's order
    points: dict[str, float]  # exercise -> its points
    title: str = ""
    seed: int | None = None  # None: a fresh seed for every grading (every batch)
    training_points: float = 0.0
    target: float | None = None  # None: the chapter's
    call_seconds: float = CALL_SECONDS
    submission_seconds: float = SUBMISSION_SECONDS
    memory_mb: int = MEMORY_MB
    visibility: str = "visible"  # of the whole Gradescope result
    checks: dict[str, str] = field(default_factory=dict)  # exercise -> visibility of its test
    training_visibility: str = "visible"
    last_hint: bool = True
    source: str = ""  # the file's text, as the instructor wrote it

    @property
    def verdict(self) -> Verdict:
        return self.chapter.verdict if self.target is None else \
            replace(self.chapter.verdict, target=self.target)

    @property
    def max_score(self) -> float:
        return sum(self.points.values()) + self.training_points

    @property
    def column(self) -> str:
        return self.title or _title(self.chapter)

    def apply(self, results: Results) -> Results:
        """Give the results this assignment's points (exercises it does not count get 0)."""
        for ex in results.exercises:
            ex.points = self.points.get(ex.name, 0.0)
        results.training.points = self.training_points
        if results.training.target is None:  # not trained: the target it was to reach
            results.training.target = self.verdict.target
        return results

    def summary(self) -> dict[str, Any]:
        """What a gradebook keeps of it: enough to export points and to refuse a merge under
        another assignment."""
        return {"title": self.column, "chapter": self.chapter.number, "points": self.points,
                "training_points": self.training_points, "target": self.verdict.target,
                "seed": self.seed}


@dataclass(frozen=True)
class Scale:
    """What a gradebook's points are out of: its assignment's, or the chapter's."""
    points: dict[str, float]  # exercise -> points possible, in the chapter's order
    training: float  # points possible for training
    title: str  # the gradebook's column in an LMS

    @property
    def total(self) -> float:
        return sum(self.points.values()) + self.training


def scale(book: dict[str, Any], chapter: Chapter) -> Scale:
    """The Scale of a gradebook that batch wrote (`summary()` kept under "assignment")."""
    kept = book.get("assignment")
    numbers = (int, float)
    if isinstance(kept, dict) and isinstance(kept.get("points"), dict) \
            and all(type(v) in numbers for v in kept["points"].values()) \
            and type(kept.get("training_points")) in numbers:
        names = [ex.name for ex in chapter.exercises if ex.name in kept["points"]]
        return Scale({n: float(kept["points"][n]) for n in names}, float(kept["training_points"]),
                     str(kept.get("title") or "") or _title(chapter))
    return Scale({ex.name: ex.points for ex in chapter.exercises}, 0.0, _title(chapter))


def _title(chapter: Chapter) -> str:
    return f"Neural networks, chapter {chapter.number}"


def chosen_chapter(number: int | None, assignment: Assignment | None, path: Path | None
                   ) -> Chapter:
    """The chapter a command grades: --chapter's, the assignment's (UsageError when both are
    given and differ), else chapter 1."""
    if assignment is None:
        return BY_NUMBER[number if number is not None else min(BY_NUMBER)]
    if number is not None and number != assignment.chapter.number:
        raise UsageError(f"{path} is an assignment of chapter {assignment.chapter.number}: "
                         f"leave out --chapter {number}")
    return assignment.chapter


def load(path: Path) -> Assignment:
    """The assignment in `path`; UsageError, naming the file and the key, for anything wrong."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise UsageError(f"the assignment file {path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"the assignment file {path} is a folder") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read the assignment file {path} ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{path} is not a TOML file: {err}") from None
    try:
        return _parse(data, text)
    except _Bad as err:
        raise UsageError(f"{path}: {err}") from None


class _Bad(Exception):
    pass


def _parse(data: dict[str, Any], text: str) -> Assignment:
    for table, allowed in KEYS.items():
        found = data.get(table, {}) if table else data
        if not isinstance(found, dict):
            raise _Bad(f"[{table}] must be a table")
        unknown = sorted(set(found) - allowed)
        if unknown:
            where = f"[{table}] " if table else ""
            raise _Bad(f"{where}has no key {unknown[0]!r} (the keys are "
                       f"{', '.join(sorted(allowed))})")
    if "chapter" not in data:
        raise _Bad(f"chapter is missing (one of {', '.join(map(str, BY_NUMBER))})")
    number = data["chapter"]
    if type(number) is not int or number not in BY_NUMBER:
        raise _Bad(f"chapter = {number!r} is not one of {', '.join(map(str, BY_NUMBER))}")
    chapter = BY_NUMBER[number]
    exercises = _exercises(data.get("exercises"), chapter)
    points = {ex.name: ex.points for ex in exercises}
    for name, value in data.get("points", {}).items():
        if name not in points:
            raise _Bad(f"[points] {name} is not " + (
                "one of the assignment's exercises" if CHAPTER_OF.get(name) is chapter
                else f"an exercise of chapter {number}"))
        points[name] = _number(value, f"[points] {name}", 0, 1000)
    training, limits, scope = (data.get(t, {}) for t in ("training", "limits", "gradescope"))
    checks = scope.get("checks", "visible")
    if isinstance(checks, str):
        checks = {ex.name: checks for ex in exercises}
    elif isinstance(checks, dict):
        for name in checks:
            if name not in points:
                raise _Bad(f"[gradescope] checks: {name} is not one of the assignment's exercises")
        checks = {ex.name: checks.get(ex.name, "visible") for ex in exercises}
    else:
        raise _Bad("[gradescope] checks must be a visibility or a table of them by exercise")
    said = scope.get("checks", "visible")
    for name, value in [*((f"checks: {n}" if isinstance(said, dict) else "checks", v)
                          for n, v in checks.items()),
                        *((k, scope[k]) for k in ("visibility", "training") if k in scope)]:
        if not isinstance(value, str) or value not in VISIBILITIES:
            raise _Bad(f"[gradescope] {name} = {value!r} is not one of {', '.join(VISIBILITIES)}")
    last_hint = data.get("release", {}).get("last_hint", True)
    if type(last_hint) is not bool:
        raise _Bad("[release] last_hint must be true or false")
    title = data.get("title", "")
    if not isinstance(title, str) or len(title) > 200:
        raise _Bad("title must be text of at most 200 characters")
    return Assignment(
        chapter=chapter, exercises=exercises, points=points, title=title.strip(),
        seed=_seed(data.get("seed", "fresh")),
        training_points=_number(training.get("points", 0), "[training] points", 0, 1000),
        target=None if "target" not in training else
        _number(training["target"], "[training] target", 0, 1),
        call_seconds=_number(limits.get("call_seconds", CALL_SECONDS),
                             "[limits] call_seconds", 0, 3600, above=True),
        submission_seconds=_number(limits.get("submission_seconds", SUBMISSION_SECONDS),
                                   "[limits] submission_seconds", 0, 86400, above=True),
        memory_mb=int(_number(limits.get("memory_mb", MEMORY_MB), "[limits] memory_mb",
                              512, 1 << 20, whole=True)),
        visibility=scope.get("visibility", "visible"), checks=checks,
        training_visibility=scope.get("training", "visible"), last_hint=last_hint, source=text)


def _exercises(names: Any, chapter: Chapter) -> tuple[Exercise, ...]:
    if names is None:
        return chapter.exercises
    if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
        raise _Bad("exercises must be a list of exercise names, such as [\"relu\", \"softmax\"]")
    for name in names:
        if CHAPTER_OF.get(name) is not chapter:
            raise _Bad(f"exercises: {name!r} is not an exercise of chapter {chapter.number} "
                       f"({', '.join(ex.name for ex in chapter.exercises)})"
                       + (f"; it is chapter {CHAPTER_OF[name].number}'s" if name in BY_NAME else ""))
    if len(set(names)) != len(names):
        raise _Bad("exercises names one exercise twice")
    return tuple(ex for ex in chapter.exercises if ex.name in names)


def _seed(value: Any) -> int | None:
    if value == "fresh":
        return None
    if type(value) is int and 0 <= value < 2**32:
        return value
    raise _Bad(f"seed = {value!r} is neither \"fresh\" nor an integer from 0 to 2**32 - 1")


def _number(value: Any, name: str, low: float, high: float, *, above: bool = False,
            whole: bool = False) -> float:
    ok = type(value) in ((int,) if whole else (int, float)) and \
        (low < value if above else low <= value) and value <= high
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise _Bad(f"{name} = {value!r} is not {kind} {'above' if above else 'from'} {low:.10g} "
                   f"{'and at most' if above else 'to'} {high:.10g}")
    return float(value)
