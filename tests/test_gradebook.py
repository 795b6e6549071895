"""An instructor's gradebook (issue 16): .zip uploads unpacked safely, and `batch --merge` to
regrade some students without losing anyone else's grade."""

from __future__ import annotations

import csv
import json
import re
import stat
import zipfile
from pathlib import Path

import pytest

from conftest import SOLUTIONS, make_submission, run_grader, write_file
from grader.catalog import CHAPTERS
from grader import unpack as unpacking
from grader.unpack import Unpackable, unpack

RIGHT = "import numpy as np\n\n\ndef relu(Z):\n    return np.maximum(Z, 0)\n"
WRONG = "def relu(Z):\n    return Z\n"


def _zip(path: Path, files: dict[str, str | bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(name, content)
    return path


def _rows(out: Path) -> dict[str, dict]:
    with out.open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


# --------------------------------------------------------------------------- unpacking

def test_a_zip_is_unpacked_with_its_folders(tmp_path):
    archive = _zip(tmp_path / "a.zip", {"work/nn/relu.py": RIGHT, "work\\notes.txt": "hi",
                                        "__MACOSX/._relu.py": b"\0\1"})
    into = unpack(archive, tmp_path / "out")
    assert (into / "work" / "nn" / "relu.py").read_text() == RIGHT
    assert (into / "work" / "notes.txt").read_text() == "hi"  # a Windows separator


@pytest.mark.parametrize("name", ["../evil.py", "/etc/evil.py", "a/../../evil.py",
                                  "C:/evil.py", "..\\evil.py"])
def test_a_member_that_climbs_out_is_refused(tmp_path, name):
    archive = _zip(tmp_path / "a.zip", {"relu.py": RIGHT, name: "x = 1\n"})
    with pytest.raises(Unpackable, match="outside the folder"):
        unpack(archive, tmp_path / "deep" / "out")
    assert not (tmp_path / "evil.py").exists() and not (tmp_path / "deep" / "evil.py").exists()


def test_a_symbolic_link_is_refused(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        link = zipfile.ZipInfo("relu.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/work/main/solutions/relu.py")
    with pytest.raises(Unpackable, match="symbolic link"):
        unpack(archive, tmp_path / "out")


def test_a_zip_bomb_is_stopped_by_what_it_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(unpacking, "MAX_BYTES", 1 << 20)
    archive = _zip(tmp_path / "a.zip", {"relu.py": b"#" * (3 << 20)})  # 3 MB, 3 kB zipped
    assert archive.stat().st_size < 20_000
    with pytest.raises(Unpackable, match="more than 1 MB"):
        unpack(archive, tmp_path / "out")


def test_too_many_members_and_garbage_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(unpacking, "MAX_MEMBERS", 3)
    with pytest.raises(Unpackable, match="4 files, more than 3"):
        unpack(_zip(tmp_path / "a.zip", {f"{i}.py": "" for i in range(4)}), tmp_path / "o1")
    (tmp_path / "b.zip").write_bytes(b"PK\3\4 this is not an archive")
    with pytest.raises(Unpackable, match="not a zip archive that can be read"):
        unpack(tmp_path / "b.zip", tmp_path / "o2")


def test_batch_grades_zip_uploads_and_names_the_file_graded(tmp_path):
    folder = tmp_path / "class"
    _zip(folder / "ann.zip", {"ann-hw/exercises/relu.py": RIGHT, "ann-hw/README.md": "mine"})
    _zip(folder / "ben.zip", {"nn.py": WRONG})
    _zip(folder / "cat.zip", {"../../escape.py": RIGHT})
    (folder / "dan.zip").write_bytes(b"not a zip")
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(folder), "--out", str(out), "--no-train", "--seed", "5"],
                     tmp_path / "t")
    assert run.returncode == 1, run.stderr  # two could not be graded
    assert "Graded 4 submissions" in run.stdout, run.stdout
    rows = _rows(out)
    assert rows["ann"]["relu"] == "passed" and rows["ann"]["status"] == "graded"
    assert rows["ann"]["path"] == f"{folder / 'ann.zip'}!/ann-hw/exercises", rows["ann"]
    assert rows["ben"]["relu"] == "failed" and rows["ben"]["path"].endswith("ben.zip!/nn.py")
    assert rows["cat"]["status"] == "error" and "cannot unpack cat.zip" in rows["cat"]["message"]
    assert "outside the folder" in rows["cat"]["message"]
    assert "not a zip archive" in rows["dan"]["message"]
    assert not (tmp_path / "escape.py").exists() and not list(tmp_path.glob("**/escape.py"))


# --------------------------------------------------------------------------- merging

@pytest.fixture
def gradebook(tmp_path):
    """A class of three graded with --seed 7 into grades.csv."""
    folder = tmp_path / "class"
    for name, source in (("ann", RIGHT), ("ben", WRONG), ("cat", WRONG)):
        write_file(folder / f"{name}.py", source)
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(folder), "--out", str(out), "--no-train", "--seed", "7"],
                     tmp_path / "t")
    assert run.returncode == 0 and len(_rows(out)) == 3, run.stderr
    return out


