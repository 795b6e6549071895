# Optimizers from scratch: momentum and Adam for my 2-layer MNIST net
# (following along with a "code Adam from scratch" blog post, no frameworks!)

# numpy only, that's the whole point :)
import numpy as np

with np.load('mnist.npz') as f:
    x_train, y_train = f['x_train'], f['y_train']
X = x_train.reshape(-1, 784).T / 255.
Y = y_train


def momentum_step(params, grads, velocity, alpha, beta=0.9):
    new_params, new_velocity = {}, {}
    for key in params:
        ## velocity = decayed old velocity + today's gradient
        new_velocity[key] = beta * velocity[key] + grads[key]
        ## move downhill
        new_params[key] = params[key] - alpha * grads[key]
    return new_params, new_velocity


def adam_step(params, grads, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, new_params = dict(m), dict(v), {}
    L = len(params) // 2
    for l in range(1, L + 1):
        W, b = 'W' + str(l), 'b' + str(l)
        dw, db = grads[W], grads[b]

        ## 1st moment (the "momentum" half), beta1
        # -- W -- #
        m[W] = beta1 * m[W] + (1 - beta1) * dw
        # -- b -- #
        m[b] = beta1 * m[b] + (1 - beta1) * db

        ## 2nd moment (the "RMSprop" half), beta2
        # -- W -- #
        v[W] = beta2 * v[W] + (1 - beta2) * (dw ** 2)
        # -- b -- #
        v[b] = beta2 * v[b] + (1 - beta2) * db

        ## un-bias them (they start at 0)
        mW_hat = m[W] / (1 - beta1 ** t)
        mb_hat = m[b] / (1 - beta1 ** t)
        vW_hat = v[W] / (1 - beta2 ** t)
        vb_hat = v[b] / (1 - beta2 ** t)

        ## the actual step
        new_params[W] = params[W] - alpha * (mW_hat / (np.sqrt(vW_hat) + eps))
        new_params[b] = params[b] - alpha * (mb_hat / (np.sqrt(vb_hat) + eps))
    return new_params, m, v


def weight_decay(grads, params, lam):
    ## L2 penalty: only the weights get pulled towards 0
    decayed = dict(grads)
    for key in params:
        if 'W' in key:
            decayed[key] = grads[key] + lam * params[key]
    return decayed


## quick test before MNIST: can it find the bottom of f(w) = (w - 3)^2 ?
def loss_function(w):
    return (w - 3) ** 2


def grad_function(w):
    return 2 * (w - 3)


params = {'W1': np.zeros((1, 1)), 'b1': np.zeros((1, 1))}
m = {k: np.zeros_like(p) for k, p in params.items()}
v = {k: np.zeros_like(p) for k, p in params.items()}
t = 1
converged = False
while not converged and t < 10000:
    grads = {k: grad_function(p) for k, p in params.items()}
    old = params['W1'].copy()
    params, m, v = adam_step(params, grads, m, v, t, alpha=0.01)
    converged = np.allclose(old, params['W1'], atol=1e-7)
    t += 1
print('iteration ' + str(t) + ': weight=' + str(params['W1'].ravel()))
