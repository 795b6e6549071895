# coding: utf-8
import sys, os
sys.path.append(os.pardir)  # dataset/ は一つ上のフォルダにある
import numpy as np
from dataset.mnist import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)


def momentum_step(params, grads, velocity, alpha, beta=0.9):
    """モーメンタム: v <- beta * v + grad, W <- W - lr * v"""
    for key in params.keys():
        velocity[key] = beta * velocity[key] + grads[key]
        params[key] -= alpha * velocity[key]
    return params, velocity


def adam_step(params, grads, m, v, t, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba, 2015)"""
    for key in params.keys():
        m[key] = m[key] + (1 - beta1) * (grads[key] - m[key])
        v[key] = v[key] + (1 - beta2) * (grads[key] ** 2 - v[key])

        m_hat = m[key] / (1 - beta1 ** t)  # バイアス補正
        v_hat = v[key] / (1 - beta2 ** t)

        params[key] -= alpha * m_hat / (np.sqrt(v_hat) + eps)
    return params, m, v


def weight_decay(grads, params, lam):
    """Weight decay: 損失関数に 0.5 * lam * W**2 を足したときの勾配"""
    decayed = {}
    for key in grads.keys():
        decayed[key] = grads[key] + lam * params[key]
    return decayed


class Momentum:
    """SGD + momentum, state kept between calls"""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)
        momentum_step(params, grads, self.v, self.lr, self.momentum)


class Adam:
    """Adam, state kept between calls"""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.iter += 1
        adam_step(params, grads, self.m, self.v, self.iter, self.lr, self.beta1, self.beta2)


class TwoLayerNet:
    def __init__(self, n_in, n_hidden, n_out, scale=0.01):
        self.params = {
            'W1': scale * np.random.randn(n_hidden, n_in),
            'b1': np.zeros((n_hidden, 1)),
            'W2': scale * np.random.randn(n_out, n_hidden),
            'b2': np.zeros((n_out, 1)),
        }

    def predict(self, x):
        a1 = np.dot(self.params['W1'], x) + self.params['b1']
        z1 = np.maximum(0, a1)
        a2 = np.dot(self.params['W2'], z1) + self.params['b2']
        y = np.exp(a2 - a2.max(axis=0))
        return y / y.sum(axis=0)

    def gradient(self, x, t):
        batch_num = x.shape[1]
        a1 = np.dot(self.params['W1'], x) + self.params['b1']
        z1 = np.maximum(0, a1)
        y = self.predict(x)
        dy = (y - t) / batch_num
        grads = {}
        grads['W2'] = np.dot(dy, z1.T)
        grads['b2'] = np.sum(dy, axis=1, keepdims=True)
        da1 = np.dot(self.params['W2'].T, dy) * (a1 > 0)
        grads['W1'] = np.dot(da1, x.T)
        grads['b1'] = np.sum(da1, axis=1, keepdims=True)
        return grads


network = TwoLayerNet(784, 50, 10)
optimizer = Adam()
for i in range(2000):
    idx = np.random.choice(len(x_train), 100)
    x_batch, t_batch = x_train[idx].T, t_train[idx].T
    grads = weight_decay(network.gradient(x_batch, t_batch), network.params, 1e-4)
    optimizer.update(network.params, grads)
