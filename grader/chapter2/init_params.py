"""init_params(n_x=784, n_h=10, n_y=10, rng=None) -> (W1, b1, W2, b2), He initialisation.

Random numbers differ from one correct implementation to the next (rng.normal, or
rng.standard_normal times the scale), so the checks hold the draws to what every correct one
shares: shapes, zero biases, the mean, spread and tails of N(0, 2 / fan_in) over large draws,
and the rng honoured. A wrong spread is named by the scale it matches.
"""

import numpy as np

from grader.compare import CheckFailed, expect_tuple, num
from grader.diagnosis import Symptom

NAMES = ("W1", "b1", "W2", "b2")
# Large draws, with fan-ins and fan-outs all different, so that each wrong scale is told apart
# (none within 9% of another): W1 (300, 784), W2 (200, 300).
SIZES = (784, 300, 200)
SPREAD = 0.03  # the measured standard deviation may be 3% off: over 10^5 draws it is ~0.2%
TAIL = 0.0455  # the fraction of a normal distribution beyond 2 standard deviations


def reference(n_x=784, n_h=10, n_y=10, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    return (rng.normal(0.0, np.sqrt(2.0 / n_x), (n_h, n_x)), np.zeros((n_h, 1)),
            rng.normal(0.0, np.sqrt(2.0 / n_h), (n_y, n_h)), np.zeros((n_y, 1)))


def _spread(scale, says: str):
    """A Symptom: W's standard deviation is `scale(fan_in, fan_out)`, within SPREAD."""
    def matches(a: dict, W: np.ndarray) -> str | None:
        return says if abs(float(W.std()) / scale(a["fan_in"], a["fan_out"]) - 1) < SPREAD \
            else None
    return matches


def _positive(a: dict, W: np.ndarray) -> str | None:
    if W.min() >= 0 and W.mean() > 0.25 * W.std():
        return ("the weights are all positive (np.random.rand draws from [0, 1)): draw from a "
                "normal distribution centred on 0")
    return None


def _he_uniform(a: dict, W: np.ndarray) -> str | None:
    if abs(float(W.std()) / np.sqrt(2 / a["fan_in"]) - 1) < SPREAD \
            and np.mean(np.abs(W) > 2 * W.std()) < 0.01:
        return ("the weights are uniform with He's variance (He uniform, bound "
                "sqrt(6 / fan_in)): this exercise draws them from the normal distribution")
    return None


# What a weight matrix shows when its initialisation is one of these known mistakes, given
# its fan_in and fan_out; the first that holds is said.
MISTAKES = (
    Symptom("positive", _positive),
    Symptom("notebook", _spread(lambda n, o: np.sqrt(1 / 12), "the weights are uniform in "
            "[-0.5, 0.5] (the original notebook's rand - 0.5): He initialisation draws "
            "N(0, 2 / fan_in), rng.standard_normal(shape) * np.sqrt(2 / fan_in)")),
    Symptom("unit", _spread(lambda n, o: 1.0, "the weights are N(0, 1): multiply them by "
            "np.sqrt(2 / fan_in)")),
    Symptom("xavier", _spread(lambda n, o: np.sqrt(1 / n), "the weights have standard deviation "
            "sqrt(1 / fan_in) (Xavier/LeCun): He's, for ReLU, is sqrt(2 / fan_in)")),
    Symptom("fan_out", _spread(lambda n, o: np.sqrt(2 / o), "the weights are scaled by their "
            "number of outputs (fan_out, the rows): fan_in is the number of inputs, the "
            "columns, so sqrt(2 / n_x) for W1 and sqrt(2 / n_h) for W2")),
    Symptom("glorot", _spread(lambda n, o: np.sqrt(2 / (n + o)), "the weights have standard "
            "deviation sqrt(2 / (fan_in + fan_out)) (Glorot): He's is sqrt(2 / fan_in)")),
    Symptom("variance", _spread(lambda n, o: 2 / n, "the variance 2 / fan_in is used as the "
            "standard deviation: scale by its square root, np.sqrt(2 / fan_in)")),
    Symptom("he_uniform", _he_uniform),
    Symptom("other_layer", _spread(lambda n, o: np.sqrt(2 / SIZES[0]) if n != SIZES[0]
                                   else np.nan,
            "W2 is scaled by n_x, W1's number of inputs: each layer uses its own fan_in, "
            "np.sqrt(2 / n_h) for W2")),
)


def _checked(got, shapes: tuple) -> tuple:
    got = expect_tuple(got, NAMES, "init_params")
    for name, value, shape in zip(NAMES, got, shapes):
        if not isinstance(value, np.ndarray):
            raise CheckFailed(f"{name} should be a NumPy array of shape {shape}, but it is "
                              f"{type(value).__name__}")
        if value.shape != shape:
            hint = " (the transpose: rows are the layer's units, columns its inputs)" \
                if value.shape == shape[::-1] else \
                " (a column vector: np.zeros((n, 1)))" if shape[1] == 1 and value.shape == shape[:1] \
                else ""
            raise CheckFailed(f"{name} should have shape {shape}, but it has shape "
                              f"{value.shape}{hint}")
        if value.dtype.kind != "f":
            raise CheckFailed(f"{name} should hold floating-point numbers, but its dtype is "
                              f"{value.dtype}")
    return got


def _statistics(name: str, W: np.ndarray, fan_in: int, fan_out: int) -> None:
    """W's entries must look like draws from N(0, 2 / fan_in)."""
    sigma = np.sqrt(2 / fan_in)
    s, mean = float(W.std()), float(W.mean())
    tail = float(np.mean(np.abs(W - mean) > 2 * s)) if s > 0 else 0.0
    where = f"{name} ({W.shape[0]} x {W.shape[1]} = {W.size:,} weights, fan_in = {fan_in})"
    if not np.isfinite(W).all():
        raise CheckFailed(f"{where} holds NaN or infinite values")
    problem = None
    if abs(s / sigma - 1) > SPREAD:
        problem = (f"{where} has standard deviation {num(s)}; He initialisation gives "
                   f"sqrt(2 / {fan_in}) = {num(sigma)} (within {SPREAD:.0%})")
    elif abs(mean) > 5 * sigma / np.sqrt(W.size):
        problem = f"{where} has mean {num(mean)}; draws of N(0, 2 / fan_in) average about 0"
    elif abs(tail - TAIL) > 0.01:
        problem = (f"{where} has {tail:.1%} of its values beyond 2 standard deviations, where "
                   f"a normal distribution has {TAIL:.1%}: draw from N(0, 2 / fan_in) "
                   f"(rng.standard_normal), not from a uniform distribution")
    if problem:
        fans = {"fan_in": fan_in, "fan_out": fan_out}
        cause = next(filter(None, (m.says(fans, W) for m in MISTAKES)), None)
        raise CheckFailed(problem + (f"\nLikely cause: {cause}" if cause else ""),
                          [cause] if cause else [])


def _draw(learner, rng, sizes=SIZES) -> tuple:
    n_x, n_h, n_y = sizes
    return _checked(learner(n_x, n_h, n_y, rng), ((n_h, n_x), (n_h, 1), (n_y, n_h), (n_y, 1)))


def check_shapes(learner, rng):
    """returns W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1)"""
    _draw(learner, rng, (50, 20, 5))


def check_defaults(learner, rng):
    """init_params() gives the 784-10-10 network, drawing from a generator of its own"""
    _checked(learner(), ((10, 784), (10, 1), (10, 10), (10, 1)))


def check_biases(learner, rng):
    """the biases start at 0"""
    for name, b in zip(NAMES[1::2], _draw(learner, rng)[1::2]):
        if np.any(b != 0):
            raise CheckFailed(f"{name} should start at 0, but {int(np.count_nonzero(b))} of its "
                              f"{b.size} entries are not 0 (e.g. {num(b[b != 0][0])})\n"
                              "Likely cause: the biases are drawn at random: np.zeros((n, 1))",
                              ["the biases are drawn at random: np.zeros((n, 1))"])


def check_he_statistics(learner, rng):
    """W1 and W2 look like draws of N(0, 2 / fan_in)"""
    W1, _, W2, _ = _draw(learner, rng)
    n_x, n_h, n_y = SIZES
    _statistics("W1", W1, n_x, n_h)
    _statistics("W2", W2, n_h, n_y)


def check_rng(learner, rng):
    """the same rng seed gives the same parameters, another seed others"""
    seed = int(rng.integers(2**32))
    sizes = (784, 10, 10)
    first = _draw(learner, np.random.default_rng(seed), sizes)
    again = _draw(learner, np.random.default_rng(seed), sizes)
    if not all(np.array_equal(a, b) for a, b in zip(first, again)):
        cause = ("init_params does not draw from the rng it is given (np.random.randn and "
                 "np.random.rand use NumPy's global generator): draw with rng.standard_normal "
                 "or rng.normal")
        raise CheckFailed(f"init_params(784, 10, 10, np.random.default_rng({seed})) returned "
                          f"other weights the second time\nLikely cause: {cause}", [cause])
    other = _draw(learner, np.random.default_rng(seed + 1), sizes)
    if np.array_equal(first[0], other[0]):
        cause = ("init_params ignores the rng it is given (a generator of its own, with a "
                 "fixed seed?): draw from rng")
        raise CheckFailed(f"init_params gives the same W1 for the seeds {seed} and {seed + 1}"
                          f"\nLikely cause: {cause}", [cause])
