"""The notebook route (issue 6): writing the learner notebook of each chapter, running it for
real in a Jupyter kernel (with the stubs, then with the solutions filled in), and grading .ipynb
submissions."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode, v4

from conftest import NAMES, REPO, SOLUTIONS, run_grader
from grader.catalog import BY_NAME, BY_NUMBER, CHAPTERS
from grader.stubs import stub_source
from grader.worksheet import earlier_exercises, train_call
from test_cli import assert_usage_error

KERNEL = "nn-grader-test"
CHECK_CELL = re.compile(r'^check\("(\w+)"\)$')
CHAPTER_2 = BY_NUMBER[2]
NAMES_2 = tuple(ex.name for ex in CHAPTER_2.exercises)
EARLIER_2 = tuple(ex.name for ex in earlier_exercises(CHAPTER_2))  # relu .. update_params


def plain(cell: NotebookNode) -> str:
    """Everything a code cell showed, as plain text without colour codes."""
    parts = [o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
             for o in cell.get("outputs", [])]
    return re.sub(r"\x1b\[[0-9;]*m", "", "".join(parts))


def images(cell: NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def without_relative_imports(source: str) -> str:
    return re.sub(r"^from \.\w+ import \w+\n", "", source, flags=re.M)


def kernel_folder(folder: Path, env: dict[str, str]) -> Path:
    """A kernelspec in `folder` running this interpreter with `env`, whatever other 'python3'
    kernels are installed. PYTHONPATH: the kernel finds the grader even in a checkout that is
    not pip-installed."""
    (folder / KERNEL).mkdir()
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "nn-grader tests", "language": "python",
            "env": {"PYTHONPATH": str(REPO), **env}}
    (folder / KERNEL / "kernel.json").write_text(json.dumps(spec))
    return folder


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Running notebooks needs the dev extras (nbclient, ipykernel): without them, skipped."""
    for module in ("nbclient", "jupyter_client", "ipykernel"):
        pytest.importorskip(module, reason="running a notebook in a kernel needs the dev extras: "
                            'python -m pip install -e ".[dev]"')
    return kernel_folder(tmp_path_factory.mktemp("kernels"), {"NO_COLOR": "1"})


def execute(nb: NotebookNode, kernels: Path, cwd: Path) -> NotebookNode:
    """Run every cell in a fresh kernel started in `cwd`; a cell that raises fails the test."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    km = KernelManager(kernel_name=KERNEL,
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MPLBACKEND", raising=False)  # the kernel's own inline backend draws pictures
        try:
            NotebookClient(nb, km=km, timeout=120, resources={"metadata": {"path": str(cwd)}}
                           ).execute()
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    return nb


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """`python -m grader notebook [--chapter N]` run in an empty folder outside the repository,
    for every chapter: each under its default name."""
    folder = tmp_path_factory.mktemp("learner")
    written = {}
    for chapter in CHAPTERS:
        run = run_grader(["notebook", "--chapter", str(chapter.number)], folder / "tmp",
                         cwd=folder)
        assert run.returncode == 0, run.stderr
        [name] = re.findall(r"wrote (\S+\.ipynb)", run.stdout)
        written[chapter.number] = folder / name
    assert written[1].name == "nn_from_scratch.ipynb" and written[2].name == "nn_chapter2.ipynb"
    return written


@pytest.fixture(scope="module")
def generated(notebooks: dict[int, Path]) -> Path:
    return notebooks[1]


@pytest.fixture(scope="module")
def stubs_run(generated: Path, kernels: Path) -> NotebookNode:
    """The generated notebook as written, plus cells a learner might add, executed."""
    nb = nbformat.read(generated, as_version=4)
    nb.cells += [
        v4.new_code_cell("EPS = 0.0\n\n\ndef _clip(Z):\n    return np.maximum(Z, EPS)\n\n\n"
                         "def relu(Z):\n    return _clip(Z)"),
        v4.new_code_cell('check("relu")'),
        v4.new_code_cell("def softmax(Z):\n    E = np.exp(Z)\n    return E.nope"),
        v4.new_code_cell('check("softmax")'),
        v4.new_code_cell("def ReLU_deriv(Z):\n    return Z > 0"),  # the notebook's own name
        v4.new_code_cell('check("relu_deriv")'),
    ]
    return execute(nb, kernels, generated.parent)


def solved(generated: Path, folder: Path, skip: tuple[str, ...] = ()) -> tuple[Path, list[str]]:
    """The generated notebook with every stub cell replaced by the solutions of the functions it
    defines (a cell of several stubs by all of theirs), but those of a cell that defines one
    of `skip`; and the names filled, in order."""
    nb = nbformat.read(generated, as_version=4)
    filled = []
    for cell in nb.cells:
        names = re.findall(r"^def (\w+)\(", cell.source, re.M)
        if cell.cell_type == "code" and names and "raise NotImplementedError()" in cell.source \
                and not set(names) & set(skip):
            cell.source = "\n\n".join(map(solution, names))
            filled += names
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "solved.ipynb"
    nbformat.write(nb, path)
    return path, filled


@pytest.fixture(scope="module")
def solutions_notebook(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated notebook with every stub cell replaced by the solution."""
    path, filled = solved(generated, tmp_path_factory.mktemp("solved"))
    assert filled == list(NAMES)
    return path


