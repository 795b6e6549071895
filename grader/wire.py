"""The messages between the grader and its worker: JSON headers plus .npy blobs, never pickle.

The worker runs learner code, so everything it sends is untrusted. Decoding only ever builds
plain Python values and NumPy arrays (np.load with allow_pickle=False): a hostile reply can be
wrong, but it cannot run code in the grader or smuggle in an object that compares equal to
anything.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE = 1 << 30  # 1 GiB: any larger header or blob is a broken or hostile worker
_LEN = struct.Struct("<Q")


@dataclass(frozen=True)
class Opaque:
    """A returned value that is neither an array, a number, a string nor a tuple/list of them."""

    type_name: str
    text: str

    def __str__(self) -> str:
        return f"{self.type_name} {self.text}"


class WireError(Exception):
    """The byte stream does not follow the protocol (a worker that died or was tampered with)."""


def _encode_value(value: Any, blobs: list[bytes]) -> Any:
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind in "biufc":
            buf = io.BytesIO()
            np.save(buf, array, allow_pickle=False)
            blobs.append(buf.getvalue())
            return {"nd": len(blobs) - 1, "scalar": isinstance(value, np.generic)}
    elif value is None or isinstance(value, (bool, int, float, str)):
        return value if type(value) in (bool, int, float, str, type(None)) else _opaque(value)
    elif type(value) in (tuple, list):
        return {type(value).__name__: [_encode_value(v, blobs) for v in value]}
    elif type(value) is dict:
        return {"dict": {str(k): _encode_value(v, blobs) for k, v in value.items()}}
    return _opaque(value)


def _opaque(value: Any) -> dict:
    try:
        text = repr(value)
    except BaseException:  # a hostile __repr__ must not break the worker's reply
        text = "<unprintable>"
    if isinstance(value, np.ndarray):
        text = f"array of dtype {value.dtype}"
    return {"object": type(value).__name__, "repr": text[:200]}


def _decode_value(obj: Any, blobs: list[bytes]) -> Any:
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is not dict or len(obj) not in (1, 2):
        raise WireError(f"unexpected value {str(obj)[:80]}")
    if "nd" in obj:
        index = obj["nd"]
        if type(index) is not int or not 0 <= index < len(blobs):
            raise WireError("bad array reference")
        try:
            array = np.load(io.BytesIO(blobs[index]), allow_pickle=False)
        except Exception as err:
            raise WireError(f"bad array: {err}") from None
        return array[()] if obj.get("scalar") is True else array
    if "tuple" in obj or "list" in obj:
        items = [_decode_value(v, blobs) for v in obj.get("tuple", obj.get("list"))]
        return tuple(items) if "tuple" in obj else items
    if "dict" in obj and type(obj["dict"]) is dict:
        return {str(k): _decode_value(v, blobs) for k, v in obj["dict"].items()}
    if "object" in obj:
        return Opaque(str(obj["object"])[:100], str(obj.get("repr", ""))[:200])
    raise WireError(f"unexpected value {str(obj)[:80]}")


def encode(header: dict, value: Any = None) -> bytes:
    """One message: a JSON header and an optional value (arrays go as .npy blobs)."""
    blobs: list[bytes] = []
    header = dict(header, value=_encode_value(value, blobs), blobs=[len(b) for b in blobs])
    raw = json.dumps(header).encode()
    return _LEN.pack(len(raw)) + raw + b"".join(blobs)


def send(stream: BinaryIO, header: dict, value: Any = None) -> None:
    """Write one message and flush it."""
    stream.write(encode(header, value))
    stream.flush()


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    if n > MAX_MESSAGE:
        raise WireError(f"message of {n} bytes is too large")
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("stream closed")
    return data


def receive(stream: BinaryIO) -> tuple[dict, Any]:
    """Read one message; raise EOFError when the peer has gone, WireError when it is garbled."""
    (size,) = _LEN.unpack(_read_exact(stream, _LEN.size))
    try:
        header = json.loads(_read_exact(stream, size))
    except ValueError:
        raise WireError("header is not JSON") from None
    sizes = header.pop("blobs", []) if type(header) is dict else None
    if type(sizes) is not list or any(type(s) is not int or s < 0 for s in sizes):
        raise WireError("bad header")
    blobs = [_read_exact(stream, s) for s in sizes]
    return header, _decode_value(header.pop("value", None), blobs)
