"""The grader on right answers: the solutions, the untouched stubs, and correct variants.

A correct implementation must pass whatever NumPy idiom it uses (CONTRACT.md section 2), and a
bug in relu/softmax/one_hot/relu_deriv must not fail the exercises that call them.
"""

from __future__ import annotations

import pytest

from conftest import (MAX_SCORE, mktemp, EXERCISES, NAMES, POINTS, SOLUTIONS, Prefetched, grade_json, make_submission,
                      selected_params)

ALL_PASSED = {name: "passed" for name in NAMES}


# --------------------------------------------------------------------------- solutions and stubs

def test_solutions_pass_everything(grade):
    run = grade(SOLUTIONS)
    assert run.returncode == 0, run.describe()
    assert run.statuses == ALL_PASSED, run.describe()
    assert [e["name"] for e in run.json["exercises"]] == list(NAMES)  # in catalog order
    assert run.json["score"] == MAX_SCORE and run.json["max_score"] == MAX_SCORE
    assert run.json["seed"] == 0
    for ex in run.json["exercises"]:
        assert ex["checks"], f"{ex['name']} passed without any check"
        assert all(c["status"] == "passed" for c in ex["checks"]), ex
        assert ex["score"] == POINTS[ex["name"]]
    assert run.json["training"]["status"] == "skipped"


@pytest.mark.parametrize("seed", [1, 12345, 2**31 - 1])
def test_solutions_pass_for_other_seeds(grade, seed):
    run = grade(SOLUTIONS, seed=seed)
    assert (run.returncode, run.statuses) == (0, ALL_PASSED), run.describe()
    assert run.json["seed"] == seed


def test_same_seed_same_report(grade, submission):
    """The seed decides the inputs: two runs of a buggy submission give the same messages."""
    sub = submission({"softmax.py": """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z)
            return E / E.sum(axis=0, keepdims=True)
        """})
    first, second = grade(sub, seed=7), grade(sub, seed=7)
    assert first.json["exercises"] == second.json["exercises"]
    assert first.statuses == dict(ALL_PASSED, softmax="failed")


def test_untouched_stubs_are_not_started(grade):
    run = grade(EXERCISES)
    assert run.returncode == 1, run.describe()
    assert run.statuses == {name: "not_started" for name in NAMES}, run.describe()
    assert run.json["score"] == 0.0 and run.json["max_score"] == MAX_SCORE
    assert all(e["score"] == 0.0 for e in run.json["exercises"])


def test_missing_and_stub_functions_are_not_started(grade, submission, tmp_path):
    """A folder with some files missing and some still raising NotImplementedError."""
    sub = submission({"update_params.py": """
        def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
            raise NotImplementedError
        """})
    (sub / "backward_prop.py").unlink()
    (sub / "one_hot.py").unlink()
    run = grade(sub)
    expected = dict(ALL_PASSED, update_params="not_started", backward_prop="not_started",
                    one_hot="not_started")
    assert run.statuses == expected, run.describe()
    assert run.returncode == 1
    assert run.json["score"] == MAX_SCORE - 1.0 - 2.0 - 1.0


def test_single_file_with_some_functions(grade, tmp_path):
    from conftest import write_file
    sub = write_file(tmp_path / "partial.py", """
        import numpy as np

        def relu(Z):
            return np.maximum(Z, 0)

        def softmax(Z):
            raise NotImplementedError("todo")
        """)
    run = grade(sub)
    expected = {name: "not_started" for name in NAMES}
    expected["relu"] = "passed"
    assert run.statuses == expected, run.describe()
    assert run.json["score"] == 1.0 and run.returncode == 1


# --------------------------------------------------------------------------- correct variants

# indented like the sources below, which are dedented as a whole
REL_IMPORTS_FWD = " " * 12 + "from .relu import relu\n" + " " * 12 + "from .softmax import softmax\n"
REL_IMPORTS_BWD = (" " * 12 + "from .one_hot import one_hot\n"
                   + " " * 12 + "from .relu_deriv import relu_deriv\n")

