"""One-bug versions of the solutions ("mutants"): the grader must fail exactly the buggy exercise.

Each mutant is a copy of solutions/ with ONE file replaced. Every mutant is graded once, on all
seven exercises with a fixed seed, and the result is shared by the tests below:

- test_mutant_fails_only_its_exercise: the buggy exercise is failed (or error, where the bug
  makes NumPy raise), every other exercise passes, the score and exit status follow;
- test_mutant_message_points_at_the_bug: one message of the buggy exercise holds every fragment
  that tells a learner what is wrong (the shape, "keepdims", "transpose", "wrong sign", ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MAX_SCORE, mktemp, NAMES, POINTS, Prefetched, grade_json, make_submission, selected_params


@dataclass(frozen=True)
class Mutant:
    id: str
    exercise: str
    source: str
    fragments: tuple[str, ...]  # all in ONE message of the exercise (a failed check's or its own)
    status: str = "failed"
    only_checks: str = ""  # if set, every failed check's name contains this
    xfail: str = ""  # reason, when the grader's message does not (yet) point at the bug


M = Mutant
MUTANTS: list[Mutant] = [
    # ------------------------------------------------------------------ softmax
    M("softmax_axis1", "softmax", """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            return E / E.sum(axis=1, keepdims=True)
        """, ("the rows sum to 1 instead", "axis=0")),
    M("softmax_no_max_shift", "softmax", """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z)
            return E / E.sum(axis=0, keepdims=True)
        """, ("non-finite", "element ["), only_checks="large |Z|"),
    M("softmax_global_max_shift", "softmax", """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z - Z.max())  # one shift for the whole matrix: columns far below underflow
            return E / E.sum(axis=0, keepdims=True)
        """, ("non-finite",), only_checks="large |Z|"),
    M("softmax_global_sum", "softmax", """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z - Z.max(axis=0, keepdims=True))
            return E / E.sum()
        """, ("column", "sums to", "not 1")),
    M("softmax_rowwise_max_without_keepdims", "softmax", """
        import numpy as np

        def softmax(Z):
            shifted = Z - Z.max(axis=1)  # (k, m) - (k,): broadcasts only when k == m
            E = np.exp(shifted)
            return E / E.sum(axis=0, keepdims=True)
        """, ("could not be broadcast", "softmax.py, line 4")),
    # ------------------------------------------------------------------ relu
    M("relu_in_place", "relu", """
        import numpy as np

        def relu(Z):
            np.maximum(Z, 0, out=Z)
            return Z
        """, ("changed its input Z in place",), only_checks="unchanged"),
    M("relu_int_result", "relu", """
        import numpy as np

        def relu(Z):
            return np.maximum(Z, 0).astype(int)
        """, ("floating-point", "int64", ".astype(float)")),
    # ------------------------------------------------------------------ relu_deriv
    M("relu_deriv_at_zero", "relu_deriv", """
        def relu_deriv(Z):
            return (Z >= 0).astype(float)
        """, ("element [0, 1]", "got 1, expected 0")),
    # ------------------------------------------------------------------ one_hot
    M("one_hot_rows_from_labels", "one_hot", """
        import numpy as np

        def one_hot(Y, num_classes=10):
            T = np.zeros((Y.max() + 1, Y.size))
            T[Y, np.arange(Y.size)] = 1.0
            return T
        """, ("should have shape (10, 3)", "has shape (4, 3)")),
    M("one_hot_transposed", "one_hot", """
        import numpy as np

        def one_hot(Y, num_classes=10):
            T = np.zeros((Y.size, num_classes))
            T[np.arange(Y.size), Y] = 1.0
            return T
        """, ("(10, 3)", "(3, 10)", "transpose")),
    M("one_hot_ints", "one_hot", """
        import numpy as np

        def one_hot(Y, num_classes=10):
            T = np.zeros((num_classes, Y.size), dtype=int)
            T[Y, np.arange(Y.size)] = 1
            return T
        """, ("floating-point", "int64", ".astype(float)")),
    # ------------------------------------------------------------------ forward_prop
    M("forward_without_b1", "forward_prop", """
        from .relu import relu
        from .softmax import softmax

        def forward_prop(W1, b1, W2, b2, X):
            Z1 = W1 @ X
            A1 = relu(Z1)
            Z2 = W2 @ A1 + b2
            return Z1, A1, Z2, softmax(Z2)
        """, ("Z1 (value 1 of 4", "elements are wrong")),
    M("forward_b1_transposed", "forward_prop", """
        from .relu import relu
        from .softmax import softmax

        def forward_prop(W1, b1, W2, b2, X):
            Z1 = W1 @ X + b1.T
            A1 = relu(Z1)
            Z2 = W2 @ A1 + b2
            return Z1, A1, Z2, softmax(Z2)
        """, ("could not be broadcast", "forward_prop.py, line 5")),
    M("forward_b1_summed_over_wrong_axis", "forward_prop", """
        from .relu import relu
        from .softmax import softmax

        def forward_prop(W1, b1, W2, b2, X):
            Z1 = W1 @ X + b1.sum(axis=0)  # one number instead of one bias per unit
            A1 = relu(Z1)
            Z2 = W2 @ A1 + b2
            return Z1, A1, Z2, softmax(Z2)
        """, ("Z1 (value 1 of 4", "elements are wrong")),
    M("forward_wrong_order", "forward_prop", """
        from .relu import relu
        from .softmax import softmax

        def forward_prop(W1, b1, W2, b2, X):
            Z1 = W1 @ X + b1
            A1 = relu(Z1)
            Z2 = W2 @ A1 + b2
            return A1, Z1, Z2, softmax(Z2)
        """, ("Z1 (value 1 of 4", "Value 1 is A1", "order")),
    M("forward_relu_on_Z2", "forward_prop", """
        from .relu import relu
        from .softmax import softmax

        def forward_prop(W1, b1, W2, b2, X):
            Z1 = W1 @ X + b1
            A1 = relu(Z1)
            Z2 = relu(W2 @ A1 + b2)
            return Z1, A1, Z2, softmax(Z2)
        """, ("Z2 (value 3 of 4", "elements are wrong")),
    M("forward_softmax_before_b2", "forward_prop", """
        from .relu import relu
        from .softmax import softmax

        def forward_prop(W1, b1, W2, b2, X):
            Z1 = W1 @ X + b1
            A1 = relu(Z1)
            Z2 = W2 @ A1 + b2
            A2 = softmax(W2 @ A1) + b2
            return Z1, A1, Z2, A2
        """, ("A2 (value 4 of 4", "elements are wrong")),
    # ------------------------------------------------------------------ backward_prop
    M("backward_dW1_without_1_over_m", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 (value 1 of 4", "every value is 7 times the expected one")),
    M("backward_dW2_without_1_over_m", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW2 (value 3 of 4", "every value is 7 times the expected one")),
    M("backward_db2_without_keepdims", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("db2 (value 4 of 4", "shape (10,)", "keepdims")),
    M("backward_db2_over_axis0", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=0, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("db2 (value 4 of 4", "should have shape (10, 1)", "axis=0")),
    M("backward_dZ1_with_W2_not_transposed", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2 @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 disagrees with the finite-difference gradient",)),
    M("backward_dZ1_without_relu_deriv", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = W2.T @ dZ2
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 disagrees with the finite-difference gradient",)),
    M("backward_dW1_transposed", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = X @ dZ1.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 (value 1 of 4", "shape (784, 10)", "transpose")),
    M("backward_m_global_constant", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        m = 7  # the batch size of the notebook's example

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 (value 1 of 4", "every value is 0.1429 times the expected one")),
    M("backward_m_from_labels", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = Y.max() + 1  # the number of classes, not of examples
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 (value 1 of 4", "times the expected one")),
    M("backward_m_from_rows", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = A2.shape[0]  # rows are classes; examples are columns
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 (value 1 of 4", "every value is 0.1 times the expected one")),
    M("backward_wrong_return_order", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = A2 - one_hot(Y)
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, dW2, db1, db2
        """, ("db1 (value 2 of 4", "has shape (10, 10)", "Value 2 is dW2", "order")),
    M("backward_sign_error", "backward_prop", """
        from .one_hot import one_hot
        from .relu_deriv import relu_deriv

        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = X.shape[1]
            dZ2 = one_hot(Y) - A2
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return dW1, db1, dW2, db2
        """, ("dW1 (value 1 of 4", "wrong sign")),
    # ------------------------------------------------------------------ update_params
    M("update_adds_gradient", "update_params", """
        def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
            return W1 + alpha * dW1, b1 + alpha * db1, W2 + alpha * dW2, b2 + alpha * db2
        """, ("W1 (value 1 of 4", "adds the gradient instead of subtracting it")),
    M("update_forgets_b1", "update_params", """
        def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
            return W1 - alpha * dW1, b1, W2 - alpha * dW2, b2 - alpha * db2
        """, ("b1 (value 2 of 4", "elements are wrong")),
    M("update_alpha_on_weights_only", "update_params", """
        def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
            return W1 - alpha * dW1, b1 - db1, W2 - alpha * dW2, b2 - db2
        """, ("b1 (value 2 of 4", "elements are wrong")),
    M("update_in_place_on_gradients", "update_params", """
        def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
            dW1 *= alpha
            db1 *= alpha
            dW2 *= alpha
            db2 *= alpha
            return W1 - dW1, b1 - db1, W2 - dW2, b2 - db2
        """, ("changed its input dW1 in place",), only_checks="unchanged"),
]

