def momentum_step(params, grads, velocity, alpha, beta=0.9):
    """v = beta v + g, then p = p - alpha v, for every key."""
    new_velocity = {}
    new_params = {}
    for key in params:
        new_velocity[key] = beta * velocity[key] + grads[key]
        new_params[key] = params[key] - alpha * new_velocity[key]
    return new_params, new_velocity
