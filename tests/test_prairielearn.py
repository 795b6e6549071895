"""PrairieLearn's external grader (issue 16): the image's build folder that
`prairielearn-bundle` writes, and its run.sh grading PrairieLearn's /grade layout into the
results.json that <pl-external-grader-results> renders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MAX_SCORE, NAMES, SOLUTIONS, grader_env, run_grader, write_file


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("pl")
    run = run_grader(["prairielearn-bundle", str(tmp / "image")], tmp / "t")
    assert run.returncode == 0 and "docker build" in run.stdout, run.stderr
    return tmp / "image"


def _grade(image: Path, files: dict[str, str], tmp: Path) -> tuple[subprocess.CompletedProcess,
                                                                    dict]:
    """PrairieLearn's /grade layout in `tmp`, the student's files in it; run.sh run on it."""
    root = tmp / "grade"
    (root / "student").mkdir(parents=True)
    for name, text in files.items():
        write_file(root / "student" / name, text)
    env = dict(grader_env(tmp), GRADE_ROOT=str(root),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(["sh", str(image / "run.sh")], env=env, text=True, cwd=image,
                          capture_output=True, timeout=120)
    results = root / "results" / "results.json"
    return proc, json.loads(results.read_text()) if results.exists() else {}


def test_the_image_folder(image):
    names = {str(p.relative_to(image)) for p in image.rglob("*") if p.is_file()}
    assert {"Dockerfile", "run.sh", "info.json", "pyproject.toml", "grader/prairielearn.py",
            "data/train.csv.gz", "exercises/relu.py"} <= names
    assert not {n for n in names if n.split("/")[0] in ("solutions", "tests", "bench")}
    assert os.access(image / "run.sh", os.X_OK)
    assert "pip install --no-cache-dir -e /nn_grader" in (image / "Dockerfile").read_text()
    options = json.loads((image / "info.json").read_text())["externalGradingOptions"]
    assert options["enabled"] and options["entrypoint"] == "/nn_grader/run.sh"
    assert 0 < options["timeout"] <= 600  # PrairieLearn's own limit


def test_a_submission_is_graded_in_prairielearns_format(image, tmp_path):
    files = {f"{n}.py": (SOLUTIONS / f"{n}.py").read_text() for n in NAMES}
    files["softmax.py"] = "def softmax(Z):\n    return Z\n"
    proc, data = _grade(image, files, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert data["gradable"] is True
    assert data["score"] == pytest.approx((MAX_SCORE - 2) / MAX_SCORE)
    tests = {t["name"]: t for t in data["tests"]}
    assert list(tests) == [*NAMES, "training"]
    assert tests["softmax"]["points"] == 0 and tests["softmax"]["max_points"] == 2
    assert tests["softmax"]["message"] == "failed" and "checks failed" in tests["softmax"]["output"]
    assert tests["relu"]["points"] == tests["relu"]["max_points"] == 1
    assert tests["training"]["max_points"] == 0 and tests["relu"]["description"]
    assert "Score 8/10" in data["message"]


def test_nothing_to_grade_uses_no_attempt(image, tmp_path):
    proc, data = _grade(image, {"notes.txt": "sorry\n"}, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert data == {"gradable": False, "format_errors": [
        "Your submission holds no .py file, folder of exercises or .ipynb notebook."]}


def test_the_bundle_keeps_an_existing_folder(tmp_path):
    (tmp_path / "image").mkdir()
    run = run_grader(["prairielearn-bundle", str(tmp_path / "image")], tmp_path / "t")
    assert run.returncode == 2 and "already exists; pass --force" in run.stderr
