import numpy as np
from cs231n.data_utils import get_CIFAR10_data

data = get_CIFAR10_data()
for k, v in list(data.items()):
    print(('%s: ' % k, v.shape))


def sgd_momentum(w, dw, config=None):
    """
    SGD with momentum on one array.

    config:
    - learning_rate: step size
    - momentum: in [0, 1); 0 gives back plain sgd
    - velocity: array shaped like w, the running average of past gradients
    """
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-2)
    config.setdefault('momentum', 0.9)
    v = config.get('velocity', np.zeros_like(w))

    next_w = None
    v = config['momentum'] * v - config['learning_rate'] * dw
    next_w = w + v

    config['velocity'] = v
    return next_w, config


def adam(w, dw, config=None):
    """
    Adam on one array: running averages of dw and dw**2, both bias-corrected.

    config:
    - learning_rate: step size
    - beta1, beta2: decay of the first / second moment averages
    - epsilon: keeps the division finite
    - m, v: the two running averages, shaped like w
    - t: step counter
    """
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-3)
    config.setdefault('beta1', 0.9)
    config.setdefault('beta2', 0.999)
    config.setdefault('epsilon', 1e-8)
    config.setdefault('m', np.zeros_like(w))
    config.setdefault('v', np.zeros_like(w))
    config.setdefault('t', 0)

    next_w = None
    lr, beta1, beta2, eps = (config['learning_rate'], config['beta1'],
                             config['beta2'], config['epsilon'])
    t = config['t']
    m = beta1 * config['m'] + (1 - beta1) * dw
    v = beta2 * config['v'] + (1 - beta2) * (dw ** 2)
    m_unbias = m / (1 - beta1 ** t)
    v_unbias = v / (1 - beta2 ** t)
    next_w = w - lr * m_unbias / (np.sqrt(v_unbias) + eps)

    config['m'], config['v'] = m, v
    config['t'] = t + 1
    return next_w, config


# ---- the same update rules on a whole parameter dict, as the chapter asks ----

def momentum_step(params, grads, velocity, alpha, beta=0.9):
    next_params, next_velocity = {}, {}
    for p, w in params.items():
        config = {'learning_rate': alpha, 'momentum': beta, 'velocity': velocity[p]}
        next_params[p], config = sgd_momentum(w, grads[p], config)
        next_velocity[p] = config['velocity']
    return next_params, next_velocity


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    next_params, next_m, next_v = {}, {}, {}
    for p, w in params.items():
        # config['t'] holds the count of updates done before this one
        config = {'learning_rate': alpha, 'beta1': beta1, 'beta2': beta2,
                  'epsilon': eps, 'm': m[p], 'v': v[p], 't': t - 1}
        next_params[p], config = adam(w, grads[p], config)
        next_m[p], next_v[p] = config['m'], config['v']
    return next_params, next_m, next_v


def weight_decay(grads, params, lam):
    grads = {p: dw.copy() for p, dw in grads.items()}
    for p in params:
        if p[0] == 'W':
            grads[p] += lam * params[p]
    return grads


class Solver(object):
    def __init__(self, model, data, update_rule='adam', optim_config=None, reg=0.0):
        self.model, self.data, self.reg = model, data, reg
        self.update_rule = {'sgd_momentum': sgd_momentum, 'adam': adam}[update_rule]
        self.optim_config = optim_config or {}
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _step(self, X_batch, y_batch):
        loss, grads = self.model.loss(X_batch, y_batch)
        grads = weight_decay(grads, self.model.params, self.reg)
        for p, w in self.model.params.items():
            next_w, next_config = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config
        return loss
