"""The limits learner code runs under, in one place: every command takes them from `Limits`."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

CALL_SECONDS = 5.0
LOAD_EXTRA = 10.0  # loading a submission may take this much longer than one call (imports)
SUBMISSION_SECONDS = 120.0
MEMORY_MB = 2048  # of a submission: NumPy and OpenBLAS need about 200 MB, training 100
SCRATCH_MB = 128  # what a submission may write (its scratch folder; as root, each private /tmp)
BUSY = 2  # processes of a submission that may run at once (NumPy runs on one thread)


@dataclass(frozen=True)
class Limits:
    call: float = CALL_SECONDS  # one call of a learner's function
    load: float = CALL_SECONDS + LOAD_EXTRA  # loading the submission's files
    training: float = 120.0  # the whole training run (a chapter's verdict budget)
    submission: float = SUBMISSION_SECONDS  # grading one submission in a batch, wall clock
    # Memory: each process's address space, and all of a submission's processes' resident
    # memory together (NN_GRADER_MEMORY_MB in the worker's environment).
    memory_mb: int = MEMORY_MB
    scratch_mb: int = SCRATCH_MB  # files in the scratch folder (NN_GRADER_SCRATCH_MB)
    busy: int = BUSY  # processes running at once, for longer than half a second

    @classmethod
    def from_environment(cls, memory_mb: int | None = None) -> Limits:
        """The defaults, with the memory a batch gives each submission (NN_GRADER_MEMORY_MB),
        else `memory_mb` (an assignment's)."""
        return cls(memory_mb=int(os.environ.get("NN_GRADER_MEMORY_MB") or memory_mb or MEMORY_MB))

    def with_call(self, seconds: float) -> Limits:
        """These limits with another per-call time (--timeout): loading keeps its margin."""
        return replace(self, call=seconds, load=seconds + LOAD_EXTRA)
