import numpy as np

from .maxpool_forward import maxpool_forward


def maxpool_backward(dout: np.ndarray, X: np.ndarray, size: int = 2,
                     stride: int = 2) -> np.ndarray:
    """Max-pooling's backward pass: only the maximum of each window gets its gradient.

    dout: the gradient of the loss by maxpool_forward's output, shape (m, C, H', W'); X,
    size, stride: that call's. The maximum of the window at (y, x) was passed on, and
    nothing else of that window, so dout[n, c, y, x] goes to that maximum's place in dX
    and every other pixel of the window gets 0. When a window holds its maximum twice,
    the first one in row-major order (the first row, then the first column) takes it
    all, as np.argmax would pick. Windows that overlap (stride < size) add up. Returns dX
    of X's shape. Do not modify dout or X.

    Example: X's window [[1, 3], [3, 0]] with dout 5 gives dX's window [[0, 5], [0, 0]].
    """
    raise NotImplementedError()
