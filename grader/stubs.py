"""The stub of each exercise, written from its catalog record: `exercises/` holds these.

`reset` and the notebook use them, and `dev-check` makes sure `exercises/` still equals them
(`dev-check --write` writes them), so a stub is never copied by hand.
"""

from __future__ import annotations

import inspect
import textwrap

from grader.catalog import Exercise

WIDTH = 95  # the longest line of a signature


def _signature(ex: Exercise) -> list[str]:
    """`def name(a: T, b: T) -> R:`, wrapped under its opening parenthesis."""
    outputs = [v.type for v in ex.outputs]
    returns = outputs[0] if len(outputs) == 1 else f"tuple[{', '.join(outputs)}]"
    head = f"def {ex.name}("
    parts = [v.annotation() + "," for v in ex.inputs]
    parts[-1] = parts[-1][:-1] + f") -> {returns}:"
    lines, line = [], head
    for part in parts:
        candidate = part if line.endswith("(") else f"{line} {part}"
        if line.endswith("(") or len(candidate) <= WIDTH:
            line = line + part if line.endswith("(") else candidate
        else:
            lines.append(line)
            line = " " * len(head) + part
    if len(line) > WIDTH and ") -> " in line:  # the return type on a line of its own
        line, returns = line.split(") -> ", 1)
        lines, line = lines + [line], " " * len(head) + f") -> {returns}"
    return lines + [line]


def stub_source(ex: Exercise, imports: bool = True) -> str:
    """The stub file of `ex`: NumPy, its calls imported from their files (unless `imports` is
    False, as in a notebook), the signature, the docstring, `raise NotImplementedError()`."""
    doc = inspect.cleandoc(ex.doc).splitlines()
    body = [f'    """{doc[0]}', *(f"    {line}".rstrip() for line in doc[1:]), '    """',
            "    raise NotImplementedError()"]
    header = ["import numpy as np", ""]
    if any("Callable" in (v.type or "") for v in ex.inputs):
        header[:0] = ["from collections.abc import Callable", ""]
    if imports and ex.calls:
        header += [f"from .{name} import {name}" for name in ex.calls] + [""]
    return "\n".join([*header, "", *_signature(ex), *body]) + "\n"


def package_init(names: list[str]) -> str:
    """The `__init__.py` of an exercises folder: what is in it, in order."""
    text = (f"Your exercises, in order: {', '.join(names)}. Each lives in its own file; replace "
            "`raise NotImplementedError()` with your code, then run `python -m grader` to "
            "check it.")
    wrapped = textwrap.fill(text, width=WIDTH + 1, break_on_hyphens=False, break_long_words=False)
    return f'"""{wrapped}"""\n'