BY_ID = {m.id: m for m in MUTANTS}
assert len(BY_ID) == len(MUTANTS), "mutant ids must be unique"


@pytest.fixture(scope="module")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """graded(mutant) -> Run of all seven exercises; the selected mutants are graded in parallel."""

    def job(mutant: Mutant):
        root: Path = mktemp(tmp_path_factory, mutant.id)
        sub = make_submission(root / "submission", {f"{mutant.exercise}.py": mutant.source})
        return grade_json(sub, root / "tmp", seed=0)

    runs = Prefetched(selected_params(request, "mutant"), job)
    return runs.__getitem__


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_mutant_fails_only_its_exercise(graded, mutant: Mutant):
    run = graded(mutant)
    expected = {name: "passed" for name in NAMES}
    expected[mutant.exercise] = mutant.status
    assert run.statuses == expected, run.describe()
    assert run.returncode == 1, run.describe()
    assert run.json["score"] == pytest.approx(MAX_SCORE - POINTS[mutant.exercise]), run.describe()
    assert run.json["max_score"] == MAX_SCORE
    ex = run.exercise(mutant.exercise)
    assert ex["score"] == 0.0
    if mutant.status == "failed":
        assert run.failed_checks(mutant.exercise), run.describe()
    if mutant.only_checks:
        wrong = [c["name"] for c in run.failed_checks(mutant.exercise)
                 if mutant.only_checks not in c["name"]]
        assert not wrong, f"only the '{mutant.only_checks}' checks should fail, not {wrong}"


@pytest.mark.parametrize("mutant", [
    pytest.param(m, id=m.id, marks=[pytest.mark.xfail(reason=m.xfail, strict=True)] if m.xfail else [])
    for m in MUTANTS])
def test_mutant_message_points_at_the_bug(graded, mutant: Mutant):
    run = graded(mutant)
    messages = run.messages(mutant.exercise)
    assert any(all(f in msg for f in mutant.fragments) for msg in messages), (
        f"no message of {mutant.exercise} holds all of {mutant.fragments}:\n{run.describe()}")


def test_enough_mutants():
    assert len(MUTANTS) >= 22
    assert {m.exercise for m in MUTANTS} == set(NAMES)


def test_update_params_messages_mention_only_its_inputs(graded):
    """No 'X of shape (784, 7)' in the messages of a function that never receives X."""
    run = graded(BY_ID["update_forgets_b1"])
    assert run.messages("update_params"), run.describe()
    for msg in run.messages("update_params"):
        assert "X of shape" not in msg, msg
