"""momentum_step(params, grads, velocity, alpha, beta=0.9) -> (params, velocity)."""

import numpy as np
import pytest

from grader.chapter3 import FIXED_KEYS, only_first_layers
from grader.checking import DTYPES, dicts_untouched, param_dicts, steps_match
from grader.diagnosis import Mistake

LAYERS = ((784, 10, 10), (30, 20, 15, 10))  # chapter 1's network, and one of three layers


def reference(params, grads, velocity, alpha, beta=0.9):
    new_v = {k: beta * velocity[k] + grads[k] for k in params}
    return {k: params[k] - alpha * new_v[k] for k in params}, new_v


def _wrong(a: dict, velocity, step=None) -> tuple:
    """(params, velocity) of a learner whose new velocity is `velocity(v, g)` and whose step
    is `step(v_new, g)` (by default the new velocity)."""
    v = {k: velocity(a["velocity"][k], a["grads"][k]) for k in a["params"]}
    moved = {k: a["params"][k] - a["alpha"] * (step(v[k], a["grads"][k]) if step else v[k])
             for k in a["params"]}
    return moved, v


MISTAKES = (
    Mistake("averaged", "the velocity is the averaged form v = beta v + (1 - beta) g; this "
            "exercise uses v = beta v + g (PyTorch's)",
            lambda a: _wrong(a, lambda v, g: a["beta"] * v + (1 - a["beta"]) * g)),
    Mistake("gradient_step", "the parameters move by alpha times the gradient, not the "
            "velocity: p = p - alpha v, with the new v",
            lambda a: _wrong(a, lambda v, g: a["beta"] * v + g, lambda v, g: g)),
    Mistake("old_velocity", "the parameters move by the velocity of the last step: update "
            "the velocity first, then p = p - alpha v with the new one",
            lambda a: ({k: a["params"][k] - a["alpha"] * a["velocity"][k] for k in a["params"]},
                       {k: a["beta"] * a["velocity"][k] + a["grads"][k] for k in a["params"]})),
    Mistake("velocity_unchanged", "the velocity returned is the one given: return the new "
            "velocity, so that the next step builds on it",
            lambda a: (_wrong(a, lambda v, g: a["beta"] * v + g)[0], a["velocity"])),
    Mistake("no_beta", "beta is left out: v = beta v + g",
            lambda a: _wrong(a, lambda v, g: v + g)),
    Mistake("adds_velocity", "the step adds the velocity: p = p - alpha v",
            lambda a: _wrong(a, lambda v, g: a["beta"] * v + g, lambda v, g: -v)),
    Mistake("fixed_keys", FIXED_KEYS,
            lambda a: only_first_layers(a, reference(a["params"], a["grads"], a["velocity"],
                                                      a["alpha"], a["beta"]))),
    Mistake("sutskever", "the velocity is kept in the form v = beta v - alpha g, p = p + v "
            "(CS231n's): the parameters come out the same, but this exercise's velocity is "
            "v = beta v + g, with p = p - alpha v",
            lambda a: _wrong(a, lambda v, g: a["beta"] * v - a["alpha"] * g, lambda v, g: -v / a["alpha"])),
)


def step_inputs(rng, layers=(784, 10, 10), dtype=np.float64, alpha=0.1, beta=0.9) -> dict:
    params = param_dicts(rng, layers, dtype)
    return {"params": params, "velocity": {k: np.zeros_like(p) for k, p in params.items()},
            "alpha": alpha, "beta": beta}


def _grads(rng, layers, dtype=np.float64):
    return lambda: param_dicts(rng, layers, dtype, scale=0.5)


@pytest.mark.parametrize("layers", LAYERS, ids=["784-10-10", "30-20-15-10"])
def check_steps(learner, rng, layers):
    """three steps in a row, each from the params and velocity the last one returned"""
    steps_match(learner, step_inputs(rng, layers, beta=0.8), _grads(rng, layers))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def check_dtypes(learner, rng, dtype):
    """works for float32 and float64 parameters"""
    steps_match(learner, step_inputs(rng, dtype=dtype), _grads(rng, (784, 10, 10), dtype), 2)


def check_default_beta(learner, rng):
    """beta is 0.9 when it is not given"""
    args = step_inputs(rng)
    args.pop("beta")
    steps_match(learner, args, _grads(rng, (784, 10, 10)), 2)


def check_untouched(learner, rng):
    """leaves grads unchanged"""
    args = dict(step_inputs(rng), grads=param_dicts(rng, scale=0.5))
    dicts_untouched(learner, args, may_change=("params", "velocity"))