def test_regrading_one_student_keeps_the_others(tmp_path, gradebook):
    before = gradebook.read_text()
    fixed = tmp_path / "late"
    write_file(fixed / "ben.py", RIGHT)
    write_file(fixed / "dee.py", WRONG)  # a late first submission joins the gradebook
    run = run_grader(["batch", str(fixed), "--out", str(gradebook), "--no-train", "--merge"],
                     tmp_path / "t")
    assert run.returncode == 0, run.stderr
    assert "Updated 2 of the 4 rows" in run.stdout, run.stdout
    rows = _rows(gradebook)
    assert list(rows) == ["ann", "ben", "cat", "dee"]
    assert [rows[s]["relu"] for s in rows] == ["passed", "passed", "failed", "failed"]
    assert rows["cat"]["path"].endswith("class/cat.py")  # untouched, from the first batch
    book = json.loads(gradebook.with_suffix(".json").read_text())
    assert book["seed"] == 7 and book["updated"] == ["ben", "dee"]
    assert {s["grading"]["seed"] for s in book["submissions"]} == {7}  # the same inputs
    [backup] = tmp_path.glob("grades.backup-*.csv")
    assert backup.read_text() == before


def test_regrading_one_students_folder_of_exercises_grades_that_student(tmp_path):
    """`batch class/bob --merge`, the folder of one student's exercise files: bob's row is
    regraded, never one row per file (relu, softmax, ...)."""
    folder = tmp_path / "class"
    for name, source in (("ann", RIGHT), ("bob", WRONG)):
        write_file(folder / name / "relu.py", source)
    out = tmp_path / "grades.csv"
    first = run_grader(["batch", str(folder), "--out", str(out), "--no-train", "--seed", "7"],
                       tmp_path / "t")
    assert first.returncode == 0 and list(_rows(out)) == ["ann", "bob"], first.stderr
    write_file(folder / "bob" / "relu.py", RIGHT)
    write_file(folder / "bob" / "notes.txt", "my notes")
    run = run_grader(["batch", str(folder / "bob"), "--out", str(out), "--no-train", "--merge"],
                     tmp_path / "t", cwd=folder)
    assert run.returncode == 0 and "graded as one submission, bob's" in run.stderr, run.stderr
    rows = _rows(out)
    assert list(rows) == ["ann", "bob"] and rows["bob"]["relu"] == "passed", rows


