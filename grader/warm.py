"""What batch's forkserver (grader.pool) loads once for every grader it forks: the exercises'
check modules, which pytest then finds imported, and the shipped digits, which `Data.load`
then finds loaded. Nothing here may fail the forkserver: a file that cannot be read is read,
and its error told, by the grader that needs it."""

from __future__ import annotations

import contextlib
import importlib

from grader import data
from grader.catalog import CHAPTERS
from grader.training import Data

for _chapter in CHAPTERS:
    for _exercise in _chapter.exercises:
        with contextlib.suppress(Exception):  # pytest reports a check module that fails
            importlib.import_module(f"{_chapter.package}.{_exercise.name}")
    with contextlib.suppress(Exception):
        Data.load(data.DATA_DIR / _chapter.verdict.train_file,
                  data.DATA_DIR / _chapter.verdict.test_file, _chapter.verdict.dev_size)
