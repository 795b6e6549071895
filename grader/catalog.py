"""Chapters and exercises as data: the one source of truth of the whole package.

A chapter is a record: its number, title, the folder its exercises live in, the exercises in
order and its training verdict. An exercise is a record too: name, points, a summary, what it
takes and returns (with shapes), the learner functions it calls, the docstring of its stub and
three levels of hints. Everything else is derived from these records or checked against them
by `python -m grader dev-check`: the stubs in `exercises/`, the README's exercise table, the
notebook, the Classroom workflow, Gradescope's tests, the scores.

The grader side of an exercise (its reference implementation, known mistakes and checks) is
the module `grader.chapter<N>.<name>`; its solution is `solutions/<name>.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Value:
    """A parameter or a returned value: an array of a (symbolic) shape, or a scalar."""

    name: str
    shape: str | None = None  # "(n_h, m)" for an array; None for a scalar
    type: str = "np.ndarray"
    default: str | None = None  # the default's source text, e.g. "10"

    def annotation(self) -> str:
        return f"{self.name}: {self.type}" + (f" = {self.default}" if self.default else "")


def array(name: str, shape: str) -> Value:
    return Value(name, shape)


def scalar(name: str, type: str, default: str | None = None) -> Value:
    return Value(name, None, type, default)


@dataclass(frozen=True)
class Exercise:
    name: str
    points: float
    summary: str
    inputs: tuple[Value, ...]
    outputs: tuple[Value, ...]  # one: the function returns it; several: a tuple, in this order
    doc: str  # the stub's docstring: shapes, the formula, an example
    # Progressive hints: a nudge; the derivation of the formula, with shapes, in plain text and
    # a line per step ("- " starts each step after the first line; the notebook shows them as a
    # list), without the code; an almost-complete line of code.
    hints: tuple[str, str, str]
    # Learner functions this one calls; while it is graded they are swapped for the grader's
    # reference versions, so a bug in one exercise never fails another.
    calls: tuple[str, ...] = ()
    # Other names learners give this function (the original notebook's among them): found
    # when `name` is not, and graded as this exercise with a note.
    aliases: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.py"

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.inputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.outputs)


@dataclass(frozen=True)
class TrainingSettings:
    """How the grader trains the learner's network: sent to the worker as a dict."""

    method: str  # "mini-batch" (shuffled batches each epoch) or "full-batch" (the notebook's)
    alpha: float
    epochs: int  # passes over the training set; full batch: one step each
    eval_every: int  # steps between two looks at the dev accuracy
    batch_size: int | None = None  # None: the whole training set at once
    init: str = "he"  # "he": N(0, 2 / fan_in), biases 0; "uniform": U(-0.5, 0.5) for everything
    stop_at: float | None = None  # stop early at this dev accuracy
    seed: int = 0


@dataclass(frozen=True)
class Verdict:
    """What chapter training means: this network, trained this way, reaches `target`."""

    layers: tuple[int, ...]  # units per layer, input first: (784, 10, 10)
    uses: tuple[str, ...]  # the learner's functions that training runs
    target: float  # dev accuracy to reach
    budget: float  # seconds the whole training may take in the worker
    settings: TrainingSettings
    variants: dict[str, TrainingSettings]  # other ways to train, by CLI option name
    data: str  # what it trains on, in words


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    folder: str  # where its exercises live, relative to the repository
    exercises: tuple[Exercise, ...]
    verdict: Verdict

    @property
    def max_score(self) -> float:
        return sum(ex.points for ex in self.exercises)

    @property
    def package(self) -> str:
        """The grader modules of its exercises: `grader.chapter<N>.<name>`."""
        return f"grader.chapter{self.number}"