VARIANTS: dict[str, dict[str, str]] = {
    "relu_deriv_booleans": {  # the original notebook's own relu_deriv (CONTRACT section 2)
        "relu_deriv.py": """
            def relu_deriv(Z):
                return Z > 0
            """,
    },
    "relu_deriv_integers": {
        "relu_deriv.py": """
            import numpy as np

            def relu_deriv(Z):
                return np.where(Z > 0, 1, 0)
            """,
    },
    "np_where": {
        "relu.py": """
            import numpy as np

            def relu(Z):
                return np.where(Z > 0, Z, 0)
            """,
        "relu_deriv.py": """
            import numpy as np

            def relu_deriv(Z):
                return np.where(Z > 0, 1.0, 0.0)
            """,
        "one_hot.py": """
            import numpy as np

            def one_hot(Y, num_classes=10):
                return np.where(np.arange(num_classes)[:, None] == Y[None, :], 1.0, 0.0)
            """,
    },
    "float32_in_float32_out": {
        "relu.py": """
            import numpy as np

            def relu(Z):
                return np.maximum(Z, Z.dtype.type(0))
            """,
        "relu_deriv.py": """
            import numpy as np

            def relu_deriv(Z):
                return (Z > 0).astype(Z.dtype)
            """,
        "softmax.py": """
            import numpy as np

            def softmax(Z):
                E = np.exp(Z - Z.max(axis=0, keepdims=True))
                return (E / E.sum(axis=0, keepdims=True)).astype(Z.dtype, copy=False)
            """,
        "one_hot.py": """
            import numpy as np

            def one_hot(Y, num_classes=10):
                T = np.zeros((num_classes, Y.size), dtype=np.float32)
                T[Y, np.arange(Y.size)] = 1
                return T
            """,
        "forward_prop.py": REL_IMPORTS_FWD + """
            def forward_prop(W1, b1, W2, b2, X):
                dtype = X.dtype
                Z1 = (W1 @ X + b1).astype(dtype)
                A1 = relu(Z1)
                Z2 = (W2 @ A1 + b2).astype(dtype)
                return Z1, A1, Z2, softmax(Z2).astype(dtype)
            """,
        "backward_prop.py": REL_IMPORTS_BWD + """
            def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
                dtype = A2.dtype
                m = X.shape[1]
                dZ2 = A2 - one_hot(Y).astype(dtype)
                dW2 = (dZ2 @ A1.T / m).astype(dtype)
                db2 = (dZ2.sum(axis=1, keepdims=True) / m).astype(dtype)
                dZ1 = (W2.T @ dZ2) * relu_deriv(Z1).astype(dtype)
                dW1 = (dZ1 @ X.T / m).astype(dtype)
                db1 = (dZ1.sum(axis=1, keepdims=True) / m).astype(dtype)
                return dW1, db1, dW2, db2
            """,
        "update_params.py": """
            def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
                return tuple((p - alpha * g).astype(p.dtype)
                             for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)))
            """,
    },
    "always_float64": {
        "relu.py": """
            import numpy as np

            def relu(Z):
                return np.maximum(np.asarray(Z, dtype=np.float64), 0.0)
            """,
        "relu_deriv.py": """
            import numpy as np

            def relu_deriv(Z):
                return np.heaviside(np.asarray(Z, dtype=np.float64), 0.0)
            """,
        "softmax.py": """
            import numpy as np

            def softmax(Z):
                Z = np.asarray(Z, dtype=np.float64)
                E = np.exp(Z - Z.max(axis=0, keepdims=True))
                return E / E.sum(axis=0, keepdims=True)
            """,
    },
    "python_loops": {
        "relu.py": """
            import numpy as np

            def relu(Z):
                out = np.empty_like(Z)
                rows, cols = Z.shape
                for i in range(rows):
                    for j in range(cols):
                        out[i, j] = Z[i, j] if Z[i, j] > 0 else 0.0
                return out
            """,
        "relu_deriv.py": """
            import numpy as np

            def relu_deriv(Z):
                out = np.zeros(Z.shape)
                for idx in np.ndindex(Z.shape):
                    if Z[idx] > 0:
                        out[idx] = 1.0
                return out
            """,
        "softmax.py": """
            import math
            import numpy as np

            def softmax(Z):
                A = np.empty(Z.shape)
                for j in range(Z.shape[1]):
                    col = [float(z) for z in Z[:, j]]
                    top = max(col)
                    exps = [math.exp(z - top) for z in col]
                    total = sum(exps)
                    for i, e in enumerate(exps):
                        A[i, j] = e / total
                return A
            """,
        "one_hot.py": """
            import numpy as np

            def one_hot(Y, num_classes=10):
                T = np.zeros((num_classes, len(Y)))
                for j, y in enumerate(Y):
                    T[int(y)][j] = 1.0
                return T
            """,
        "update_params.py": """
            def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
                new = []
                for p, g in [(W1, dW1), (b1, db1), (W2, dW2), (b2, db2)]:
                    new.append(p - alpha * g)
                return tuple(new)
            """,
    },
    "in_place_updates": {
        "update_params.py": """
            def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
                W1 -= alpha * dW1
                b1 -= alpha * db1
                W2 -= alpha * dW2
                b2 -= alpha * db2
                return W1, b1, W2, b2
            """,
        "softmax.py": """
            import numpy as np

            def softmax(Z):
                A = Z - Z.max(axis=0, keepdims=True)  # a new array: updating it is fine
                np.exp(A, out=A)
                A /= A.sum(axis=0, keepdims=True)
                return A
            """,
        "backward_prop.py": REL_IMPORTS_BWD + """
            def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
                m = X.shape[1]
                dZ2 = A2.copy()
                dZ2 -= one_hot(Y)
                dZ2 /= m
                dZ1 = W2.T @ dZ2
                dZ1 *= relu_deriv(Z1)
                return dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True), dZ2 @ A1.T, dZ2.sum(axis=1, keepdims=True)
            """,
    },
    "absolute_imports": {
        "forward_prop.py": """
            from relu import relu
            from softmax import softmax

            def forward_prop(W1, b1, W2, b2, X):
                Z1 = W1 @ X + b1
                A1 = relu(Z1)
                Z2 = W2 @ A1 + b2
                return Z1, A1, Z2, softmax(Z2)
            """,
        "backward_prop.py": """
            import numpy as np
            from one_hot import one_hot
            from relu_deriv import relu_deriv

            def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
                m = X.shape[1]
                dZ2 = A2 - one_hot(Y)
                dZ1 = np.dot(W2.T, dZ2) * relu_deriv(Z1)
                return (np.dot(dZ1, X.T) / m, np.sum(dZ1, axis=1, keepdims=True) / m,
                        np.dot(dZ2, A1.T) / m, np.sum(dZ2, axis=1, keepdims=True) / m)
            """,
    },
    "module_imports_and_aliases": {
        "forward_prop.py": """
            import numpy
            from . import relu as relu_module
            from .softmax import softmax as activation_out

            def forward_prop(W1, b1, W2, b2, X):
                Z1 = numpy.matmul(W1, X) + b1
                A1 = relu_module.relu(Z1)
                Z2 = numpy.einsum("ij,jm->im", W2, A1) + b2
                return Z1, A1, Z2, activation_out(Z2)
            """,
        "backward_prop.py": """
            from . import one_hot as oh, relu_deriv as rd

            def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
                m = Y.size
                dZ2 = (A2 - oh.one_hot(Y, A2.shape[0])) / m
                dZ1 = W2.T.dot(dZ2) * rd.relu_deriv(Z1)
                return dZ1.dot(X.T), dZ1.sum(1).reshape(-1, 1), dZ2.dot(A1.T), dZ2.sum(1)[:, None]
            """,
    },
    "sizes_and_other_idioms": {
        "relu.py": """
            def relu(Z):
                return Z * (Z > 0)  # -0.0 where Z < 0, which equals 0.0
            """,
        "relu_deriv.py": """
            import numpy as np

            def relu_deriv(Z):
                return np.greater(Z, 0).astype(float)
            """,
        "one_hot.py": """
            import numpy as np

            def one_hot(Y, num_classes=10):
                return np.eye(num_classes)[Y].T  # a transposed view of a new array
            """,
        "softmax.py": """
            import numpy as np

            def softmax(Z):
                # no keepdims: (k, m) - (m,) broadcasts over the rows, which is what we want
                E = np.exp(Z - np.max(Z, axis=0))
                return E / np.sum(E, axis=0)
            """,
        "backward_prop.py": REL_IMPORTS_BWD + """
            def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
                m = len(Y)
                dZ2 = A2 - one_hot(Y)
                dW2 = 1 / m * dZ2.dot(A1.T)
                db2 = 1 / m * dZ2.sum(axis=1).reshape(dZ2.shape[0], 1)
                dZ1 = W2.T.dot(dZ2) * relu_deriv(Z1)
                dW1 = 1 / m * dZ1.dot(X.T)
                db1 = 1 / m * dZ1.sum(axis=1).reshape(-1, 1)
                return dW1, db1, dW2, db2
            """,
    },
    "logsumexp_softmax": {
        "softmax.py": """
            import numpy as np

            def _logsumexp(Z, axis=0):
                top = Z.max(axis=axis, keepdims=True)
                return top + np.log(np.exp(Z - top).sum(axis=axis, keepdims=True))

            def softmax(Z):
                return np.exp(Z - _logsumexp(Z))
            """,
    },
}

