def weight_decay(grads, params, lam):
    """The gradient of (lam / 2) * sum of the squared weights, added to each weight's gradient."""
    return {key: grad + lam * params[key] if key.startswith("W") else grad
            for key, grad in grads.items()}
