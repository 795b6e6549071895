import numpy as np

from .relu import relu
from .softmax import softmax


def forward_deep(params: dict[str, np.ndarray], X: np.ndarray) -> tuple[np.ndarray, list]:
    """The forward pass of a network with any number of layers.

    params: a dict W1, b1, ..., WL, bL: Wk of shape (n_k, n_(k-1)), bk of shape (n_k, 1);
    L is the number of weight matrices (2 for chapter 1's network). X: shape (n_0, m), one
    example per column. With A0 = X, for k = 1 .. L:
        Zk = Wk @ A(k-1) + bk
        Ak = relu(Zk) for k < L,   AL = softmax(ZL) for the last layer
    Returns the tuple (AL, caches): AL of shape (n_L, m), and caches, whatever your
    backward_deep needs (for example a list of (A(k-1), Zk, Ak), one per layer). Do
    not modify params or X.

    Example: params with W1 (128, 784), b1, W2 (64, 128), b2, W3 (10, 64), b3 and X of
    shape (784, 5) give AL of shape (10, 5), each column summing to 1.
    """
    raise NotImplementedError()
