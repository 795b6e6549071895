"""Chapter 5, a small ConvNet: one module per exercise (`reference`, `MISTAKES`, `check_*`).

The references are grader.convnet's. What the modules share lives here: the shapes every
check runs on (several filter sizes, strides 1 and 2, padding 0 and 1, C > 1, non-square
images, m = 1), the known mistakes' versions of the windows, and the finite-difference
check of a backward pass against the grader's own forward pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from grader import convnet
from grader.compare import expect_array
from grader.gradcheck import judge, sample

STEP = 1e-6  # of the finite differences; the losses here are linear or piecewise linear


class Conv(NamedTuple):
    """One convolution's shapes: m images of C x H x W, F filters of kh x kw."""

    m: int
    C: int
    H: int
    W: int
    F: int
    kh: int
    kw: int
    stride: int
    pad: int

    @property
    def id(self) -> str:
        return (f"{self.kh}x{self.kw} filters, stride {self.stride}, pad {self.pad}, C = "
                f"{self.C}, {self.H}x{self.W} images, m = {self.m}")


CONVS = (Conv(2, 1, 8, 8, 3, 3, 3, 1, 1), Conv(3, 3, 7, 9, 4, 3, 3, 2, 1),
         Conv(1, 2, 6, 5, 2, 2, 3, 1, 0), Conv(2, 2, 9, 9, 3, 5, 5, 2, 0))


class Pool(NamedTuple):
    m: int
    C: int
    H: int
    W: int
    size: int
    stride: int

    @property
    def id(self) -> str:
        return (f"{self.size}x{self.size} windows, stride {self.stride}, C = {self.C}, "
                f"{self.H}x{self.W} images, m = {self.m}")


# Overlapping windows (size 3, stride 2) and images whose last row is in no window (7x9).
POOLS = (Pool(2, 3, 8, 8, 2, 2), Pool(1, 2, 7, 9, 2, 2), Pool(2, 2, 7, 7, 3, 2),
         Pool(2, 1, 6, 6, 3, 3))


def conv_args(rng: np.random.Generator, case: Conv, dtype: type = np.float64) -> dict:
    """X, W, b and a gradient dout of the output's shape, with the case's kh, kw, stride, pad."""
    Ho = convnet.out_size(case.H, case.kh, case.stride, case.pad)
    Wo = convnet.out_size(case.W, case.kw, case.stride, case.pad)
    arrays = {"X": rng.normal(0, 1, (case.m, case.C, case.H, case.W)),
              "W": rng.normal(0, 0.5, (case.F, case.C, case.kh, case.kw)),
              "b": rng.normal(0, 0.5, case.F), "dout": rng.normal(0, 1, (case.m, case.F, Ho, Wo))}
    return {**{k: v.astype(dtype) for k, v in arrays.items()}, "kh": case.kh, "kw": case.kw,
            "stride": case.stride, "pad": case.pad}


def pool_args(rng: np.random.Generator, case: Pool, dtype: type = np.float64,
              ties: bool = False) -> dict:
    """X (with many ties when `ties`: small whole numbers), dout of the output's shape."""
    shape = (case.m, case.C, case.H, case.W)
    X = rng.integers(0, 3, shape).astype(float) if ties else rng.normal(0, 1, shape)
    Ho, Wo = (convnet.out_size(n, case.size, case.stride, 0) for n in (case.H, case.W))
    return {"X": X.astype(dtype), "dout": rng.normal(0, 1, (case.m, case.C, Ho, Wo))
            .astype(dtype), "size": case.size, "stride": case.stride}


def conv_words(a: dict) -> str:
    return (f"X of shape {a['X'].shape}, W of shape {a['W'].shape}, stride {a['stride']}, "
            f"pad {a['pad']}" + (", float32" if a["X"].dtype == np.float32 else ""))


def pool_words(a: dict) -> str:
    return (f"X of shape {a['X'].shape}, size {a['size']}, stride {a['stride']}"
            + (", float32" if a["X"].dtype == np.float32 else ""))


# ------------------------------------------------------------------ the mistakes' building blocks

ONE_SIDE = ("the padding is added on one side only: np.pad(X, ((0, 0), (0, 0), (pad, pad), "
            "(pad, pad))) adds pad zeros before and after, on both image axes")


def padded(X: np.ndarray, pad: int, sides: str = "both") -> np.ndarray:
    """X padded on both sides, or "before" or "after" only (a known mistake)."""
    before, after = {"both": (pad, pad), "before": (pad, 0), "after": (0, pad)}[sides]
    return np.pad(X, ((0, 0), (0, 0), (before, after), (before, after)))


def windows(X: np.ndarray, kh: int, kw: int, stride: int, pad: int, *, sides: str = "both",
            one_less: bool = False) -> np.ndarray:
    """(m, C, H', W', kh, kw) as convnet.windows, or as a known mistake makes them: padded on
    one side, or with one row and column of windows fewer (H' without its + 1)."""
    win = convnet.windows(padded(X, pad, sides), kh, kw, stride)
    return win[:, :, :-1, :-1] if one_less else win


def columns(win: np.ndarray, order: str = "cij,nyx") -> np.ndarray:
    """im2col's columns from windows, rows and columns in the given orders."""
    rows, cols = order.split(",")
    axis = {"n": 0, "c": 1, "y": 2, "x": 3, "i": 4, "j": 5}
    moved = win.transpose([axis[a] for a in rows + cols])
    return moved.reshape(int(np.prod(moved.shape[:3])), -1)


# ------------------------------------------------------------------ finite differences

def expect_finite_differences(got: dict[str, np.ndarray], inputs: dict[str, np.ndarray],
                              loss: Callable[[dict[str, np.ndarray]], float], of: str,
                              rng: np.random.Generator) -> None:
    """Each gradient got["dX"] (for inputs["X"], ...) at a sample of its elements against
    central differences of `loss`, the grader's own function of the inputs; the first one off
    is told, with its worst element."""
    values = {k: np.array(v, dtype=np.float64) for k, v in inputs.items()}
    for name, array in got.items():
        value = values[name[1:]]
        expect_array(array, value, name, rtol=np.inf, atol=np.inf)  # type and shape
        indices = sample(value.shape, rng)
        numeric = np.empty(len(indices))
        for k, idx in enumerate(indices):
            old = value[idx]
            value[idx] = old + STEP
            up = loss(values)
            value[idx] = old - STEP
            down = loss(values)
            value[idx] = old
            numeric[k] = (up - down) / (2 * STEP)
        judge(name, array, indices, numeric, value.size, of)
