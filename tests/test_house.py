"""The house: exercises are data. dev-check holds the catalog against everything derived from it,
and a new exercise needs only its catalog entry, solution and grader module (its stub is
written from the catalog), after which it is graded, scored and listed everywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import MAX_SCORE, REPO, grader_env

from grader.catalog import CHAPTERS, EXERCISES
from grader.docs import exercise_table
from grader.release import classroom_workflow
from grader.stubs import stub_source


def run(args: list[str], cwd: Path, tmp: Path) -> subprocess.CompletedProcess:
    tmp.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=grader_env(tmp),
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)


def test_dev_check_passes_on_the_repository(tmp_path):
    proc = run(["dev-check"], REPO, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(EXERCISES)} exercises" in proc.stdout and "all consistent" in proc.stdout


def test_derived_text_is_the_catalogs():
    readme = (REPO / "README.md").read_text()
    for chapter in CHAPTERS:
        assert exercise_table(chapter) in readme
        for ex in chapter.exercises:
            assert (REPO / chapter.folder / ex.file).read_text() == stub_source(ex)
    workflow = classroom_workflow()
    for ex in EXERCISES:
        assert f"command: python -m grader {ex.name}\n" in workflow
        assert f"        test-name: {ex.name}\n" in workflow
    for chapter in CHAPTERS:
        assert f"command: python -m grader --chapter {chapter.number}\n" in workflow
    assert workflow.count("max-score:") == len(EXERCISES) + len(CHAPTERS)
    only = classroom_workflow(CHAPTERS[1:2])
    assert "python -m grader relu\n" not in only and "python -m grader init_params\n" in only


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the repository's files (what git tracks, and nothing of the venv)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    copy = tmp_path / "repo"
    for name in filter(None, files):
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    return copy


def test_dev_check_finds_what_is_out_of_step(checkout, tmp_path):
    (checkout / "exercises" / "relu.py").write_text("def relu(Z):\n    return Z\n")
    (checkout / "exercises" / "notes.txt").write_text("my notes")
    (checkout / "solutions" / "softmax.py").write_text("def softmax(Z, axis=0):\n    return Z\n")
    readme = checkout / "README.md"
    readme.write_text(readme.read_text().replace("| 2 |", "| two |"))
    proc = run(["dev-check"], checkout, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for expected in ("relu: " + str(checkout / "exercises" / "relu.py") + " is not the stub",
                     "relu: its stub is not 'not started'", "holds files that are no exercise: "
                     "notes.txt", "softmax: its solution takes ('Z', 'axis')",
                     "softmax: its solution does not pass", "README.md: its exercise table"):
        assert expected in proc.stderr, proc.stderr
    assert (checkout / "exercises" / "relu.py").read_text() == "def relu(Z):\n    return Z\n"


NEW_ENTRY = '''
    Exercise(
        "leaky_relu", 1.0, "max(slope * Z, Z), element by element",
        inputs=(array("Z", "any"), scalar("slope", "float", "0.01")),
        outputs=(array("A", "like Z"),),
        doc="""The leaky ReLU: Z where Z > 0, slope * Z elsewhere.

        Z: any shape; slope: a small positive float.
        Returns: an array of the same shape as Z.
        """,
        hints=("Negative numbers are scaled by slope instead of becoming 0.",
               "np.where(Z > 0, Z, slope * Z) has the shape of Z.",
               "return np.where(Z > 0, Z, slope * Z)"),
    ),
)
'''

NEW_MODULE = '''
"""leaky_relu(Z, slope=0.01): Z where Z > 0, slope * Z elsewhere."""

import numpy as np

from grader.checking import leaves_inputs_untouched, matches_reference
from grader.diagnosis import Mistake


def reference(Z, slope=0.01):
    return np.where(Z > 0, Z, slope * Z)


MISTAKES = (
    Mistake("plain_relu", "leaky_relu makes negative numbers 0: scale them by slope instead",
            lambda a: np.maximum(a["Z"], 0)),
)


def check_random(learner, rng):
    """matches the reference on random inputs"""
    matches_reference(learner, {"Z": rng.normal(0, 2, (10, 7)), "slope": 0.1})


def check_untouched(learner, rng):
    """leaves Z unchanged"""
    leaves_inputs_untouched(learner, {"Z": rng.normal(0, 2, (10, 7))})
'''


def test_a_new_exercise_needs_four_places_and_is_everywhere(checkout, tmp_path):
    catalog = checkout / "grader" / "catalog.py"
    text = catalog.read_text()
    end = "\n)\n\nCHAPTER_2 = ("  # the end of chapter 1's exercises
    assert text.count(end) == 1
    catalog.write_text(text.replace(end, NEW_ENTRY.rstrip() + "\n\nCHAPTER_2 = (", 1))
    (checkout / "grader" / "chapter1" / "leaky_relu.py").write_text(NEW_MODULE.lstrip())
    (checkout / "solutions" / "leaky_relu.py").write_text(textwrap.dedent("""\
        import numpy as np


        def leaky_relu(Z, slope=0.01):
            return np.maximum(Z, slope * Z)
        """))
    # The stub, the folder's __init__.py and the README's table are written from the catalog.
    written = run(["dev-check", "--write"], checkout, tmp_path / "1")
    assert written.returncode == 0, written.stdout + written.stderr
    assert f"{len(EXERCISES) + 1} exercises" in written.stdout
    stub = (checkout / "exercises" / "leaky_relu.py").read_text()
    assert "def leaky_relu(Z: np.ndarray, slope: float = 0.01) -> np.ndarray:" in stub
    assert "| 8 | `leaky_relu.py` | 1 | max(slope * Z, Z), element by element |" in \
        (checkout / "README.md").read_text()
    assert "update_params, leaky_relu, init_params" in \
        (checkout / "exercises" / "__init__.py").read_text()

    results = tmp_path / "results.json"
    solved = run(["--submission", "solutions", "--no-train", "--json", "--seed", "1",
                  "--gradescope", str(results)], checkout, tmp_path / "2")
    assert solved.returncode == 0, solved.stderr
    data = json.loads(solved.stdout)
    assert [e["name"] for e in data["exercises"]][-1] == "leaky_relu"
    assert data["score"] == data["max_score"] == MAX_SCORE + 1
    assert any(t["name"].startswith("leaky_relu: ") and t["score"] == 1.0
               for t in json.loads(results.read_text())["tests"])

    stubs = run(["--submission", "exercises", "--no-train", "--json"], checkout, tmp_path / "3")
    assert json.loads(stubs.stdout)["exercises"][-1]["status"] == "not_started"

    buggy = tmp_path / "buggy.py"
    buggy.write_text("import numpy as np\n\n\ndef leaky_relu(Z, slope=0.01):\n"
                     "    return np.maximum(Z, 0)\n")
    named = run(["leaky_relu", "--submission", str(buggy), "--json"], checkout, tmp_path / "4")
    [result] = json.loads(named.stdout)["exercises"]
    assert result["status"] == "failed" and "scale them by slope" in result["diagnosis"]

    release = run(["release", str(tmp_path / "copy"), "--force"], checkout, tmp_path / "5")
    assert release.returncode == 0, release.stderr
    workflow = (tmp_path / "copy" / ".github" / "workflows" / "classroom.yml").read_text()
    assert "command: python -m grader leaky_relu" in workflow

    notebook = run(["notebook", str(tmp_path / "nb.ipynb")], checkout, tmp_path / "6")
    assert notebook.returncode == 0, notebook.stderr
    assert 'check(\\"leaky_relu\\")' in (tmp_path / "nb.ipynb").read_text()

    hint = run(["hint", "leaky_relu"], checkout, tmp_path / "7")
    assert "scaled by slope" in hint.stdout


def test_each_formula_is_its_reference():
    """The edit search perturbs each exercise's PROGRAM: unperturbed, it must be the reference."""
    import numpy as np

    from grader import modules
    from grader.checking import backward_inputs, network_inputs

    rng = np.random.default_rng(0)
    inputs = {"relu": {"Z": rng.normal(0, 2, (10, 7))},
              "relu_deriv": {"Z": rng.normal(0, 2, (10, 7))},
              "softmax": {"Z": rng.normal(0, 3, (10, 7))}, "forward_prop": network_inputs(rng, 7),
              "backward_prop": backward_inputs(rng, 7),
              "update_params": modules.module("update_params")._step_inputs(rng)}
    for name, args in inputs.items():
        module = modules.module(name)
        ex = next(e for e in EXERCISES if e.name == name)
        expected = module.reference(*(args[k] for k in ex.arg_names))
        expected = expected if len(ex.outputs) > 1 else (expected,)
        for got, want in zip(module.PROGRAM.run(args), expected):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
    # Chapter 2's are random draws, structures and a loop: their tables (MISTAKES, CAUSES) name
    # their mistakes.
    assert all(hasattr(modules.module(ex.name), "PROGRAM") for ex in CHAPTERS[0].exercises
               if ex.name != "one_hot")