SINGLE_FILE = """
    import numpy as np


    def _shift(Z):
        return Z - Z.max(axis=0, keepdims=True)


    def _dense(W, b, A):
        return W @ A + b


    def relu(Z):
        return np.clip(Z, 0, None)


    def relu_deriv(Z):
        return (Z > 0) * 1.0


    def softmax(Z):
        E = np.exp(_shift(Z))
        return E / E.sum(axis=0, keepdims=True)


    def one_hot(Y, num_classes=10):
        T = np.zeros((num_classes, Y.shape[0]))
        T[Y, range(Y.shape[0])] = 1
        return T


    def forward_prop(W1, b1, W2, b2, X):
        Z1 = _dense(W1, b1, X)
        A1 = relu(Z1)
        Z2 = _dense(W2, b2, A1)
        return Z1, A1, Z2, softmax(Z2)


    def _mean_over_examples(G, m):
        return G.sum(axis=1, keepdims=True) / m


    def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
        m = X.shape[1]
        dZ2 = A2 - one_hot(Y)
        dZ1 = W2.T @ dZ2 * relu_deriv(Z1)
        return dZ1 @ X.T / m, _mean_over_examples(dZ1, m), dZ2 @ A1.T / m, _mean_over_examples(dZ2, m)


    def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
        params = [W1, b1, W2, b2]
        grads = [dW1, db1, dW2, db2]
        return tuple(p - alpha * g for p, g in zip(params, grads))
    """