@pytest.mark.parametrize("extra, says", [
    (["--seed", "8"], "graded with --seed 7"),
    (["--chapter", "2"], "the gradebook of chapter 1, not chapter 2"),
])
def test_a_merge_that_would_mix_gradebooks_is_refused(tmp_path, gradebook, extra, says):
    before = gradebook.read_text()
    write_file(tmp_path / "late" / "ben.py", RIGHT)
    run = run_grader(["batch", str(tmp_path / "late"), "--out", str(gradebook), "--no-train",
                      "--merge", *extra], tmp_path / "t")
    assert run.returncode == 2 and says in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and gradebook.read_text() == before
    assert not list(tmp_path.glob("grades.backup-*"))


def test_a_merge_needs_a_gradebook_that_batch_wrote(tmp_path):
    write_file(tmp_path / "class" / "ben.py", RIGHT)
    out = tmp_path / "grades.csv"
    args = ["batch", str(tmp_path / "class"), "--out", str(out), "--no-train", "--merge"]
    run = run_grader(args, tmp_path / "t")
    assert run.returncode == 2 and "does not exist (grade without --merge" in run.stderr
    out.with_suffix(".json").write_text('{"submissions": 3}')
    run = run_grader(args, tmp_path / "t")
    assert run.returncode == 2 and "not a gradebook that batch wrote" in run.stderr, run.stderr


def test_folder_uploads_still_take_the_newest_entry_with_zips_among_them(tmp_path):
    import os
    import time
    folder = tmp_path / "class"
    write_file(folder / "ann.py", WRONG)
    os.utime(folder / "ann.py", (time.time() - 100, time.time() - 100))
    _zip(folder / "ann.zip", {"relu.py": RIGHT})
    make_submission(folder / "bob", {}, base=SOLUTIONS)
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(folder), "--out", str(out), "--no-train"], tmp_path / "t")
    rows = _rows(out)
    assert set(rows) == {"ann", "bob"} and rows["ann"]["relu"] == "passed", rows
    assert "ann.py: an older entry of ann: ann.zip is newer and is graded" in run.stderr


# --------------------------------------------------------------------------- feedback

def test_feedback_is_one_markdown_file_per_student(tmp_path, gradebook):
    out = tmp_path / "feedback"
    run = run_grader(["feedback", str(gradebook.with_suffix(".json")), str(out)], tmp_path / "t")
    assert run.returncode == 0 and "wrote 3 feedback files" in run.stdout, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ann.md", "ben.md", "cat.md"]
    ben = (out / "ben.md").read_text()
    assert ben.startswith("# Feedback for `ben`: chapter 1\n\n**Score: ")
    assert "| `relu` | failed | 0/1 |" in ben and "| `softmax` | not started | 0/2 |" in ben
    assert "seed 7" in ben and "`python -m grader --chapter 1 --submission YOUR_FILE --seed 7`" in ben
    assert "## relu: failed (0/1)" in ben
    assert "    relu returns Z unchanged" in ben or "Likely cause:" in ben, ben
    assert "Hint: " in ben and "## softmax" not in ben  # not started: no section
    ann = (out / "ann.md").read_text()
    assert "| `relu` | passed | 1/1 |" in ann and "## relu" not in ann


