"""Your exercises, in order: relu, relu_deriv, softmax, one_hot, forward_prop, backward_prop,
update_params. Each lives in its own file; replace `raise NotImplementedError()` with your code,
then run `python -m grader` to check it."""