@pytest.fixture(scope="module")
def graded_variant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """graded_variant(name) -> Run of all seven; the selected variants are graded in parallel."""

    def job(name: str):
        root = mktemp(tmp_path_factory, name)
        return grade_json(make_submission(root / "submission", VARIANTS[name]), root / "tmp")

    return Prefetched(selected_params(request, "variant"), job).__getitem__


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_correct_variant_passes(graded_variant, variant):
    run = graded_variant(variant)
    assert run.statuses == ALL_PASSED, run.describe()
    assert run.returncode == 0 and run.json["score"] == MAX_SCORE, run.describe()


def test_single_py_file_with_helpers_passes(grade, tmp_path):
    from conftest import write_file
    run = grade(write_file(tmp_path / "my_network.py", SINGLE_FILE))
    assert run.statuses == ALL_PASSED, run.describe()
    assert run.returncode == 0 and run.json["score"] == MAX_SCORE


def test_enough_variants():
    assert len(VARIANTS) + 1 >= 5


# --------------------------------------------------------------------------- isolation

BROKEN_HELPERS = {
    "relu.py": """
        def relu(Z):
            return Z  # forgot the max
        """,
    "softmax.py": """
        import numpy as np

        def softmax(Z):
            return np.exp(Z)  # forgot to normalise
        """,
    "one_hot.py": """
        import numpy as np

        def one_hot(Y, num_classes=10):
            return np.eye(num_classes)[Y]  # (m, 10): the transpose
        """,
    "relu_deriv.py": """
        def relu_deriv(Z):
            raise ValueError("not today")
        """,
}
ISOLATED = dict(ALL_PASSED, relu="failed", softmax="failed", one_hot="failed", relu_deriv="error")


def test_broken_helpers_do_not_fail_their_callers(grade, submission):
    run = grade(submission(BROKEN_HELPERS))
    assert run.statuses == ISOLATED, run.describe()
    assert run.json["score"] == MAX_SCORE - 1 - 2 - 1 - 1


def test_broken_helpers_do_not_fail_their_callers_in_a_single_file(grade, tmp_path):
    from conftest import write_file
    source = SINGLE_FILE.replace("return np.clip(Z, 0, None)", "return Z").replace(
        "T[Y, range(Y.shape[0])] = 1", "T[Y, range(Y.shape[0])] = 2")
    run = grade(write_file(tmp_path / "network.py", source))
    assert run.statuses == dict(ALL_PASSED, relu="failed", one_hot="failed"), run.describe()


def test_broken_helpers_do_not_fail_their_callers_through_module_imports(grade, submission):
    run = grade(submission(dict(BROKEN_HELPERS, **VARIANTS["module_imports_and_aliases"])))
    assert run.statuses == ISOLATED, run.describe()


def test_broken_helpers_do_not_fail_their_callers_through_absolute_imports(grade, submission):
    """`from relu import relu` loads relu.py a second time, under its bare name: swap that too."""
    run = grade(submission(dict(BROKEN_HELPERS, **VARIANTS["absolute_imports"])))
    assert run.statuses == ISOLATED, run.describe()
