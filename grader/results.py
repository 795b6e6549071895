"""The one small structure a grading run produces; the report, the JSON and exit codes read it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from grader.catalog import BY_NAME


class Status(str, Enum):
    """How an exercise, a check or training ended; written to JSON as its value."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_STARTED = "not_started"  # the function is missing or raises NotImplementedError
    ERROR = "error"  # the learner's code raised, looped, exited or crashed
    SKIPPED = "skipped"  # training that could not run

    __str__ = str.__str__
    __format__ = str.__format__


@dataclass
class CheckResult:
    name: str
    status: Status  # passed | failed
    message: str = ""


@dataclass
class ExerciseResult:
    name: str
    status: Status = Status.PASSED  # passed | failed | not_started | error
    message: str = ""  # why it is error / not started
    causes: list[str] = field(default_factory=list)  # the known mistakes its output matches
    note: str = ""  # found under another name, or with other parameters
    checks: list[CheckResult] = field(default_factory=list)
    printed: str = ""  # what the learner's code printed during the checks, if anything
    warnings: list[str] = field(default_factory=list)  # what NumPy warned of, file and line
    points: float | None = None  # what passing earns; None: the catalog's (an assignment's else)

    @property
    def diagnosis(self) -> str:
        return "; ".join(self.causes)

    @property
    def max_score(self) -> float:
        return BY_NAME[self.name].points if self.points is None else self.points

    @property
    def score(self) -> float:
        return self.max_score if self.status == Status.PASSED else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "score": self.score,
                "max_score": self.max_score, "message": self.message, "diagnosis": self.diagnosis,
                "causes": self.causes, "note": self.note, "warnings": self.warnings,
                "checks": [asdict(c) for c in self.checks]}


@dataclass
class TrainingResult:
    status: Status = Status.SKIPPED  # passed | failed | skipped | error
    message: str = ""
    dev_accuracy: float | None = None
    test_accuracy: float | None = None
    target: float | None = None  # the dev accuracy to reach
    seconds: float = 0.0
    epochs: int = 0
    steps: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # more JSON fields
    predictions: dict[str, Any] = field(default_factory=dict)  # arrays for the report, not JSON
    params: dict[str, Any] = field(default_factory=dict)  # the trained network's, not JSON
    points: float = 0.0  # what reaching the target earns: 0 unless an assignment says so

    @property
    def score(self) -> float:
        return self.points if self.status == Status.PASSED else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("predictions")
        data.pop("params")
        data["max_score"] = data.pop("points")
        data.update(data.pop("extra"), score=self.score)
        return data


@dataclass
class Results:
    exercises: list[ExerciseResult]
    training: TrainingResult = field(default_factory=TrainingResult)
    seed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # about the submission as a whole
    error: str = ""  # why the grader could not finish grading, when it could not

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises) + self.training.score

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises) + self.training.points

    @property
    def exit_code(self) -> int:
        ok = all(e.status == Status.PASSED for e in self.exercises)
        return 0 if ok and self.training.status in (Status.PASSED, Status.SKIPPED) else 1

    def to_dict(self) -> dict[str, Any]:
        data = {"score": self.score, "max_score": self.max_score, "seed": self.seed,
                "seconds": round(self.seconds, 3), "notes": self.notes,
                "exercises": [e.to_dict() for e in self.exercises],
                "training": self.training.to_dict()}
        return data | {"error": self.error} if self.error else data
