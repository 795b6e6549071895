"""The grader module of each exercise, found from the catalog: `grader.chapter<N>.<name>`.

Imported only in the grader process: these modules hold the reference implementations.
"""

from __future__ import annotations

import importlib
import importlib.util
import types
from collections.abc import Callable
from pathlib import Path

from grader.catalog import grader_module


def module(name: str) -> types.ModuleType:
    return importlib.import_module(grader_module(name))


def reference(name: str) -> Callable:
    return module(name).reference


def check_file(name: str) -> Path:
    """The file pytest collects the exercise's checks from (found, not imported: pytest imports
    it and reports a module that fails to)."""
    return Path(importlib.util.find_spec(grader_module(name)).origin)
