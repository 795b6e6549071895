"""dropout(A, keep_prob, rng) -> (A_dropped, mask).

The mask must come from the rng given, keep about keep_prob of the units, and A_dropped must be
A * mask / keep_prob for the learner's own mask. A mask drawn another way than the docstring's
rng.random(A.shape) < keep_prob (rng.binomial, say) is right too, and only told so; so is a
mask already divided by keep_prob, CS231n's (rng.random(A.shape) < p) / p, which marks the same
units.
"""

import numpy as np
import pytest

from grader.checking import call_explained, known_causes, dicts_untouched
from grader.compare import CheckFailed, NotAsked, expect_array, expect_tuple
from grader.diagnosis import Mistake


def reference(A, keep_prob, rng):
    mask = rng.uniform(size=A.shape) < keep_prob
    return np.where(mask, A / keep_prob, 0.0).astype(np.result_type(A, np.float32)), mask


def _scaled(a: dict, factor: float) -> np.ndarray:
    return a["A"] * a["mask"] * factor


MISTAKES = (
    Mistake("not_inverted", "the kept units are not divided by keep_prob: that is the original "
            "dropout, which must then scale by keep_prob at test time; inverted dropout divides "
            "while training, A * mask / keep_prob, so that testing needs no change",
            lambda a: _scaled(a, 1.0)),
    Mistake("times_keep_prob", "the kept units are multiplied by keep_prob (the test-time "
            "scaling of the original dropout): inverted dropout divides by it",
            lambda a: _scaled(a, a["keep_prob"])),
    Mistake("drop_rate", "the kept units are divided by 1 - keep_prob, the rate of dropping: "
            "divide by keep_prob", lambda a: _scaled(a, 1 / (1 - a["keep_prob"]))),
)


def _dropped(learner, A: np.ndarray, keep_prob: float, seed: int) -> tuple:
    """The learner's (A_dropped, mask) for a generator of this seed, the mask as booleans."""
    got = expect_tuple(call_explained(learner, (A, keep_prob, np.random.default_rng(seed))),
                       ("A_dropped", "mask"), "dropout")
    mask = got[1]
    what = f"mask (value 2 of 2 returned by dropout, A of shape {A.shape})"
    if not isinstance(mask, np.ndarray) or mask.shape != A.shape:
        expect_array(mask, A, what, rtol=np.inf, atol=np.inf, floating=False)
    if mask.dtype.kind == "f" and np.isclose(mask, np.where(mask == 0, 0, 1 / keep_prob),
                                              rtol=1e-6, atol=0).all():
        mask = mask != 0  # CS231n's mask, (rng.random(A.shape) < p) / p: the same units
    if mask.dtype.kind not in "biuf" or not np.isin(mask, (0, 1)).all():
        raise CheckFailed(f"{what} should hold only True and False (or 1 and 0): the units "
                          f"kept and dropped, e.g. rng.random(A.shape) < keep_prob")
    return got[0], mask.astype(bool)


def _inputs(rng, shape=(17, 13)) -> np.ndarray:
    return np.abs(rng.normal(0.0, 1.0, shape)) + 0.1  # ReLU outputs, none exactly 0


@pytest.mark.parametrize("shape, keep_prob", [((17, 13), 0.8), ((40, 1), 0.5)],
                         ids=["(17, 13), keep 0.8", "(40, 1), keep 0.5"])
def check_inverted(learner, rng, shape, keep_prob):
    """A_dropped is A * mask / keep_prob for the mask returned"""
    A = _inputs(rng, shape)
    dropped, mask = _dropped(learner, A, keep_prob, int(rng.integers(2**32)))
    expected = A * mask / keep_prob
    try:
        expect_array(dropped, expected, f"A_dropped (value 1 of 2 returned by dropout, A of "
                     f"shape {shape}, keep_prob = {keep_prob})", rtol=1e-6, atol=1e-12)
    except CheckFailed as failure:
        causes = known_causes(learner, {"A": A, "keep_prob": keep_prob, "mask": mask},
                             (dropped,), (expected,))
        raise CheckFailed(str(failure) + (f"\nLikely cause: {'; '.join(causes)}" if causes
                                          else ""), causes) from None


def check_rate(learner, rng):
    """keeps keep_prob of the units over 200,000 draws"""
    for keep_prob in (0.7, 0.25):
        _, mask = _dropped(learner, _inputs(rng, (400, 500)), keep_prob, int(rng.integers(2**32)))
        kept = float(mask.mean())
        if abs(kept - keep_prob) > 0.01:  # 0.01 is ten standard deviations here
            flipped = abs(kept - (1 - keep_prob)) <= 0.01
            raise CheckFailed(
                f"dropout keeps {kept:.1%} of the units where keep_prob = {keep_prob} asks for "
                f"{keep_prob:.0%} (200,000 units)" + (
                    "\nLikely cause: keep_prob is the probability of keeping a unit: mask = "
                    "rng.random(A.shape) < keep_prob, not > keep_prob or < 1 - keep_prob"
                    if flipped else ""),
                ["keep_prob is taken as the probability of dropping a unit"] if flipped else [])


def check_rng(learner, rng):
    """draws from the rng given: the same seed drops the same units, another seed others"""
    A, seed = _inputs(rng, (30, 20)), int(rng.integers(2**32))
    first, second = (_dropped(learner, A, 0.5, seed)[1] for _ in range(2))
    other = _dropped(learner, A, 0.5, seed ^ 0x5EED)[1]
    if not np.array_equal(first, second) or np.array_equal(first, other):
        raise CheckFailed(
            "dropout's mask does not come from the rng it is given: two generators of the same "
            "seed gave " + ("different masks" if not np.array_equal(first, second) else
                            "the same mask as one of another seed") +
            "\nLikely cause: the mask is drawn with np.random (np.random.rand or np.random."
            "binomial) instead of the rng given: rng.random(A.shape) < keep_prob",
            ["the mask is drawn with np.random instead of the rng given"])


def check_draws(learner, rng):
    """the mask is rng.random(A.shape) < keep_prob, as the docstring draws it"""
    A, seed = _inputs(rng), int(rng.integers(2**32))
    _, mask = _dropped(learner, A, 0.8, seed)
    if not np.array_equal(mask, np.random.default_rng(seed).random(A.shape) < 0.8):
        raise NotAsked("your mask is drawn another way than rng.random(A.shape) < keep_prob; "
                       "that is right too, but the same seed drops other units than the "
                       "grader's")


def check_keep_all(learner, rng):
    """keep_prob = 1 keeps every unit, unchanged"""
    A = _inputs(rng)
    dropped, mask = _dropped(learner, A, 1.0, int(rng.integers(2**32)))
    if not mask.all():
        raise CheckFailed(f"with keep_prob = 1, dropout dropped {int((~mask).sum())} of "
                          f"{mask.size} units: every unit is kept")
    expect_array(dropped, A, "A_dropped with keep_prob = 1", rtol=1e-12, atol=0)


def check_float32(learner, rng):
    """works for float32 activations"""
    A = _inputs(rng).astype(np.float32)
    dropped, mask = _dropped(learner, A, 0.8, int(rng.integers(2**32)))
    expect_array(dropped, A * mask / np.float32(0.8), "A_dropped for float32 A", rtol=1e-5,
                 atol=1e-7)


def check_untouched(learner, rng):
    """leaves A unchanged"""
    dicts_untouched(learner, {"A": _inputs(rng), "keep_prob": 0.5,
                              "rng": np.random.default_rng(int(rng.integers(2**32)))})
