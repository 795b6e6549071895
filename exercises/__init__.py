"""Your exercises, in order: relu, relu_deriv, softmax, one_hot, forward_prop, backward_prop,
update_params, init_params, cross_entropy, predict, accuracy, mini_batches, gradient_descent,
momentum_step, adam_step, weight_decay, forward_deep, backward_deep, dropout,
numerical_gradient, im2col, conv_forward, conv_backward, maxpool_forward, maxpool_backward. Each
lives in its own file; replace `raise NotImplementedError()` with your code, then run `python -m
grader` to check it."""
