"""Hint level 2 derives each exercise's formula, with shapes, and the notebook shows the same text.

The derivation lives once, in the catalog (`Exercise.hints[1]`): `python -m grader hint` prints it
at level 2 and the notebook's section of the exercise folds it in as "Hint 2". It is plain text
(a first line, then a "- " line per step), never the code of level 3.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, grader_env
from grader.catalog import BY_NAME, CHAPTERS, EXERCISES
from grader.worksheet import build_notebook

# What each derivation has to say: the formula's reason and its shapes.
FACTS = {
    "relu": ["max(0, z)", "each element on its own", "shape of Z", "(10, m)",
             "returns a new array"],
    "relu_deriv": ["slope there is 1", "slope there is 0", "At z = 0", "no derivative",
                   "convention here is 0", "shape of Z", "(10, m)"],
    "softmax": ["exp(z_i - c) / sum_r exp(z_r - c)", "= exp(z_i) / sum_r exp(z_r)",
                "the column's max", "exponent is <= 0", "never overflows", "column's own",
                "axis=0", "(1, m)", "(k, m)"],
    "one_hot": ["(num_classes, m)", "T[i, j] = 1.0 if i == Y[j]", "row Y[j]",
                "-sum_i T[i, j] log A2[i, j]", "A2 - T", "(Y[j], j)", "never Y.max() + 1"],
    "forward_prop": ["(10, 784)(784, m) = (10, m)", "b1 (10, 1)", "A1 = relu(Z1)",
                     "(10, 10)(10, m) = (10, m)", "A2 = softmax(Z2)", "column j",
                     "matrix product"],
    "backward_prop": ["L = -(1/m) sum_j log A2[Y[j], j]", "log(sum_r exp(z_r)) - z_y",
                      "a_k - [k = y]", "dZ2 = A2 - one_hot(Y), (10, m)", "1/m", "L is a mean",
                      "/ m", "dW2 = dZ2 A1^T / m", "(10, m)(m, 10) = (10, 10)",
                      "summed over axis 1 / m", "(10, 1)", "dA1 = W2^T dZ2", "transposed",
                      "(10, 10)^T (10, m) = (10, m)", "dZ1 = dA1 * relu_deriv(Z1)",
                      "dW1 = dZ1 X^T / m", "(10, m)(m, 784) = (10, 784)"],
    "update_params": ["W1 <- W1 - alpha * dW1", "against", "learning rate alpha",
                      "To first order", "same shape", "(10, 784)", "(10, 1)", "(10, 10)"],
    "init_params": ["sum over the n_x inputs", "Var(W1) = 2 / n_x", "ReLU keeps about half",
                    "sqrt(2 / fan_in)", "sqrt(2 / n_x) for W1 (n_h, n_x)",
                    "sqrt(2 / n_h) for W2 (n_y, n_h)", "N(0, 2 / fan_in)", "(n_h, 1)",
                    "rand - 0.5"],
    "cross_entropy": ["-log(the probability", "row Y[j] of column j",
                      "-sum_i T[i, j] log A2[i, j]", "shape (m,)", "divide the sum by m",
                      "10 m", "log(0) is -inf"],
    "predict": ["A2[i, j] is largest", "shape (m,)", "axis=0", "over the 10 rows",
                "axis=1 would run along each row"],
    "accuracy": ["element by element", "shape (m,)", "True counts as 1", "m = Y.size",
                 "a float in [0, 1]"],
    "mini_batches": ["without repeats", "every index 0 .. m - 1 once", "X[:, perm]",
                     "Y[perm]", "the same order", "X_batch (784, b), Y_batch (b,)",
                     "ceil(m / batch_size)", "range(0, m, batch_size)"],
    "gradient_descent": ["forward_prop, then backward_prop on the same batch",
                         "W1, b1, W2, b2 = update_params(...)", "one step per epoch",
                         "ceil(m / b) steps per epoch", "A fresh shuffle each epoch",
                         "the same seed trains the same network"],
    "momentum_step": ["v_t = beta v_(t-1) + g_t", "g / (1 - beta)", "ten times g",
                      "with the velocity of this step", "(n_h, 784) for W1",
                      "v = beta v + (1 - beta) g"],
    "adam_step": ["(1 - beta1) g", "(1 - beta2) g^2", "m = (1 - beta1^t) g",
                  "bias correction", "m_hat = g", "t counts from 1", "about alpha in size",
                  "eps goes outside the square root", "(n_h, 784)"],
    "weight_decay": ["(lam / 2) sum over the weights", "lam W[i, j]", "of W's shape",
                     "biases are left out", "Return a new dict"],
    "forward_deep": ["L = len(params) // 2", "A0 is X", "(n_k, m)", "(n_k, 1) is broadcast",
                     "Hidden layers (k < L) apply ReLU", "softmax, column by column",
                     "(A(k-1), Zk, Ak)"],
    "backward_deep": ["(AL - one_hot(Y)) / m", "(n_L, m)", "dWk = dZk A(k-1)^T",
                      "(n_k, n_(k-1))", "shape (n_k, 1)", "dA(k-1) = Wk^T dZk",
                      "dZ(k-1) = dA(k-1) * relu'(Z(k-1))",
                      "only the hidden layers multiply by relu'", "grads['W2'] for W2"],
    "dropout": ["rng.random(A.shape)", "with probability keep_prob", "expected value",
                "inverted dropout", "at test time", "not np.random"],
    "numerical_gradient": ["(f(x + h) - f(x - h)) / 2h", "h^2 f3 / 6", "h f'' / 2",
                           "restore it", "np.ndindex(x.shape)", "average of the two slopes"],
    "im2col": ["one matrix product", "(m, C, H + 2 pad, W + 2 pad)", "y * stride + i",
               "shape (m, C, H', W')", "(C, kh, kw, m, H', W')", "(C * kh * kw, m * H' * W')",
               "order (c, i, j)", "order (n, y, x)"],
    "conv_forward": ["dot product of one filter with one window", "same order (c, i, j)",
                     "(F, m * H' * W')", "broadcasts along the columns", "(F, m, H', W')",
                     "(m, F, H', W')", "H' = (H + 2 pad - kh) // stride + 1"],
    "conv_backward": ["gradients add up", "shape (F,)", "dWr = d @ cols.T",
                      "(C kh kw, m H' W')", "Overlapping windows", "with += so that overlaps "
                      "add up", "drops the padding"],
    "maxpool_forward": ["H' = (H - size) // stride + 1", "shape (m, C, H', W')",
                        "element-wise maximum", "never mixed"],
    "maxpool_backward": ["only that value has a gradient", "first in row-major order",
                         "windows already served", "(stride < size) add up",
                         "its own maximum"],
}
# Level 3's code gives itself away by these; level 2 may name a NumPy function, not the line.
CODE = ("@", "np.", ".T", ".shape", ".sum(", ".max(", ".astype(", "keepdims=True)")
HINT_2_TITLE = "<summary>Hint 2: where the formula comes from</summary>"
SECTIONS = list(enumerate(CHAPTERS[0].exercises, 1))  # the notebook's "## 1. `relu`" and on


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_level_2_derives_the_formula_with_shapes_and_not_the_code(ex):
    derivation, code = ex.hints[1], ex.hints[2]
    missing = [fact for fact in FACTS[ex.name] if fact not in derivation]
    assert not missing, f"{ex.name}'s hint 2 does not say {missing}:\n{derivation}"
    first, *steps = derivation.splitlines()
    assert first.strip() and len(steps) >= 2, derivation
    assert all(step.startswith("- ") and len(step) > 2 for step in steps), derivation
    assert "$" not in derivation and "\\" not in derivation  # plain text: no LaTeX in a terminal
    assert words(code) not in words(derivation)
    for statement in (s.strip().removeprefix("return ").strip() for s in code.split(";")):
        if any(token in statement for token in CODE):
            assert statement not in derivation, f"{ex.name}'s hint 2 gives away {statement!r}"


def _section(nb, number: int, name: str) -> str:
    [cell] = [c for c in nb.cells if c.cell_type == "markdown"
              and c.source.startswith(f"## {number}. `{name}` (")]
    return cell.source


@pytest.mark.parametrize("number, ex", SECTIONS, ids=[ex.name for _, ex in SECTIONS])
def test_notebook_section_carries_the_derivation(number, ex):
    nb = build_notebook()
    section = _section(nb, number, ex.name)
    assert HINT_2_TITLE in section
    fold = section[section.index(HINT_2_TITLE):]
    fold = html.unescape(fold[:fold.index("</details>")])
    assert ex.hints[1] in fold  # the catalog's text itself: one source
    assert all(fact in fold for fact in FACTS[ex.name])
    everything = html.unescape("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    assert everything.count(ex.hints[1]) == 1


@pytest.mark.parametrize("number, ex", SECTIONS, ids=[ex.name for _, ex in SECTIONS])
def test_notebook_derivation_renders_as_plain_steps(number, ex):
    """Markdown shows the steps as a list and makes no emphasis, link or code of * _ [ ]."""
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").render(_section(build_notebook(), number,
                                                                    ex.name))
    assert HINT_2_TITLE in rendered, rendered
    fold = rendered[rendered.index(HINT_2_TITLE):]
    fold = fold[:fold.index("</details>")]
    steps = ex.hints[1].splitlines()[1:]
    assert len(steps) >= 2 and fold.count("<li>") == len(steps), fold
    for tag in ("<em>", "<strong>", "<a ", "<code>", "<h1>", "<h2>"):
        assert tag not in fold, fold
    assert words(html.unescape(re.sub(r"<[^>]+>", " ", fold))) == words(
        "Hint 2: where the formula comes from " + ex.hints[1].replace("\n- ", " "))


def _hint(name: str, state: Path, tmp: Path) -> str:
    tmp.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([sys.executable, "-m", "grader", "hint", name], cwd=REPO,
                         env=grader_env(tmp) | {"NN_GRADER_STATE": str(state)},
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _panel_text(out: str) -> str:
    """The words inside the plain-text panel, its borders and wrapping taken out."""
    return words(" ".join(line.strip().strip("|") for line in out.splitlines()))


def test_hint_command_shows_the_derivation_at_level_2(tmp_path):
    ex, state = BY_NAME["backward_prop"], tmp_path / "state"
    first = _hint(ex.name, state, tmp_path / "tmp")
    assert "Hint 1 of 3: backward_prop" in first
    assert "A2 - one_hot(Y), (10, m)" not in _panel_text(first)

    second = _hint(ex.name, state, tmp_path / "tmp")
    assert "Hint 2 of 3: backward_prop" in second
    shown = _panel_text(second)
    assert words(ex.hints[1]) in shown, shown
    for fact in FACTS[ex.name]:
        assert words(fact) in shown, fact
    assert "dZ2 @ A1.T" not in shown and "keepdims=True" not in shown  # level 3 stays hidden
    assert "reveals hint 3" in shown
    assert json.loads((state / "progress.json").read_text())["hints"] == {ex.name: 2}
