"""The limits learner code runs under, in one place: every command takes them from `Limits`."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

CALL_SECONDS = 5.0
LOAD_EXTRA = 10.0  # loading a submission may take this much longer than one call (imports)
SUBMISSION_SECONDS = 120.0
MEMORY_MB = 2048  # address space of a worker: NumPy and OpenBLAS need about 200 MB, training 100


@dataclass(frozen=True)
class Limits:
    call: float = CALL_SECONDS  # one call of a learner's function
    load: float = CALL_SECONDS + LOAD_EXTRA  # loading the submission's files
    training: float = 120.0  # the whole training run (a chapter's verdict budget)
    submission: float = SUBMISSION_SECONDS  # grading one submission in a batch, wall clock
    memory_mb: int = MEMORY_MB  # per worker process (NN_GRADER_MEMORY_MB in its environment)

    @classmethod
    def from_environment(cls) -> Limits:
        """The defaults, with the memory a batch gives each submission (NN_GRADER_MEMORY_MB)."""
        return cls(memory_mb=int(os.environ.get("NN_GRADER_MEMORY_MB") or MEMORY_MB))

    def with_call(self, seconds: float) -> Limits:
        """These limits with another per-call time (--timeout): loading keeps its margin."""
        return replace(self, call=seconds, load=seconds + LOAD_EXTRA)