def test_feedback_shows_what_a_submission_wrote_as_code(tmp_path):
    folder = tmp_path / "class"
    name = "x`y <img src=q onerror=alert(1)> **bold**"
    write_file(folder / f"{name}.py", "def relu(Z):\n    raise ValueError('# not a heading')\n")
    out = tmp_path / "grades.csv"
    run_grader(["batch", str(folder), "--out", str(out), "--no-train"], tmp_path / "t")
    fb = tmp_path / "fb"
    run = run_grader(["feedback", str(out.with_suffix(".json")), str(fb)], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    [file] = fb.iterdir()
    assert file.name == "x_y_img_src_q_onerror_alert_1_bold.md"
    text = file.read_text()
    assert f"# Feedback for ``{name}``" in text  # one code span, whatever it holds
    assert "\n# not a heading" not in text and "    relu() raised ValueError: # not a heading" \
        in text, text


def test_feedback_keeps_an_existing_folder_and_refuses_what_is_not_a_gradebook(tmp_path, gradebook):
    grades = str(gradebook.with_suffix(".json"))
    out = tmp_path / "feedback"
    out.mkdir()
    (out / "mine.txt").write_text("my notes")
    run = run_grader(["feedback", grades, str(out)], tmp_path / "t")
    assert run.returncode == 2 and "already exists; pass --force" in run.stderr
    run = run_grader(["feedback", grades, str(out), "--force"], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    [backup] = tmp_path.glob("feedback.backup-*")
    assert (backup / "mine.txt").read_text() == "my notes"
    (tmp_path / "bad.json").write_text("[1, 2]")
    for path in (tmp_path / "bad.json", tmp_path / "missing.json"):
        run = run_grader(["feedback", str(path), str(tmp_path / "f2")], tmp_path / "t")
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert "is not a gradebook that batch wrote" in run.stderr or "does not exist" in \
            run.stderr


# --------------------------------------------------------------------------- class report

CHROMIUM = Path("/usr/bin/chromium")
SOFTMAX_NO_MAX = ("import numpy as np\n\n\ndef softmax(Z):\n    E = np.exp(Z)\n"
                  "    return E / E.sum(axis=0, keepdims=True)\n")


@pytest.fixture
def classbook(tmp_path):
    """Five students, three of whom make the same softmax mistake, and one hostile name."""
    folder = tmp_path / "class"
    for name in ("ann", "ben", "cat"):
        make_submission(folder / name, {"softmax.py": SOFTMAX_NO_MAX})
    make_submission(folder / "dee", {})
    write_file(folder / "<b>eve<i>.py", WRONG)
    (folder / "notes.txt").write_text("not a submission")
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(folder), "--out", str(out), "--no-train", "--seed", "2"],
                     tmp_path / "t")
    assert run.returncode == 0, run.stderr
    return out.with_suffix(".json")


def test_the_class_report_counts_the_mistakes_of_the_class(tmp_path, classbook):
    html_path = tmp_path / "report.html"
    run = run_grader(["class-report", str(classbook), "--html", str(html_path)], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    out = " ".join(run.stdout.split())
    assert "5 submissions, 5 graded" in out and "seed 2" in out, out
    assert re.search(r"3\s*│\s*softmax\s*│\s*softmax overflows", run.stdout), run.stdout
    assert re.search(r"1\s*│\s*relu\s*│\s*relu returns Z unchanged", run.stdout)
    assert "Not graded (1): notes.txt" in out
    page = html_path.read_text()
    assert "<b>eve<i>" not in page and "&lt;b&gt;eve&lt;i&gt;" in page  # escaped
    assert "<script" not in page and not re.search(r"(src|href|url)\s*[=(]", page)  # nothing
    assert "default-src 'none'" in page  # fetched, and a browser would refuse to
    assert page.count("<rect") == 11  # one bar per whole point, 0 to 10
    again = run_grader(["class-report", str(classbook), "--html", str(html_path)], tmp_path / "t")
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install "
                    "chromium); .ci/run installs it where it can")
def test_the_class_report_renders_in_a_browser(tmp_path, classbook):
    import subprocess
    html_path, png = tmp_path / "report.html", tmp_path / "report.png"
    run = run_grader(["class-report", str(classbook), "--html", str(html_path)], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    shot = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
         f"--screenshot={png}", html_path.as_uri()], capture_output=True, text=True, timeout=90)
    assert png.exists(), shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 1400)
    assert len(data) > 30_000  # a page with text and a chart, not a blank one
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile2'}",
         "--dump-dom", html_path.as_uri()], capture_output=True, text=True, timeout=90)
    assert "Mistakes named most often" in dom.stdout and "&lt;b&gt;eve&lt;i&gt;" in dom.stdout


# --------------------------------------------------------------------------- similarity

