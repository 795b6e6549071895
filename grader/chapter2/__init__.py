"""Chapter 2, train it yourself: one module per exercise, as in chapter 1 (`reference`,
`MISTAKES`, `check_*`). Random exercises (init_params, mini_batches) are checked by the
properties every correct draw has; gradient_descent by the calls it makes to the grader's
versions of the functions it uses (grader.calls)."""
