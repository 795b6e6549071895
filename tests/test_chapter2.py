"""Chapter 2, train it yourself: correct variants pass whatever the seed, real learner files
(tests/corpus/chapter2/) are told each of their bugs, every cause gradient_descent's record of
calls names has a learner loop that is told it, and the learner's own loop trains on the
shipped digits."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from conftest import SOLUTIONS, assert_each_bug_told, run_grader, summary, told
from grader import wire
from grader.catalog import BY_NUMBER
from grader.chapter2.gradient_descent import CAUSES

CORPUS = Path(__file__).parent / "corpus" / "chapter2"
CHAPTER_2 = tuple(ex.name for ex in BY_NUMBER[2].exercises)
P, F = "passed", "failed"


def _grade(submission: Path, tmp: Path, *extra: str, seed: int = 1):
    return run_grader(["--chapter", "2", "--submission", str(submission), "--json", "--seed",
                       str(seed), *extra], tmp)


# ------------------------------------------------------------------ the learner corpus

# file -> (status of each exercise, fragments each failing one must be told)
FILES = {
    "kaggle_minibatch_notebook.py": ({}, {}),
    "clean_script_generator.py": ({}, {}),
    "dlai_style_model.py": ({}, {}),
    "notebook_uniform_init.py": ({"init_params": F}, {"init_params": (
        "the original notebook's rand - 0.5", "the biases are drawn at random")}),
    "numpy_global_random.py": ({"init_params": F, "mini_batches": F, "accuracy": F}, {
        "init_params": ("does not draw from the rng it is given",),
        "mini_batches": ("does not draw from the rng it is given",),
        "accuracy": ("accuracy is a percentage",)}),
    "xavier_sum_loss.py": ({"init_params": F, "cross_entropy": F, "gradient_descent": F}, {
        "init_params": ("(Xavier/LeCun)",), "cross_entropy": ("the sum over the examples",),
        "gradient_descent": ("it returns the first parameters",)}),
    "rowwise_eval_helpers.py": ({"cross_entropy": F, "predict": F, "accuracy": F}, {
        "cross_entropy": ("log(0) is -inf",), "predict": ("the argmax runs over axis 1",),
        "accuracy": ("the count of right predictions",)}),
    "two_permutations.py": ({"init_params": F, "mini_batches": F}, {
        "init_params": ("the weights are N(0, 1)",),
        "mini_batches": ("two different permutations",)}),
    "hipster_shuffle_once.py": ({"gradient_descent": F}, {"gradient_descent": (
        "call mini_batches at the start of every epoch", "one step per epoch")}),
    "dlai_fixed_seed.py": ({"mini_batches": F}, {"mini_batches": (
        "the last, smaller batch is missing", "ignores the rng it is given")}),
    "notebook_not_fed_back.py": ({"gradient_descent": F}, {"gradient_descent": (
        "feed back what update_params returns", "one step per epoch")}),
    "indented_step.py": ({"init_params": F, "gradient_descent": F}, {
        "init_params": ("the biases are drawn at random",),
        "gradient_descent": ("one step per epoch",)}),
    "forward_on_whole_X.py": ({"mini_batches": F, "gradient_descent": F}, {
        "mini_batches": ("the last, smaller batch is missing",),
        "gradient_descent": ("forward_prop and backward_prop on the same batch",)}),
}


def test_every_corpus_file_is_listed():
    assert sorted(p.name for p in CORPUS.glob("*.py")) == sorted(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_learner_file_is_told_each_of_its_bugs(tmp_path, name):
    statuses, fragments_of = FILES[name]
    run = _grade(CORPUS / name, tmp_path, "--no-train")
    assert_each_bug_told(run, CHAPTER_2, statuses, fragments_of)


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1])
def test_the_solutions_pass_whatever_the_seed(tmp_path, seed):
    run = _grade(SOLUTIONS, tmp_path, "--no-train", seed=seed)
    assert run.returncode == 0, summary(run)
    assert run.json["score"] == run.json["max_score"] == 10.0
    # Every check of every exercise reported.
    assert all(len(e["checks"]) >= 4 for e in run.json["exercises"])


# ------------------------------------------------------------------ correct variants

VARIANTS = {
    "init_params.py": """
        import numpy as np

        def init_params(n_x=784, n_h=10, n_y=10, rng=None):
            rng = rng or np.random.default_rng()
            W1 = rng.normal(0.0, np.sqrt(2 / n_x), size=(n_h, n_x))
            W2 = rng.normal(0.0, np.sqrt(2 / n_h), size=(n_y, n_h))
            return W1, np.zeros((n_h, 1)), W2, np.zeros((n_y, 1))
        """,
    "cross_entropy.py": """
        import numpy as np
        from .one_hot import one_hot

        def cross_entropy(A2, Y):
            return -np.sum(one_hot(Y) * np.log(A2 + 1e-9)) / Y.shape[0]
        """,
    "predict.py": """
        import numpy as np

        def predict(A2):
            return np.array([int(np.argmax(A2[:, j])) for j in range(A2.shape[1])])
        """,
    "accuracy.py": """
        import numpy as np

        def accuracy(predictions, Y):
            print(predictions, Y)
            return np.sum(predictions == Y) / Y.size
        """,
    "mini_batches.py": """
        import numpy as np

        def mini_batches(X, Y, batch_size, rng):
            idx = np.arange(X.shape[1])
            rng.shuffle(idx)
            for start in range(0, len(idx), batch_size):
                cols = idx[start:start + batch_size]
                yield X[:, cols], Y[cols]
        """,
    "gradient_descent.py": """
        import numpy as np
        from .init_params import init_params
        from .mini_batches import mini_batches
        from .forward_prop import forward_prop
        from .backward_prop import backward_prop
        from .update_params import update_params
        from .predict import predict
        from .accuracy import accuracy

        def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
            if rng is None:
                rng = np.random.default_rng()
            params = init_params(X.shape[0], 10, 10, rng=rng)
            epoch = 0
            while epoch < epochs:
                if batch_size is None:
                    batches = [(X, Y)]
                else:
                    batches = mini_batches(X, Y, batch_size, rng)
                for xb, yb in batches:
                    Z1, A1, Z2, A2 = forward_prop(*params, xb)
                    grads = backward_prop(Z1, A1, Z2, A2, params[0], params[2], xb, yb)
                    params = update_params(*params, *grads, alpha)
                if epoch % 10 == 0:
                    print("epoch", epoch, accuracy(predict(forward_prop(*params, X)[3]), Y))
                epoch += 1
            return params
        """,
}


def test_correct_variants_pass(tmp_path, submission):
    """rng.normal, a one-hot sum with an epsilon, a loop of argmaxes, a NumPy float, a
    generator of batches from rng.shuffle, a while loop that prints its accuracy."""
    folder = submission(VARIANTS)
    for seed in (0, 3):
        run = _grade(folder, tmp_path / str(seed), "--no-train", seed=seed)
        assert run.returncode == 0, summary(run)


def test_the_notebooks_own_names_are_graded_with_a_note(tmp_path, submission):
    folder = submission({"predict.py": """
        import numpy as np

        def get_predictions(A2):
            return np.argmax(A2, 0)
        """, "accuracy.py": """
        import numpy as np

        def get_accuracy(predictions, Y):
            print(predictions, Y)
            return np.sum(predictions == Y) / Y.size
        """})
    run = _grade(folder, tmp_path, "--no-train")
    assert run.returncode == 0, summary(run)
    assert "defines get_predictions, not predict" in run.exercise("predict")["note"]
    assert "defines get_accuracy, not accuracy" in run.exercise("accuracy")["note"]


# ------------------------------------------------------------------ gradient_descent's causes

LOOP = """
    import numpy as np
    from .init_params import init_params
    from .mini_batches import mini_batches
    from .forward_prop import forward_prop
    from .backward_prop import backward_prop
    from .update_params import update_params

    def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        {init}
        {before}
        for epoch in range(epochs):
            {shuffle}
            for xb, yb in {batches}:
                Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, {forward_x})
                dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, xb, yb)
                {update} = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, {alpha})
        return {returned}
    """
GOOD = dict(init="W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng)", before="",
            shuffle="batches = [(X, Y)] if batch_size is None else "
                    "mini_batches(X, Y, batch_size, rng)",
            batches="batches", forward_x="xb", update="W1, b1, W2, b2", alpha="alpha",
            returned="W1, b1, W2, b2")
MISTAKEN = {  # cause -> what the learner's loop does differently
    "not_fed_back": dict(update="nW1, nb1, nW2, nb2"),
    "returns_other": dict(init="W1, b1, W2, b2 = first = init_params(X.shape[0], 10, 10, rng)",
                          returned="first"),
    "one_shuffle": dict(before="batches = [(X, Y)] if batch_size is None else "
                               "mini_batches(X, Y, batch_size, rng)", shuffle="pass"),
    "same_shuffle": dict(shuffle="batches = [(X, Y)] if batch_size is None else "
                                 "mini_batches(X, Y, batch_size, np.random.default_rng(0))"),
    "last_batch_skipped": dict(batches="(batches[:-1] if batch_size else batches)"),
    "one_step_per_epoch": dict(batches="batches[:1]"),
    "init_without_rng": dict(init="W1, b1, W2, b2 = init_params(X.shape[0], 10, 10)"),
    "batches_without_rng": dict(shuffle="batches = [(X, Y)] if batch_size is None else "
                                        "mini_batches(X, Y, batch_size, None)"),
    "no_init": dict(init="W1, b1, W2, b2 = (rng.standard_normal((10, X.shape[0])) * 0.05, "
                         "np.zeros((10, 1)), rng.standard_normal((10, 10)) * 0.4, "
                         "np.zeros((10, 1)))"),
    "init_twice": dict(shuffle="W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, rng); "
                               "batches = [(X, Y)] if batch_size is None else "
                               "mini_batches(X, Y, batch_size, rng)"),
    "alpha_changed": dict(alpha="0.01"),
    "epochs_off_by_one": dict(before="epochs = epochs + 1"),
    "batch_skipped": dict(batches="(batches[1:] if batch_size else batches)"),
    "different_examples": dict(forward_x="X[:, :xb.shape[1]]"),
    "other_generator": dict(init="W1, b1, W2, b2 = init_params(X.shape[0], 10, 10, "
                                 "np.random.default_rng())"),
}


def test_every_cause_of_the_record_has_a_learner_loop():
    tested = set(MISTAKEN) | {"no_update", "one_epoch", "no_mini_batches",
                              "shuffles_per_epoch", "shuffles_other_data",
                              "batch_size_changed", "stale_gradients",
                              "backward_not_forward", "forward_stale_params",
                              "backward_stale_weights", "foreign_batch", "full_batch_data",
                              "batches_repeated"}
    assert set(CAUSES) == tested  # the others are covered below or by the corpus
    assert len(MISTAKEN) >= 12


@pytest.mark.parametrize("cause", sorted(MISTAKEN))
def test_a_loop_making_a_known_mistake_is_told_so(tmp_path, submission, cause):
    folder = submission({"gradient_descent.py": LOOP.format(**(GOOD | MISTAKEN[cause]))})
    run = run_grader(["gradient_descent", "--submission", str(folder), "--json", "--seed", "2"],
                     tmp_path)
    result = run.exercise("gradient_descent")
    assert result["status"] == F, result
    assert CAUSES[cause] in result["diagnosis"], result["diagnosis"]


def test_the_right_loop_passes(tmp_path, submission):
    folder = submission({"gradient_descent.py": LOOP.format(**GOOD)})
    run = run_grader(["gradient_descent", "--submission", str(folder), "--json", "--seed", "2"],
                     tmp_path)
    assert run.exercise("gradient_descent")["status"] == P, run.exercise("gradient_descent")


# ------------------------------------------------------------------ the wire and the rng

def test_a_generator_crosses_the_wire_as_a_twin():
    rng = np.random.default_rng(11)
    rng.random(3)
    _, (twin, [other]) = wire.receive(io.BytesIO(wire.encode(
        {}, (rng, [np.random.Generator(np.random.MT19937(5))]))), untrusted=True)
    assert twin.random() == rng.random()
    assert other.integers(1000) == np.random.Generator(np.random.MT19937(5)).integers(1000)


def test_a_forged_generator_state_is_opaque():
    state = {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}}
    blobs: list[bytes] = []
    forged = {"value": {"rng": wire._encode_value(state, blobs)}}
    assert isinstance(wire._decode_value(forged["value"], blobs, True), wire.Opaque)
    assert isinstance(wire._decode_value({"rng": {"dict": {"bit_generator": "os.system"}}}, [],
                                         True), wire.Opaque)


# ------------------------------------------------------------------ the verdict

def test_the_learners_own_loop_trains_to_the_target(tmp_path):
    out = tmp_path / "predictions.csv"
    run = _grade(SOLUTIONS, tmp_path, "--predictions", str(out))
    assert run.returncode == 0, run.stderr
    training = run.json["training"]
    assert training["status"] == P, training
    assert training["dev_accuracy"] >= 0.90 and training["test_accuracy"] >= 0.88
    lines = out.read_text().splitlines()
    assert lines[0] == "ImageId,Label" and len(lines) == 10_001
    assert {int(line.split(",")[1]) for line in lines[1:]} == set(range(10))


def test_a_loop_that_does_not_feed_back_fails_training_with_its_cause(tmp_path, submission):
    folder = submission({"gradient_descent.py": LOOP.format(**(GOOD | MISTAKEN["not_fed_back"]))})
    run = _grade(folder, tmp_path)
    training = run.json["training"]
    assert run.returncode == 1
    assert training["status"] == F and training["dev_accuracy"] < 0.5, training
    assert "gradient_descent fails its checks" in training["message"], training["message"]


def test_training_needs_the_chapter_1_functions(tmp_path, submission):
    folder = submission({"forward_prop.py": "def forward_prop(W1, b1, W2, b2, X):\n"
                                            "    raise NotImplementedError()\n"})
    run = _grade(folder, tmp_path)
    training = run.json["training"]
    assert training["status"] == "skipped", training
    assert "forward_prop still raises NotImplementedError" in training["message"], training


def test_a_loop_that_calls_the_graders_functions_without_end_is_refused(tmp_path, submission):
    """Every call of the grader's functions is kept for the checks: a loop that never stops
    calling them (or sends them large arrays) is refused past the record's limits, and the
    grader finishes."""
    folder = submission({"gradient_descent.py": """
        import numpy as np
        from .forward_prop import forward_prop

        def gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None):
            W1, b1, W2, b2 = np.zeros((10, 784)), np.zeros((10, 1)), np.zeros((10, 10)), np.zeros((10, 1))
            big = np.ones((784, 2000))
            while True:
                forward_prop(W1, b1, W2, b2, big)
        """})
    run = run_grader(["gradient_descent", "--submission", str(folder), "--json", "--seed", "2"],
                     tmp_path, timeout=120)
    result = run.exercise("gradient_descent")
    assert result["status"] in ("failed", "error"), result
    said = told(run, "gradient_descent")
    assert "called more than the" in said and "one check needs" in said, said


# ------------------------------------------------------------------ the instructors' routes

def test_a_class_is_graded_on_chapter_2(tmp_path):
    import csv
    import json

    from conftest import EXERCISES, make_submission, write_file

    class_dir = tmp_path / "class"
    make_submission(class_dir / "alice", {})
    make_submission(class_dir / "bob", {}, base=EXERCISES)
    write_file(class_dir / "carol.py", (CORPUS / "xavier_sum_loss.py").read_text())
    out = tmp_path / "grades.csv"
    run = run_grader(["batch", str(class_dir), "--chapter", "2", "--out", str(out), "--jobs",
                      "2", "--seed", "4"], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    assert "mean score" in run.stdout and "/10" in run.stdout
    with out.open() as f:
        reader = csv.DictReader(f)
        rows = {row["student"]: row for row in reader}
        assert [c for c in reader.fieldnames if c in CHAPTER_2 or c == "relu"] == list(CHAPTER_2)
    assert {n: float(r["score"]) for n, r in rows.items()} == {"alice": 10.0, "bob": 0.0,
                                                               "carol": 4.0}
    assert rows["alice"]["training"] == "passed" and float(rows["alice"]["dev_accuracy"]) >= 0.9
    assert rows["carol"]["init_params"] == rows["carol"]["gradient_descent"] == "failed"
    assert json.loads(out.with_suffix(".json").read_text())["chapter"] == 2


def test_a_gradescope_assignment_for_chapter_2(tmp_path):
    import json
    import shutil
    import subprocess
    import sys
    import zipfile

    from conftest import grader_env

    bundle = tmp_path / "autograder.zip"
    run = run_grader(["gradescope-bundle", str(bundle), "--chapter", "2"], tmp_path / "t")
    assert run.returncode == 0 and "(chapter 2)" in run.stdout, run.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
    assert '-m grader.autograder "$ROOT" 2' in (root / "source" / "run_autograder").read_text()
    shutil.copytree(CORPUS, root / "submission", ignore=lambda d, names: [
        n for n in names if n != "rowwise_eval_helpers.py"])
    (root / "results").mkdir()
    env = dict(grader_env(tmp_path), AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, text=True,
                          capture_output=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads((root / "results" / "results.json").read_text())
    tests = {t["name"].split(":")[0]: t for t in data["tests"]}
    assert set(CHAPTER_2) <= set(tests) and "relu" not in tests
    assert data["score"] == 7.0  # cross_entropy, predict and accuracy fail
    assert "the argmax runs over axis 1" in tests["predict"]["output"]
    assert "90%" in next(t["name"] for t in data["tests"] if t["name"].startswith("training"))


def test_a_classroom_release_for_chapter_2_only(tmp_path):
    run = run_grader(["release", str(tmp_path / "copy"), "--chapter", "2"], tmp_path / "t")
    assert run.returncode == 0, run.stderr
    workflow = (tmp_path / "copy" / ".github" / "workflows" / "classroom.yml").read_text()
    assert "command: python -m grader gradient_descent\n" in workflow
    assert "command: python -m grader --chapter 2\n" in workflow
    assert "python -m grader relu\n" not in workflow
    bad = run_grader(["release", str(tmp_path / "copy2"), "--chapter", "7"], tmp_path / "t2")
    assert bad.returncode == 2 and "there is no chapter '7'" in bad.stderr


@pytest.mark.parametrize("where, said", [("missing/p.csv", "does not exist"),
                                         (".", "that is a folder")])
def test_predictions_to_a_path_that_cannot_be_written_is_refused_before_training(
        tmp_path, where, said):
    run = run_grader(["--chapter", "2", "--submission", str(SOLUTIONS), "--predictions",
                      str(tmp_path / where)], tmp_path / "t")
    assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr


def test_a_notebook_with_files_pasted_from_exercises_is_graded(tmp_path):
    """Each solution file pasted into a cell as it is, `from .relu import relu` included."""
    nbformat = pytest.importorskip("nbformat")
    cells = [nbformat.v4.new_code_cell(p.read_text()) for p in sorted(SOLUTIONS.glob("*.py"))
             if p.name != "__init__.py"]
    path = tmp_path / "mine.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    run = _grade(path, tmp_path / "t", "--no-train")
    assert run.returncode == 0, summary(run)
