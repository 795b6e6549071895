"""The one source of truth for the exercises: order, points, what each calls, and hints.

The CLI, the checks, the report, the JSON and the README all read this list. Each exercise
lives in `exercises/<name>.py` and defines the function `<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    name: str
    points: float
    summary: str
    # Learner functions this one calls; while it is graded they are swapped for the grader's
    # reference versions, so a bug in one exercise never fails another.
    calls: tuple[str, ...] = ()
    # Progressive hints: a nudge, the idea with its formula or shape, an almost-complete line.
    hints: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.py"


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "relu", 1.0, "ReLU activation: max(0, Z), element by element",
        hints=(
            "ReLU keeps positive numbers and replaces everything else by 0.",
            "NumPy compares an array with a number element by element: np.maximum(0, Z) "
            "has the same shape as Z.",
            "return np.maximum(Z, 0)",
        ),
    ),
    Exercise(
        "relu_deriv", 1.0, "ReLU's derivative: 1.0 where Z > 0, else 0.0",
        hints=(
            "The slope of max(0, z) is 1 on the right of zero and 0 on the left; "
            "the result must be floats, not booleans.",
            "Z > 0 is a boolean array of Z's shape; turn it into 1.0 / 0.0 with .astype(float).",
            "return (Z > 0).astype(float)",
        ),
    ),
    Exercise(
        "softmax", 2.0, "column-wise softmax, finite even for |Z| up to 1e4",
        hints=(
            "Each column is one example: its 10 outputs must be positive and sum to 1.",
            "softmax(z) = exp(z - max(z)) / sum(exp(z - max(z))), taken over axis=0 "
            "(the rows of one column); subtracting the column's max keeps exp from overflowing.",
            "E = np.exp(Z - Z.max(axis=0, keepdims=True)); "
            "return E / E.sum(axis=0, keepdims=True)",
        ),
    ),
    Exercise(
        "one_hot", 1.0, "labels (m,) -> one-hot matrix (num_classes, m)",
        hints=(
            "Column j of the result is all zeros except a 1.0 in row Y[j].",
            "Start from np.zeros((num_classes, Y.size)) and set one element per column; "
            "the number of rows is num_classes, never Y.max() + 1.",
            "T = np.zeros((num_classes, Y.size)); T[Y, np.arange(Y.size)] = 1.0; return T",
        ),
    ),
    Exercise(
        "forward_prop", 2.0, "Z1, A1, Z2, A2 of the 784-10-10 network",
        calls=("relu", "softmax"),
        hints=(
            "Follow the formulas in order; each result feeds the next one.",
            "Z1 = W1 X + b1 has shape (10, m); b1 (10, 1) is broadcast over the m columns. "
            "A1 = relu(Z1), Z2 = W2 A1 + b2, A2 = softmax(Z2).",
            "Z1 = W1 @ X + b1; A1 = relu(Z1); Z2 = W2 @ A1 + b2; A2 = softmax(Z2); "
            "return Z1, A1, Z2, A2",
        ),
    ),
    Exercise(
        "backward_prop", 2.0, "gradients dW1, db1, dW2, db2 of the mean cross-entropy",
        calls=("one_hot", "relu_deriv"),
        hints=(
            "Go backwards: output layer first, then the hidden layer; m = X.shape[1].",
            "dZ2 = A2 - one_hot(Y); dW2 = dZ2 A1^T / m; db2 = dZ2 summed over axis=1 "
            "(keepdims) / m; dZ1 = W2^T dZ2 * relu_deriv(Z1); dW1 = dZ1 X^T / m.",
            "m = X.shape[1]; dZ2 = A2 - one_hot(Y); dW2 = dZ2 @ A1.T / m; "
            "db2 = dZ2.sum(axis=1, keepdims=True) / m; ...",
        ),
    ),
    Exercise(
        "update_params", 1.0, "one gradient-descent step: W -= alpha * dW",
        hints=(
            "Gradient descent moves each parameter a small step against its gradient.",
            "New W1 = W1 - alpha * dW1, and the same for b1, W2, b2; return them in that order.",
            "return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2",
        ),
    ),
)

BY_NAME: dict[str, Exercise] = {ex.name: ex for ex in EXERCISES}
NAMES: tuple[str, ...] = tuple(BY_NAME)
MAX_SCORE: float = sum(ex.points for ex in EXERCISES)
