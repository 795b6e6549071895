from .relu import relu
from .softmax import softmax


def forward_deep(params, X):
    """ReLU on every hidden layer, softmax on the last; caches holds (A_prev, Z, A) per layer."""
    L = len(params) // 2
    A = X
    caches = []
    for k in range(1, L + 1):
        A_prev = A
        Z = params[f"W{k}"] @ A_prev + params[f"b{k}"]
        A = softmax(Z) if k == L else relu(Z)
        caches.append((A_prev, Z, A))
    return A, caches
