def mini_batches(X, Y, batch_size, rng):
    """One permutation of the columns, the same for X and Y, cut into consecutive batches."""
    m = X.shape[1]
    perm = rng.permutation(m)
    X_shuffled, Y_shuffled = X[:, perm], Y[perm]
    return [(X_shuffled[:, k:k + batch_size], Y_shuffled[k:k + batch_size])
            for k in range(0, m, batch_size)]
