import numpy as np

"""
My update rules, written like the assignment's optim.py: each one works on a single array,

    next_w, config = rule(w, dw, config)

  - w: the weights (any shape), dw: dLoss/dw, same shape
  - config: hyperparameters (learning rate, momentum, betas ...) plus whatever the rule has
    to remember from one call to the next (velocity, m, v, t). Hand the returned config back
    in on the next call.

momentum_step / adam_step / weight_decay at the bottom run these over a whole params dict.
"""


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    next_w = w - config["learning_rate"] * dw
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """
    config keys:
    - learning_rate (default 1e-2)
    - momentum: how much of the old velocity survives each step (default 0.9)
    - velocity: momentum buffer, same shape as w (zeros on the first call)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))

    v = config["momentum"] * v + dw
    next_w = w - config["learning_rate"] * v

    config["velocity"] = v
    return next_w, config


def adam(w, dw, config=None):
    """
    config keys:
    - learning_rate, beta1, beta2, epsilon: the usual Adam knobs
    - m, v: running averages of dw and of dw**2
    - t: how many updates were done before this call
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)

    beta1, beta2, eps = config["beta1"], config["beta2"], config["epsilon"]
    config["t"] += 1
    t = config["t"]
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * (dw * dw)
    mt = config["m"] / (1 - beta1 ** t)
    vt = config["v"] / (1 - beta2 ** t)
    next_w = w - config["learning_rate"] * mt / (np.sqrt(vt) + eps)

    return next_w, config


def momentum_step(params, grads, velocity, alpha, beta=0.9):
    new_params, new_velocity = {}, {}
    for name, w in params.items():
        config = {"learning_rate": alpha, "momentum": beta, "velocity": velocity[name]}
        new_params[name], config = sgd_momentum(w, grads[name], config)
        new_velocity[name] = config["velocity"]
    return new_params, new_velocity


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_params, new_m, new_v = {}, {}, {}
    for name, w in params.items():
        config = {"learning_rate": alpha, "beta1": beta1, "beta2": beta2, "epsilon": eps,
                  "m": m[name], "v": v[name], "t": t - 1}
        new_params[name], config = adam(w, grads[name], config)
        new_m[name] = config["m"]
        new_v[name] = config["v"]
    return new_params, new_m, new_v


def weight_decay(grads, params, lam):
    out = dict(grads)
    for name in params:
        if name.startswith("W"):
            out[name] = grads[name] + lam * params[name]
    return out


def rel_err(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


# sanity check: the first momentum step from zero velocity is a plain sgd step
w_test = np.arange(12, dtype=float).reshape(3, 4) / 10
dw_test = np.ones((3, 4)) - w_test
next_w, _ = sgd_momentum(w_test, dw_test, {"learning_rate": 5e-3})
print("first momentum step vs sgd:", rel_err(next_w, sgd(w_test, dw_test, {"learning_rate": 5e-3})[0]))
