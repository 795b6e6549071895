"""Reading a .ipynb file's code cells, for grading a notebook submission (no nbformat needed:
this also runs inside the worker)."""

from __future__ import annotations

import json
from pathlib import Path


class NotANotebook(ValueError):
    """A --submission .ipynb file that cannot be read as a notebook: one sentence."""


def code_cells(path: Path) -> list[tuple[int, str]]:
    """(number, source) of each code cell; cells are numbered from 1 counting every cell."""
    try:
        nb = json.loads(path.read_bytes())
    except OSError as err:
        raise NotANotebook(f"cannot read {path}: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise NotANotebook(f"{path} is not a notebook: it is not valid JSON ({err.msg} at line "
                           f"{err.lineno}, column {err.colno})") from None
    except ValueError:  # bytes that are not UTF-8/16/32 text
        raise NotANotebook(f"{path} is not a notebook: it is not JSON text") from None
    version = nb.get("nbformat") if isinstance(nb, dict) else None
    if isinstance(version, int) and version < 4:
        raise NotANotebook(f"{path} is an nbformat {version} notebook; open and save it in a "
                           "recent Jupyter to convert it to nbformat 4")
    cells = nb.get("cells") if isinstance(nb, dict) else None
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
