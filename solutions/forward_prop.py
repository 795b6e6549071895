from .relu import relu
from .softmax import softmax


def forward_prop(W1, b1, W2, b2, X):
    """Z1, A1, Z2, A2 of the 784-10-10 network for the m columns of X."""
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2