def test_copied_code_is_flagged_for_a_person_to_look_at(tmp_path):
    folder = tmp_path / "class"
    solution = (SOLUTIONS / "backward_deep.py").read_text()
    own = (Path(__file__).parent / "corpus" / "chapter4" / "textbook_deriv_on_A.py").read_text()
    renamed = own.replace("dZ", "delta").replace("A_prev", "inp").replace("    ", "  ")
    write_file(folder / "ann.py", own)
    write_file(folder / "ben.py", "# my own work!\n" + renamed)  # ann's, renamed and reindented
    write_file(folder / "cat.py", solution.replace("from .one_hot import one_hot\n", "").replace(
        "from .relu_deriv import relu_deriv\n", ""))
    write_file(folder / "dee.py", (Path(__file__).parent / "corpus" / "chapter4" /
                                   "forum_m_twice_no_restore.py").read_text())
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(folder), "--out", str(out), "--no-train", "--chapter", "4"],
                     tmp_path / "t")
    assert run.returncode == 0, run.stderr
    rows = _rows(out)
    assert "backward_deep: the same code as ben" in rows["ann"]["similar"], rows["ann"]
    assert "forward_deep: the same code as ben" in rows["ann"]["similar"]
    assert "numerical_gradient: the same code as ben" in rows["ann"]["similar"]
    assert "backward_deep: the same code as ann" in rows["ben"]["similar"]
    assert rows["cat"]["similar"] == "backward_deep: the solution", rows["cat"]
    assert rows["dee"]["similar"] == ""
    assert float(rows["ben"]["score"]) == 8.0  # a flag, never a grade
    report = run_grader(["class-report", str(out.with_suffix(".json"))], tmp_path / "t")
    said = " ".join(report.stdout.split())
    assert "Similar code, to look at (never a grade) (3):" in said, said


def test_flags_that_cannot_be_computed_never_cost_the_gradebook(tmp_path, monkeypatch, capsys):
    from grader import batch, similarity

    def broken(*args, **kwargs):
        raise RuntimeError("a check module that will not import")

    monkeypatch.setattr(similarity, "flags", broken)
    write_file(tmp_path / "class" / "ann.py", RIGHT)
    out = tmp_path / "grades.csv"
    assert batch.main([str(tmp_path / "class"), "--out", str(out), "--no-train"]) == 0
    assert "warning: no similarity flags" in capsys.readouterr().err
    assert _rows(out)["ann"]["relu"] == "passed"


# --------------------------------------------------------------------------- LMS exports

ROSTER = ("submission,name,id,sis_user_id,sis_login_id,section,email\n"
          "ann,Ann A,101,S1,ann1,Sec 1,ann@u.edu\nben,=cmd|' /C calc'!A0,102,S2,ben2,Sec 1,"
          "ben@u.edu\nzed,Zed Z,126,S26,zed26,Sec 2,zed@u.edu\n")


def _export(tmp_path, book: Path, *args: str):
    (tmp_path / "roster.csv").write_text(ROSTER)
    out = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}.csv"
    run = run_grader(["export", str(book.with_suffix(".json")), str(out), *args], tmp_path / "t")
    lines = list(csv.reader(out.open())) if out.exists() else []
    return run, lines


def test_points_per_exercise_with_and_without_a_roster(tmp_path, gradebook):
    run, lines = _export(tmp_path, gradebook)
    assert run.returncode == 0, run.stderr
    assert lines[0][:3] == ["student", "relu", "relu_deriv"] and lines[0][-3:] == [
        "chapter 1", "max_score", "status"]
    assert lines[1][0] == "(points possible)" and lines[1][1] == "1.0"
    assert [row[0] for row in lines[2:]] == ["ann", "ben", "cat"]
    assert lines[2][1] == "1.0" and lines[3][1] == "0.0"  # ann's relu passes, ben's fails
    run, lines = _export(tmp_path, gradebook, "--roster", str(tmp_path / "roster.csv"))
    assert lines[0][:4] == ["student", "name", "id", "sis_user_id"]
    assert lines[3][1] == "'=cmd|' /C calc'!A0"  # a roster's formula stays text
    assert "not in the roster, exported without their ids (1): cat" in run.stdout, run.stdout
    assert "in the roster without a grade (1): zed" in run.stdout


