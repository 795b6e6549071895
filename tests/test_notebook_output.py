"""What a notebook's cells show when a plain Jupyter kernel runs them (as nbclient and nbconvert
do): train() shows each result once, as pictures beside its text verdict, and no plain-text
output carries terminal escape codes."""

from __future__ import annotations

import re

import pytest
from nbformat import NotebookNode, v4

from conftest import NAMES
from test_notebook import execute, kernel_folder, plain, solution

ESCAPE = "\x1b["


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> NotebookNode:
    """check() and train() on the solutions, in a kernel that has neither NO_COLOR nor a
    terminal: what a learner's Jupyter has."""
    for module in ("nbclient", "jupyter_client", "ipykernel", "matplotlib"):
        pytest.importorskip(module, reason="running a notebook with figures needs the dev "
                            'extras: python -m pip install -e ".[dev]"')
    kernels = kernel_folder(tmp_path_factory.mktemp("kernels"), {})
    nb = v4.new_notebook(cells=[v4.new_code_cell(source) for source in (
        "import numpy as np\nfrom grader.notebook import check, train",
        *(solution(name) for name in NAMES), 'check("relu")', "train(seed=1)")])
    with pytest.MonkeyPatch.context() as mp:
        for variable in ("NO_COLOR", "FORCE_COLOR"):
            mp.delenv(variable, raising=False)
        return execute(nb, kernels, tmp_path_factory.mktemp("cwd"))


def texts(cell: NotebookNode) -> list[str]:
    """Every plain-text form the cell's outputs carry: streams and text/plain."""
    return [o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
            for o in cell.outputs]


def test_train_shows_pictures_and_its_verdict_once(run: NotebookNode):
    trained = run.cells[-1]
    pictures = [o.data["image/png"] for o in trained.outputs if "image/png" in o.get("data", {})]
    assert len(pictures) == len(set(pictures)) == 3  # curve, confusion matrix, digits
    shown = plain(trained)
    assert len(re.findall(r"PASS\s+training\s+dev accuracy", shown)) == 1, shown
    assert shown.count("Score ") == 1, shown
    for table in ("Learning curve", "Confusion matrix", "Dev digits"):  # drawn in the pictures
        assert table not in shown, shown
    said = [t for t in texts(trained) if t.strip()]
    assert len(said) == len(set(said)), said


def test_plain_text_outputs_carry_no_escape_codes(run: NotebookNode):
    checked, trained = run.cells[-2:]
    for cell in (checked, trained):
        assert re.search(r"PASS\s+relu\s", plain(cell))
        for text in texts(cell):
            assert ESCAPE not in text, repr(text)
    html = "".join(o.get("data", {}).get("text/html", "") for o in checked.outputs)
    assert "<span style=" in html, html  # the HTML beside the plain text keeps its colours
