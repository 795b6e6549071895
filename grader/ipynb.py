"""Reading a .ipynb file's code cells, for grading a notebook submission (no nbformat needed:
this also runs inside the worker)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

MAX_MB = 20  # parsed, JSON this size may take 25 times as much memory


class NotANotebook(ValueError):
    """A --submission .ipynb file that cannot be read as a notebook: one sentence."""


def code_cells(path: Path) -> list[tuple[int, str]]:
    """(number, source) of each code cell; cells are numbered from 1 counting every cell."""
    try:
        data = _read(path)
    except OSError as err:
        raise NotANotebook(f"cannot read {path}: {err.strerror}") from None
    try:
        nb = json.loads(data)
    except json.JSONDecodeError as err:
        raise NotANotebook(f"{path} is not a notebook: it is not valid JSON ({err.msg} at line "
                           f"{err.lineno}, column {err.colno})") from None
    except UnicodeDecodeError:
        raise NotANotebook(f"{path} is not a notebook: it is not JSON text") from None
    except RecursionError:
        raise NotANotebook(f"{path} is not a notebook: its JSON is nested too deeply to "
                           "read") from None
    except ValueError:  # an integer of more digits than Python converts
        raise NotANotebook(f"{path} is not a notebook: it holds a number too long to "
                           "read") from None
    if not isinstance(nb, dict):
        raise NotANotebook(f"{path} is JSON but not a Jupyter notebook (it is not a JSON object)")
    version = nb.get("nbformat")
    if type(version) is int and version < 4:
        raise NotANotebook(f"{path} is an nbformat {version} notebook; open and save it in a "
                           "recent Jupyter to convert it to nbformat 4")
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise NotANotebook(f"{path} is JSON but not a Jupyter notebook (it has no list of cells)")
    found = []
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotANotebook(f"{path} is not a valid notebook: the source of cell {number} is "
                               "not text")
        found.append((number, source))
    return found


def _read(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_MB; NotANotebook for anything else (a FIFO
    would block a plain open, and /dev/zero never ends)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotANotebook(f"{path} is not a notebook: it is not a regular file")
        data = f.read(MAX_MB * 2**20 + 1)
    if len(data) > MAX_MB * 2**20:
        raise NotANotebook(f"{path} is larger than {MAX_MB} MB: clear its outputs in Jupyter "
                           "and save it")
    return data