def test_canvas_and_moodle_layouts(tmp_path, gradebook):
    roster = str(tmp_path / "roster.csv")
    run, lines = _export(tmp_path, gradebook, "--format", "canvas", "--roster", roster,
                         "--assignment", "HW 1")
    assert run.returncode == 0, run.stderr
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW 1"]
    assert lines[1] == ["Points Possible", "", "", "", "", "10.0"]
    assert lines[2][:2] == ["Ann A", "101"] and lines[4] == ["Zed Z", "126", "S26", "zed26",
                                                            "Sec 2", ""]  # blank: no grade
    assert "not in the roster, not exported (1): cat" in run.stdout
    run, lines = _export(tmp_path, gradebook, "--format", "moodle", "--roster", roster)
    assert lines[0] == ["Email address", "Neural networks, chapter 1"]
    assert lines[1][0] == "ann@u.edu" and lines[3] == ["zed@u.edu", ""]


@pytest.mark.parametrize("roster, says", [
    ("name,id\nAnn,1\n", "needs a header with a 'submission' column"),
    ("submission,id\nann,1\nann,2\n", "'ann' is listed twice"),
    ("submission,name\nann,Ann\n", "needs the roster's id, sis_user_id or sis_login_id"),
])
def test_a_roster_that_cannot_be_used_is_said_so(tmp_path, gradebook, roster, says):
    (tmp_path / "r.csv").write_text(roster)
    run = run_grader(["export", str(gradebook.with_suffix(".json")), str(tmp_path / "c.csv"),
                      "--format", "canvas", "--roster", str(tmp_path / "r.csv")], tmp_path / "t")
    assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr, \
        run.stderr
    assert not (tmp_path / "c.csv").exists()


# --------------------------------------------------------------------------- choosing in an upload

def _one_file() -> str:
    sources = []
    for ex in CHAPTERS[0].exercises:
        text = (SOLUTIONS / ex.file).read_text()
        sources.append("\n".join(line for line in text.splitlines()
                                 if not line.startswith("from .")))
    return "\n\n\n".join(sources) + "\n"


def _notebook(source: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                  "execution_count": None, "source": source}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_an_upload_is_graded_on_the_work_in_it_and_says_what_else_it_held(tmp_path):
    folder = tmp_path / "class"
    write_file(folder / "ann" / "nn.py", _one_file())
    write_file(folder / "ann" / "test_nn.py", "import nn\n\n\ndef test_relu():\n    pass\n")
    write_file(folder / "ben" / "work.ipynb", _notebook(_one_file()))
    write_file(folder / "ben" / "Untitled.ipynb", _notebook("   \n"))
    make_submission(folder / "cat" / "exercises", {}, base=Path(__file__).parent.parent /
                    "exercises")  # the untouched stubs, beside the finished notebook
    write_file(folder / "cat" / "work.ipynb", _notebook(_one_file()))
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(folder), "--out", str(out), "--no-train"], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    rows = _rows(out)
    assert {s: rows[s]["score"] for s in rows} == {"ann": "10.0", "ben": "10.0", "cat": "10.0"}
    assert rows["ann"]["path"].endswith("ann/nn.py")
    assert rows["ann"]["message"] == "graded nn.py; not graded: test_nn.py (a test or setup file)"
    assert rows["ben"]["message"] == ("graded work.ipynb; not graded: Untitled.ipynb (a notebook "
                                      "without code)")
    assert rows["cat"]["path"].endswith("cat/work.ipynb")
    assert "exercises (0 exercises written, 7 in what is graded)" in rows["cat"]["message"]