@pytest.fixture(scope="module")
def solutions_run(solutions_notebook: Path, kernels: Path) -> NotebookNode:
    return execute(nbformat.read(solutions_notebook, as_version=4), kernels,
                   solutions_notebook.parent)


@pytest.fixture(scope="module")
def solutions_run_2(notebooks: dict[int, Path], kernels: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> NotebookNode:
    """The chapter-2 notebook filled in and executed; then gradient_descent made a stub again,
    with grader.notebook's train bound in the kernel, and checked."""
    path, _ = solved(notebooks[2], tmp_path_factory.mktemp("solved2"))
    nb = nbformat.read(path, as_version=4)
    nb.cells += [v4.new_code_cell("from grader.notebook import train\n\n\n"
                                  + stub_source(BY_NAME["gradient_descent"], imports=False)),
                 v4.new_code_cell('check("gradient_descent")')]
    return execute(nb, kernels, path.parent)


def check_cells(cells: list[NotebookNode]) -> dict[str, NotebookNode]:
    return {m[1]: c for c in cells if c.cell_type == "code" and (m := CHECK_CELL.match(c.source))}


# --------------------------------------------------------------------------- writing it

@pytest.mark.parametrize("number", [c.number for c in CHAPTERS])
def test_generated_notebook(notebooks: dict[int, Path], number: int):
    chapter = BY_NUMBER[number]
    nb = nbformat.read(notebooks[number], as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert list(check_cells(nb.cells)) == [ex.name for ex in chapter.exercises]
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    text = html.unescape("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    for ex in chapter.exercises:
        [stub] = [s for s in code if f"def {ex.name}(" in s]
        assert "from ." not in stub
        original = stub_source(ex)
        assert stub[stub.index("def "):] == original[original.index("def "):].strip()
        assert f"`{ex.name}` ({ex.points:g} point" in text
        for hint in ex.hints:
            assert hint in text
    assert code[-1] == train_call(chapter) and code[-1].endswith(
        "train()" if number == 1 else f"train(chapter={number})")
    assert "show_digits()" in code


def test_chapter_2_notebook_holds_chapter_1(notebooks: dict[int, Path]):
    """gradient_descent runs the learner's chapter-1 functions: their cell comes first, with a
    stub of each and a check of them all, and nothing binds a `train` it would be taken for."""
    nb = nbformat.read(notebooks[2], as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert EARLIER_2 == ("relu", "relu_deriv", "softmax", "one_hot", "forward_prop",
                         "backward_prop", "update_params")
    [earlier] = [i for i, s in enumerate(code) if "def forward_prop(" in s]
    assert tuple(re.findall(r"^def (\w+)\(", code[earlier], re.M)) == EARLIER_2
    assert code[earlier].count("raise NotImplementedError()") == len(EARLIER_2)
    assert code[earlier + 1] == "check(" + ", ".join(f'"{n}"' for n in EARLIER_2) + ")"
    assert earlier < min(i for i, s in enumerate(code) if "def init_params(" in s)
    assert not any(re.search(r"import .*\btrain\b", s) for s in code), code
    text = html.unescape("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    for said in ("He initialisation", "mini-batch", "epoch", "accuracy",
                 "Your functions from chapter 1", "graded as one file",
                 "python -m grader --chapter 2 --submission nn_chapter2.ipynb",
                 f"at least {CHAPTER_2.verdict.target:.0%}"):
        assert said in text, said


def test_chapter_2_stubs_are_not_started(notebooks: dict[int, Path], tmp_path: Path):
    run = run_grader(["--chapter", "2", "--no-train", "--submission", str(notebooks[2]),
                      "--json", "--seed", "0"], tmp_path)
    assert run.returncode == 1, run.describe()
    assert run.statuses == dict.fromkeys(NAMES_2, "not_started"), run.describe()
    assert not any(e.get("note") for e in run.json["exercises"]), run.describe()


def test_chapter_2_solutions_pass_and_train(notebooks: dict[int, Path], tmp_path: Path):
    """Filled in, the chapter-2 notebook passes and the learner's gradient_descent trains; with
    the chapter-1 cell still stubs, the checks pass (the grader's versions stand in) but
    training says what is missing."""
    path, filled = solved(notebooks[2], tmp_path)
    assert filled == [*EARLIER_2, *NAMES_2]
    run = run_grader(["--chapter", "2", "--submission", str(path), "--json", "--seed", "0"],
                     tmp_path / "tmp")
    assert run.returncode == 0, run.describe()
    assert run.statuses == dict.fromkeys(NAMES_2, "passed"), run.describe()
    training = run.json["training"]
    assert training["status"] == "passed", training
    assert training["dev_accuracy"] >= CHAPTER_2.verdict.target, training

    half, _ = solved(notebooks[2], tmp_path / "half", skip=EARLIER_2[:1])
    run = run_grader(["--chapter", "2", "--submission", str(half), "--json", "--seed", "0"],
                     tmp_path / "tmp")
    assert run.statuses == dict.fromkeys(NAMES_2, "passed"), run.describe()
    assert run.json["training"]["status"] != "passed", run.json["training"]
    assert "forward_prop" in run.json["training"]["message"], run.json["training"]


def test_chapter_4_solutions_pass_and_train(notebooks: dict[int, Path], tmp_path: Path):
    """Filled in, the chapter-4 notebook (with its cell of chapter 1 and 3 functions) passes
    and trains 784-128-64-10 with the learner's forward_deep, backward_deep and adam_step."""
    chapter = BY_NUMBER[4]
    path, filled = solved(notebooks[4], tmp_path)
    assert set(ex.name for ex in chapter.exercises) <= set(filled)
    run = run_grader(["--chapter", "4", "--submission", str(path), "--json", "--seed", "0"],
                     tmp_path / "tmp")
    assert run.returncode == 0, run.describe()
    assert set(run.statuses.values()) == {"passed"}, run.describe()
    training = run.json["training"]
    assert training["status"] == "passed", training
    assert training["dev_accuracy"] >= chapter.verdict.target, training


def test_never_overwrites(tmp_path: Path):
    first = run_grader(["notebook", "mine.ipynb"], tmp_path / "tmp", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    notebook = tmp_path / "mine.ipynb"
    notebook.write_text(notebook.read_text().replace("Hint 1", "my own notes"))
    mine = notebook.read_text()

    refused = run_grader(["notebook", "mine.ipynb"], tmp_path / "tmp", cwd=tmp_path)
    assert_usage_error(refused, "mine.ipynb already exists", "--force")
    assert notebook.read_text() == mine

    forced = run_grader(["notebook", "mine.ipynb", "--force"], tmp_path / "tmp", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    backups = list(tmp_path.glob("mine.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == mine
    assert backups[0].name in forced.stdout
    assert "my own notes" not in notebook.read_text()


@pytest.mark.parametrize("args, mentions", [
    (["notes.txt"], ["notes.txt", ".ipynb"]),
    (["missing/nb.ipynb"], ["missing", "does not exist"]),
    (["a.ipynb", "b.ipynb"], ["b.ipynb"]),
    (["--chapter", "9"], ["no chapter", "9"]),
])
def test_notebook_usage_errors(tmp_path: Path, args: list[str], mentions: list[str]):
    run = run_grader(["notebook", *args], tmp_path / "tmp", cwd=tmp_path)
    assert_usage_error(run, *mentions)
    assert not list(tmp_path.glob("*.ipynb"))


# --------------------------------------------------------------------------- running it

def test_stub_notebook_reports_not_started(stubs_run: NotebookNode):
    generated = stubs_run.cells[:-6]  # the cells the learner appended come after
    checks = check_cells(generated)
    assert list(checks) == list(NAMES)
    for name, cell in checks.items():
        shown = plain(cell)
        assert re.search(rf"TODO\s+{name}\s.*not started", shown), shown
        assert "Traceback" not in shown
    digits = next(c for c in generated if c.source == "show_digits()")
    assert images(digits) == 1
    assert generated[-1].source == "train()"
    trained = plain(generated[-1])
    assert len(re.findall(r"TODO\s+\w+\s.*not started", trained)) == len(NAMES)
    assert "dev accuracy" not in trained


def test_check_cell_grades_what_the_kernel_defines(stubs_run: NotebookNode):
    """Helpers and constants go along with the function; errors point at the learner's cell."""
    helper_check, broken, broken_check = stubs_run.cells[-5:-2]
    assert re.search(r"PASS\s+relu\s", plain(helper_check)), plain(helper_check)
    shown = " ".join(plain(broken_check).replace("|", " ").split())  # words, without the panel
    assert re.search(r"ERROR\s+softmax\s", shown), shown
    assert f"(Cell In[{broken.execution_count}], line 3, in softmax: return E.nope)" in shown, \
        shown
    for cell in (helper_check, broken_check):  # a notebook's report speaks of the notebook
        said = plain(cell)
        assert "python -m grader" not in said and "--seed" not in said, said
        assert "repeats them" in said, said
    alias_check = plain(stubs_run.cells[-1])  # ReLU_deriv, graded as relu_deriv
    assert re.search(r"PASS\s+relu_deriv\s", alias_check), alias_check
    assert "defines ReLU_deriv, not relu_deriv" in alias_check, alias_check


def test_solution_notebook_passes_and_trains(solutions_run: NotebookNode):
    for name, cell in check_cells(solutions_run.cells).items():
        assert re.search(rf"PASS\s+{name}\s", plain(cell)), plain(cell)
    trained = solutions_run.cells[-1]
    shown = plain(trained)
    accuracy = re.search(r"PASS\s+training\s+dev accuracy (\d\.\d+)", shown)
    assert accuracy and float(accuracy[1]) >= CHAPTERS[0].verdict.target, shown
    assert images(trained) == 3  # learning curve, confusion matrix, digits


def test_chapter_2_notebook_checks_and_trains_in_a_kernel(solutions_run_2: NotebookNode):
    """check() grades chapter-2 exercises and, given several names, the pasted chapter-1
    functions; the last cell trains with the learner's own gradient_descent."""
    cells = solutions_run_2.cells[:-2]  # the cells appended come after
    checks = check_cells(cells)
    assert list(checks) == list(NAMES_2)
    for name, cell in checks.items():
        assert re.search(rf"PASS\s+{name}\s", plain(cell)), plain(cell)
    [earlier] = [c for c in cells if c.source.startswith(f'check("{EARLIER_2[0]}", ')]
    for name in EARLIER_2:
        assert re.search(rf"PASS\s+{name}\s", plain(earlier)), plain(earlier)
    trained = cells[-1]
    assert trained.source == train_call(CHAPTER_2)
    shown = plain(trained)
    accuracy = re.search(r"PASS\s+training\s+dev accuracy (\d\.\d+)", shown)
    assert accuracy and float(accuracy[1]) >= CHAPTER_2.verdict.target, shown
    assert images(trained) == 3
    stub_check = plain(solutions_run_2.cells[-1])  # train is no gradient_descent
    assert re.search(r"TODO\s+gradient_descent\s.*not started", stub_check), stub_check
    assert "defines train" not in stub_check, stub_check


def test_digits_without_matplotlib(monkeypatch: pytest.MonkeyPatch, capsys):
    from grader import notebook

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails as if absent
    notebook.show_digits(3)
    shown = capsys.readouterr().out
    assert shown.count("label ") == 3 and "@" in shown, shown  # digits drawn in characters


# --------------------------------------------------------------------------- grading .ipynb files

def write_notebook(path: Path, *sources: str) -> Path:
    nbformat.write(v4.new_notebook(cells=[v4.new_markdown_cell("# My network"),
                                          *map(v4.new_code_cell, sources)]), path)
    return path


def solution(name: str) -> str:
    return without_relative_imports((SOLUTIONS / f"{name}.py").read_text())


def test_graded_solution_notebook_trains(solutions_notebook: Path, tmp_path: Path):
    """Its check(), show_digits() and train() cells do nothing inside the worker."""
    run = run_grader(["--submission", str(solutions_notebook), "--json", "--seed", "0"], tmp_path)
    assert run.returncode == 0, run.describe()
    assert set(run.statuses.values()) == {"passed"}
    assert run.json["training"]["status"] == "passed"


def test_notebook_with_a_bug(grade, tmp_path: Path):
    buggy = solution("softmax").replace("axis=0", "axis=1")
    path = write_notebook(tmp_path / "bug.ipynb",
                          *(buggy if n == "softmax" else solution(n) for n in NAMES))
    run = grade(path)
    assert run.returncode == 1
    assert run.statuses == {n: "failed" if n == "softmax" else "passed" for n in NAMES}, run.describe()


def test_notebook_with_magics_and_failing_cells(grade, tmp_path: Path):
    path = write_notebook(
        tmp_path / "magic.ipynb",
        "%matplotlib inline\nimport numpy as np\n!pip install foo",
        "%%bash\nrm -rf ~",
        "X_train = np.loadtxt('/no/such/train.csv')",  # defines no exercise: costs nothing
        solution("relu") + "\nif True:\n    !ls\nprint(undefined)",
        *(solution(n) for n in NAMES[1:]))
    run = grade(path)
    assert run.statuses == {n: "error" if n == "relu" else "passed" for n in NAMES}, run.describe()
    relu_lines = solution("relu").count("\n")
    assert run.messages("relu") == [
        "the cell that defines relu could not run: NameError: name 'undefined' is not defined "
        f"(cell 5, line {relu_lines + 4}: print(undefined))"]


@pytest.mark.parametrize("content, mentions", [
    ('{"cells": [', ["not valid JSON"]),
    ("\xff\xfe garbage", ["not"]),
    ('{"name": "not a notebook"}', ["not a Jupyter notebook"]),
    ('{"nbformat": 3, "worksheets": []}', ["nbformat 3"]),
    ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}', ["cell 1"]),
])
def test_not_a_notebook(cli, tmp_path: Path, content: str, mentions: list[str]):
    path = tmp_path / "work.ipynb"
    path.write_text(content, encoding="latin-1")
    assert_usage_error(cli("--submission", str(path), "--no-train", "--json"), "work.ipynb", *mentions)
