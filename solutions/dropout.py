def dropout(A, keep_prob, rng):
    """Inverted dropout: keep each unit with probability keep_prob, scale the kept by 1/keep_prob."""
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, mask
