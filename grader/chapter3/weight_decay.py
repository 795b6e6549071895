"""weight_decay(grads, params, lam) -> grads with lam W added to each weight's gradient."""

import pytest

from grader.checking import DTYPES, dicts_match, dicts_untouched, param_dicts
from grader.diagnosis import Mistake


def reference(grads, params, lam):
    return {k: g + lam * params[k] if k.startswith("W") else g for k, g in grads.items()}


def _decayed(a: dict, factor: float = 1.0, biases: bool = False) -> dict:
    return {k: g + factor * a["lam"] * a["params"][k] if k.startswith("W") or biases else g
            for k, g in a["grads"].items()}


MISTAKES = (
    Mistake("biases_too", "the biases' gradients get lam b too: weight decay is for the "
            "weights (keys starting with W) only", lambda a: _decayed(a, biases=True)),
    Mistake("minus", "lam W is subtracted: the penalty's gradient lam W is added",
            lambda a: _decayed(a, -1.0)),
    Mistake("half", "lam W / 2 is added: the gradient of (lam / 2) W^2 is lam W",
            lambda a: _decayed(a, 0.5)),
    Mistake("twice", "2 lam W is added (the gradient of lam W^2): this exercise's penalty is "
            "(lam / 2) W^2, whose gradient is lam W", lambda a: _decayed(a, 2.0)),
)


def decay_inputs(rng, layers=(784, 10, 10), dtype=float, lam=0.01) -> dict:
    return {"grads": param_dicts(rng, layers, dtype, scale=0.5),
            "params": param_dicts(rng, layers, dtype), "lam": lam}


@pytest.mark.parametrize("layers, lam", [((784, 10, 10), 0.01), ((30, 20, 15, 10), 0.3)],
                         ids=["784-10-10", "30-20-15-10"])
def check_random(learner, rng, layers, lam):
    """adds lam W to every weight's gradient and leaves the biases' as they are"""
    dicts_match(learner, decay_inputs(rng, layers, lam=lam))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def check_dtypes(learner, rng, dtype):
    """works for float32 and float64 gradients"""
    dicts_match(learner, decay_inputs(rng, dtype=dtype, lam=0.1))


def check_untouched(learner, rng):
    """leaves grads and params unchanged"""
    dicts_untouched(learner, decay_inputs(rng, lam=0.1))