CHAPTER_1 = (
    Exercise(
        "relu", 1.0, "max(0, Z), element by element",
        inputs=(array("Z", "any"),), outputs=(array("A", "like Z"),),
        doc="""The ReLU activation, element by element: max(0, z).

        Z: any shape, e.g. (10, m) for the hidden layer's pre-activations.
        Returns: an array of the same shape as Z. Do not modify Z itself.

        Example:
            relu(np.array([[-2.0, 0.0], [0.5, 3.0]]))  ->  [[0.0, 0.0], [0.5, 3.0]]
        """,
        aliases=("ReLU", "Relu", "ReLu", "reLU", "rectified_linear"),
        hints=(
            "ReLU keeps positive numbers and replaces everything else by 0.",
            "ReLU acts on each element on its own: relu(z) = z where z > 0 and 0 elsewhere, "
            "that is max(0, z).\n"
            "- So A has the shape of Z, e.g. (10, m) for the hidden layer: "
            "A[i, j] = max(0, Z[i, j]).\n"
            "- np.maximum compares two arrays element by element (a number such as 0 is "
            "broadcast to Z's shape) and returns a new array, so Z stays unchanged.\n"
            "- np.max is another function: it reduces, giving the largest value along an axis.",
            "return np.maximum(Z, 0)",
        ),
    ),
    Exercise(
        "relu_deriv", 1.0, "1.0 where Z > 0, else 0.0",
        inputs=(array("Z", "any"),), outputs=(array("dA", "like Z"),),
        doc="""The derivative of ReLU, element by element: 1.0 where z > 0, else 0.0 (also at z = 0).

        Z: any shape, e.g. (10, m).
        Returns: an array of the same shape as Z: 1.0 where Z > 0, else 0.0 (True and False, or
        1 and 0, are accepted too).

        Example:
            relu_deriv(np.array([[-2.0, 0.0], [0.5, 3.0]]))  ->  [[0.0, 0.0], [1.0, 1.0]]
        """,
        aliases=("ReLU_deriv", "deriv_ReLU", "deriv_relu", "deriv_ReLu", "deriv_Relu",
                 "derelu", "reLUDeriv", "relu_derivative", "ReLU_derivative", "relu_prime",
                 "drelu", "dReLU", "relu_grad", "relu_backward"),
        hints=(
            "The slope of max(0, z) is 1 on the right of zero and 0 on the left (and, by "
            "convention, 0 at zero itself).",
            "relu(z) = z for z > 0, so its slope there is 1; relu(z) = 0 for z < 0, so its "
            "slope there is 0.\n"
            "- At z = 0 the two sides disagree and relu has no derivative; any value in [0, 1] "
            "would do, and the convention here is 0: 1.0 only where z > 0, strictly.\n"
            "- Element by element, so the result has the shape of Z, e.g. (10, m): "
            "1.0 where Z[i, j] > 0, else 0.0.\n"
            "- Z > 0 is a boolean array of that shape; .astype(float) turns True / False into "
            "1.0 / 0.0.",
            "return (Z > 0).astype(float)",
        ),
    ),
    Exercise(
        "softmax", 2.0, "column-wise softmax, finite even for |Z| up to 1e4",
        inputs=(array("Z", "(k, m)"),), outputs=(array("A", "(k, m)"),),
        doc="""Column-wise softmax: turns each column of scores into probabilities that sum to 1.

        Z: shape (k, m), one example per column (k = 10 classes for our network).
        Returns: shape (k, m), where for every column j and row i
            A[i, j] = exp(Z[i, j]) / sum over r of exp(Z[r, j]).
        Must stay finite for any finite Z, even |Z| up to 1e4: exp(1000) overflows, but
        subtracting the column's maximum first gives the same result without overflow.
        Do not modify Z itself.

        Example:
            softmax(np.array([[1.0, 0.0], [1.0, np.log(3.0)]]))  ->  [[0.5, 0.25], [0.5, 0.75]]
        """,
        aliases=("Softmax", "soft_max", "SoftMax"),
        hints=(
            "Each column is one example: its 10 outputs must be positive and sum to 1.",
            "Subtracting the same number c from every score of a column leaves its softmax "
            "unchanged:\n"
            "- exp(z_i - c) / sum_r exp(z_r - c) = exp(-c) exp(z_i) / (exp(-c) sum_r exp(z_r)) "
            "= exp(z_i) / sum_r exp(z_r).\n"
            "- With c = the column's max, every exponent is <= 0, so exp never overflows "
            "(exp(1000) is inf, and inf / inf is nan); the largest term is exp(0) = 1, so the "
            "sum is at least 1, never 0.\n"
            "- The max must be each column's own: with one max for the whole matrix, every exp "
            "of a column far below it underflows to 0, and 0 / 0 is nan.\n"
            "- Each column is one example: its max and its sum run over axis=0, the k rows; with "
            "keepdims=True both have shape (1, m) and broadcast over Z's (k, m).",
            "E = np.exp(Z - Z.max(axis=0, keepdims=True)); "
            "return E / E.sum(axis=0, keepdims=True)",
        ),
    ),
    Exercise(
        "one_hot", 1.0, "labels (m,) to a one-hot matrix (10, m)",
        inputs=(array("Y", "(m,)"), scalar("num_classes", "int", "10")),
        outputs=(array("T", "(num_classes, m)"),),
        doc="""Labels to one-hot columns: column j is all zeros except a 1.0 in row Y[j].

        Y: shape (m,), integer labels in 0 .. num_classes - 1.
        Returns: a float array of shape (num_classes, m), even when some classes do not occur in Y.
        Do not modify Y itself.

        Example:
            one_hot(np.array([2, 0]), num_classes=3)  ->  [[0.0, 1.0],
                                                           [0.0, 0.0],
                                                           [1.0, 0.0]]
        """,
        aliases=("onehot", "one_hot_encode", "oneHotEncode", "one_hot_encoding", "OneHot",
                 "one_hot_y", "to_one_hot"),
        hints=(
            "Column j of the result is all zeros except a 1.0 in row Y[j].",
            "one_hot writes the labels in the shape of A2, one example per column:\n"
            "- T has shape (num_classes, m), and T[i, j] = 1.0 if i == Y[j], else 0.0: column j "
            "is 0.0 except a 1.0 in row Y[j] (digit 0 is row 0).\n"
            "- With it the loss of example j, -log A2[Y[j], j], is -sum_i T[i, j] log A2[i, j], "
            "and backward_prop's dZ2 is A2 - T, both (10, m).\n"
            "- The 1.0s sit at the m positions (Y[j], j) for j = 0 .. m - 1: start from zeros "
            "and index T with two integer arrays, the rows Y and the columns 0 .. m - 1, to set "
            "all m at once.\n"
            "- The number of rows is num_classes, never Y.max() + 1: a batch without a single 9 "
            "still needs 10 rows.",
            "T = np.zeros((num_classes, Y.size)); T[Y, np.arange(Y.size)] = 1.0; return T",
        ),
    ),
    Exercise(
        "forward_prop", 2.0, "Z1, A1, Z2, A2",
        inputs=(array("W1", "(n_h, 784)"), array("b1", "(n_h, 1)"), array("W2", "(10, n_h)"),
                array("b2", "(10, 1)"), array("X", "(784, m)")),
        outputs=(array("Z1", "(n_h, m)"), array("A1", "(n_h, m)"), array("Z2", "(10, m)"),
                 array("A2", "(10, m)")),
        calls=("relu", "softmax"),
        doc="""The forward pass of the 784-10-10 network, for m examples at once.

        W1 (10, 784), b1 (10, 1), W2 (10, 10), b2 (10, 1); X (784, m), one image per column.
        Returns the tuple (Z1, A1, Z2, A2), each of shape (10, m):
            Z1 = W1 X + b1        (b1 is added to every column)
            A1 = relu(Z1)
            Z2 = W2 A1 + b2
            A2 = softmax(Z2)      (column j holds the 10 class probabilities of example j)
        Use your relu and softmax. Do not modify the inputs.

        Example (m = 1): with every weight and bias 0, Z1 = A1 = Z2 = zeros((10, 1)) and
        A2 = full((10, 1), 0.1): every digit is equally likely.
        """,
        aliases=("forward_propagation", "forwardPropagation", "fwdProp", "forward",
                 "foward_prop", "forward_propogation", "forward_pass", "forwardProp",
                 "feed_forward", "feedforward"),
        hints=(
            "Follow the formulas in order; each result feeds the next one.",
            "Each layer multiplies by its weights, adds its bias and applies its activation; "
            "with one example per column the shapes chain:\n"
            "- Z1 = W1 X + b1: (10, 784)(784, m) = (10, m); b1 (10, 1) is added to each of the "
            "m columns (broadcasting).\n"
            "- A1 = relu(Z1): (10, m), element by element.\n"
            "- Z2 = W2 A1 + b2: (10, 10)(10, m) = (10, m), plus b2 (10, 1) in every column.\n"
            "- A2 = softmax(Z2): (10, m); column j holds the 10 class probabilities of "
            "example j.\n"
            "- Column j of Z1 is W1 times column j of X, plus b1, so one matrix product computes "
            "all m examples. W1 X is the matrix product (@ in NumPy); * multiplies element by "
            "element.",
            "Z1 = W1 @ X + b1; A1 = relu(Z1); Z2 = W2 @ A1 + b2; A2 = softmax(Z2); "
            "return Z1, A1, Z2, A2",
        ),
    ),
    Exercise(
        "backward_prop", 2.0, "dW1, db1, dW2, db2 of the mean cross-entropy",
        inputs=(array("Z1", "(n_h, m)"), array("A1", "(n_h, m)"), array("Z2", "(10, m)"),
                array("A2", "(10, m)"), array("W1", "(n_h, 784)"), array("W2", "(10, n_h)"),
                array("X", "(784, m)"), array("Y", "(m,)")),
        outputs=(array("dW1", "(n_h, 784)"), array("db1", "(n_h, 1)"),
                 array("dW2", "(10, n_h)"), array("db2", "(10, 1)")),
        calls=("one_hot", "relu_deriv"),
        doc="""Gradients of the mean cross-entropy loss with respect to W1, b1, W2 and b2.

        Z1, A1, Z2, A2 (10, m) come from forward_prop; W1 (10, 784), W2 (10, 10);
        X (784, m); Y (m,) integer labels. With m = X.shape[1]:
            dZ2 = A2 - one_hot(Y)                      (10, m)
            dW2 = dZ2 A1^T / m                         (10, 10)
            db2 = dZ2 summed over axis 1 / m           (10, 1)   keep it a column: keepdims=True
            dZ1 = (W2^T dZ2) * relu_deriv(Z1)          (10, m)   * is element by element
            dW1 = dZ1 X^T / m                          (10, 784)
            db1 = dZ1 summed over axis 1 / m           (10, 1)
        Returns the tuple (dW1, db1, dW2, db2). Use your one_hot and relu_deriv. Do not modify the
        inputs.

        Example (m = 1): if A2 already equals one_hot(Y), then dZ2 = 0 and all four gradients
        are zero: a perfect prediction leaves nothing to learn.
        """,
        aliases=("back_prop", "backward_propagation", "backwards_prop", "backward_propogation",
                 "bwdProp", "backwardPropagation", "backprop", "backward_pass", "backwardProp",
                 "back_propagation", "backpropagation"),
        hints=(
            "Go backwards: output layer first, then the hidden layer; m = X.shape[1].",
            "L = -(1/m) sum_j log A2[Y[j], j]: the mean over the m examples of -log(the "
            "probability given to the right class).\n"
            "- One column, label y: a_y = exp(z_y) / sum_r exp(z_r), so -log a_y = "
            "log(sum_r exp(z_r)) - z_y, whose derivative by z_k is a_k - [k = y] (1 if k = y, "
            "else 0).\n"
            "- The m columns side by side: dZ2 = A2 - one_hot(Y), (10, m), the gradient of the "
            "summed loss m L.\n"
            "- 1/m: L is a mean, so each parameter's gradient is that of the sum divided by m, "
            "the / m in dW2, db2, dW1 and db1.\n"
            "- Z2[i, j] = sum_k W2[i, k] A1[k, j] + b2[i], so dW2[i, k] = (1/m) sum_j "
            "dZ2[i, j] A1[k, j]: dW2 = dZ2 A1^T / m, (10, m)(m, 10) = (10, 10), W2's shape.\n"
            "- b2[i] is added in every column j, so db2[i] = (1/m) sum_j dZ2[i, j]: dZ2 summed "
            "over axis 1 / m, (10, 1), b2's shape.\n"
            "- A1[k, j] enters every Z2[i, j] through W2[i, k], so dA1[k, j] = sum_i W2[i, k] "
            "dZ2[i, j]: dA1 = W2^T dZ2, W2 transposed, (10, 10)^T (10, m) = (10, m).\n"
            "- A1 = relu(Z1) element by element, so dZ1 = dA1 * relu_deriv(Z1), element by "
            "element: (10, m).\n"
            "- The first layer repeats this with X in place of A1: dW1 = dZ1 X^T / m, "
            "(10, m)(m, 784) = (10, 784); db1 = dZ1 summed over axis 1 / m, (10, 1).",
            "m = X.shape[1]; dZ2 = A2 - one_hot(Y); dW2 = dZ2 @ A1.T / m; "
            "db2 = dZ2.sum(axis=1, keepdims=True) / m; ...",
        ),
    ),
    Exercise(
        "update_params", 1.0, "one gradient-descent step",
        inputs=(array("W1", "(n_h, 784)"), array("b1", "(n_h, 1)"), array("W2", "(10, n_h)"),
                array("b2", "(10, 1)"), array("dW1", "(n_h, 784)"), array("db1", "(n_h, 1)"),
                array("dW2", "(10, n_h)"), array("db2", "(10, 1)"), scalar("alpha", "float")),
        outputs=(array("W1", "(n_h, 784)"), array("b1", "(n_h, 1)"), array("W2", "(10, n_h)"),
                 array("b2", "(10, 1)")),
        doc="""One step of gradient descent: each parameter moves against its gradient.

            W1 <- W1 - alpha * dW1      b1 <- b1 - alpha * db1
            W2 <- W2 - alpha * dW2      b2 <- b2 - alpha * db2
        Shapes: W1, dW1 (10, 784); b1, db1 (10, 1); W2, dW2 (10, 10); b2, db2 (10, 1);
        alpha is the learning rate, a positive float such as 0.1.
        Returns the tuple (W1, b1, W2, b2). Updating them in place is allowed; the gradients must
        stay unchanged.

        Example: W1 = [[1.0]], dW1 = [[2.0]], alpha = 0.1 gives W1 = [[0.8]].
        """,
        aliases=("updateParams", "update_parameters", "updateParameters", "update_prams",
                 "updateparams", "update"),
        hints=(
            "Gradient descent moves each parameter a small step against its gradient.",
            "dW1 is the gradient of the loss L with respect to W1: the direction in which L "
            "grows fastest, so a small step against it lowers L.\n"
            "- W1 <- W1 - alpha * dW1, and the same for b1, W2 and b2; the learning rate alpha "
            "(e.g. 0.1) sets the size of the step.\n"
            "- To first order the step changes L by -alpha * (the sum of the squares of every "
            "gradient element), which is negative: L goes down while alpha is small enough, and "
            "too large an alpha overshoots.\n"
            "- A parameter and its gradient have the same shape, so the update is element by "
            "element: W1, dW1 (10, 784); b1, db1 (10, 1); W2, dW2 (10, 10); b2, db2 (10, 1).\n"
            "- Return the new W1, b1, W2, b2, in that order.",
            "return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2",
        ),
    ),
)

CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        1, "The network", "exercises", CHAPTER_1,
        Verdict(
            layers=(784, 10, 10), uses=("forward_prop", "backward_prop", "update_params"),
            target=0.80, budget=120.0, data="7,000 of the shipped training digits",
            # Mini-batch SGD from He initialisation: about 150 steps reach 0.85 dev.
            settings=TrainingSettings("mini-batch", alpha=0.2, epochs=5, eval_every=5,
                                      batch_size=64, stop_at=0.85),
            # The original notebook's method: uniform initialisation, 500 full-batch steps.
            variants={"full-batch": TrainingSettings("full-batch", alpha=0.10, epochs=500,
                                                     eval_every=10, init="uniform")},
        ),
    ),
)

EXERCISES: tuple[Exercise, ...] = tuple(ex for ch in CHAPTERS for ex in ch.exercises)
BY_NAME: dict[str, Exercise] = {ex.name: ex for ex in EXERCISES}
NAMES: tuple[str, ...] = tuple(BY_NAME)
CHAPTER_OF: dict[str, Chapter] = {ex.name: ch for ch in CHAPTERS for ex in ch.exercises}
MAX_SCORE: float = CHAPTERS[0].max_score  # chapter 1, graded by default


def grader_module(name: str) -> str:
    """The dotted name of an exercise's grader module (reference, mistakes, checks)."""
    return f"{CHAPTER_OF[name].package}.{name}"
