"""adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
-> (params, m, v)."""

import numpy as np
import pytest

from grader.chapter3 import FIXED_KEYS, only_first_layers
from grader.checking import DTYPES, dicts_untouched, param_dicts, steps_match
from grader.diagnosis import Mistake


def reference(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam(params, grads, m, v, t, alpha, beta1, beta2, eps)


def _adam(params, grads, m, v, t, alpha, beta1, beta2, eps, *, correct=True, t_shift=0,
          eps_inside=False, square=True, use_hat=True):
    """Adam, or a known mistake's version of it."""
    new_m = {k: beta1 * m[k] + (1 - beta1) * grads[k] for k in params}
    new_v = {k: beta2 * v[k] + (1 - beta2) * (grads[k] ** 2 if square else grads[k])
             for k in params}
    step = t + t_shift
    out = {}
    for k in params:
        m_hat = new_m[k] / (1 - beta1 ** step) if correct and use_hat else new_m[k]
        v_hat = new_v[k] / (1 - beta2 ** step) if correct else new_v[k]
        root = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        out[k] = params[k] - alpha * m_hat / root
    return out, new_m, new_v


def _as(a: dict, **mistake) -> tuple:
    return _adam(a["params"], a["grads"], a["m"], a["v"], a["t"], a.get("alpha", 1e-3),
                 a.get("beta1", 0.9), a.get("beta2", 0.999), a.get("eps", 1e-8), **mistake)


MISTAKES = (
    Mistake("no_bias_correction", "m and v are used without bias correction: divide them by "
            "(1 - beta1 ** t) and (1 - beta2 ** t)", lambda a: _as(a, correct=False)),
    Mistake("t_from_0", "the bias correction counts steps from 0 (t - 1): t is 1 at the first "
            "step, so use beta1 ** t and beta2 ** t as given", lambda a: _as(a, t_shift=-1)),
    Mistake("t_plus_1", "the bias correction uses t + 1: t is already the step's number, "
            "1 for the first", lambda a: _as(a, t_shift=1)),
    Mistake("eps_inside", "eps is inside the square root, sqrt(v_hat + eps): it goes outside, "
            "sqrt(v_hat) + eps", lambda a: _as(a, eps_inside=True)),
    Mistake("not_squared", "v averages the gradient, not its square: v = beta2 v + (1 - beta2) "
            "g ** 2", lambda a: _as(a, square=False)),
    Mistake("no_m_hat", "the step uses m where the bias-corrected m_hat belongs",
            lambda a: _as(a, use_hat=False)),
    Mistake("fixed_keys_adam", FIXED_KEYS, lambda a: only_first_layers(a, _as(a))),
    Mistake("moments_swapped", "m and v come back in each other's place: return (params, m, "
            "v), m the average of the gradients and v of their squares",
            lambda a: (lambda p, m, v: (p, v, m))(*_as(a))),
    Mistake("betas_swapped", "beta1 and beta2 are swapped: beta1 (0.9) averages the gradient, "
            "beta2 (0.999) its square",
            lambda a: _adam(a["params"], a["grads"], a["m"], a["v"], a["t"], a.get("alpha", 1e-3),
                            a.get("beta2", 0.999), a.get("beta1", 0.9), a.get("eps", 1e-8))),
)


def adam_inputs(rng, layers=(784, 10, 10), dtype=np.float64, **hyper) -> dict:
    params = param_dicts(rng, layers, dtype)
    zeros = {k: np.zeros_like(p) for k, p in params.items()}
    return {"params": params, "m": zeros, "v": dict(zeros), **hyper}


def _grads(rng, layers=(784, 10, 10), dtype=np.float64, scale=0.5):
    return lambda: param_dicts(rng, layers, dtype, scale=scale)


@pytest.mark.parametrize("layers", [(784, 10, 10), (30, 20, 15, 10)],
                         ids=["784-10-10", "30-20-15-10"])
def check_steps(learner, rng, layers):
    """steps t = 1, 2, 3, each from the params, m and v the last one returned"""
    steps_match(learner, adam_inputs(rng, layers, alpha=0.01), _grads(rng, layers),
                counter="t")


def folded(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """The paper's own way of writing the step: the bias corrections folded into the step
    size, alpha_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t), and eps added to sqrt(v) itself.
    It differs from the exercise's formula only in where eps sits (eps sqrt(1 - beta2^t)
    instead of eps), so it is accepted."""
    new_m = {k: beta1 * m[k] + (1 - beta1) * grads[k] for k in params}
    new_v = {k: beta2 * v[k] + (1 - beta2) * grads[k] ** 2 for k in params}
    rate = alpha * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return ({k: params[k] - rate * new_m[k] / (np.sqrt(new_v[k]) + eps) for k in params},
            new_m, new_v)


ALSO_RIGHT = (folded,)  # other formulas of the same algorithm (see grader.checking.dicts_match)


def check_small_gradients(learner, rng):
    """gradients of 1e-6, where eps is as large as sqrt(v_hat)"""
    steps_match(learner, adam_inputs(rng, alpha=0.01), _grads(rng, scale=1e-6), 2, "t")


def check_defaults(learner, rng):
    """alpha 1e-3, beta1 0.9, beta2 0.999 and eps 1e-8 when they are not given"""
    steps_match(learner, adam_inputs(rng), _grads(rng), 2, "t")


def check_hyperparameters(learner, rng):
    """alpha, beta1, beta2 and eps as given"""
    steps_match(learner, adam_inputs(rng, alpha=0.05, beta1=0.8, beta2=0.99, eps=1e-6),
                _grads(rng), 2, "t")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def check_dtypes(learner, rng, dtype):
    """works for float32 and float64 parameters"""
    steps_match(learner, adam_inputs(rng, dtype=dtype, alpha=1e-3), _grads(rng, dtype=dtype),
                2, "t")


def check_untouched(learner, rng):
    """leaves grads unchanged"""
    args = dict(adam_inputs(rng), grads=param_dicts(rng, scale=0.5), t=1)
    dicts_untouched(learner, args, may_change=("params", "m", "v"))
