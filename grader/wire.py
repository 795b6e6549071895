"""The messages between the grader and its worker: JSON headers plus .npy blobs, never pickle.

The worker runs learner code, so everything it sends is untrusted. Decoding only ever builds
plain Python values and NumPy arrays (np.load with allow_pickle=False): a hostile reply can be
wrong, but it cannot run code in the grader or smuggle in an object that compares equal to
anything. Sizes are checked before anything is read (a header, a number of blobs and a total
that no honest message comes near), nesting is bounded, and on the grader's side
(`untrusted=True`) every string is made visible text (grader.shown) and only real arrays
(bool, integer, float) count as arrays: complex, structured or text arrays come as `Opaque`.
A np.random.Generator travels as its state: the other side gets a twin that draws the same
numbers.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from grader.shown import visible

# Far above any honest message (a training set of 60,000 digits is 47 MB), far below what
# would hurt the grader: a message past these is a broken or hostile worker.
MAX_HEADER = 8 << 20
MAX_BLOBS = 256
MAX_MESSAGE = 256 << 20  # header and blobs together
MAX_DEPTH = 32  # nesting of tuples, lists and dicts in a value
REAL_KINDS = "biuf"  # the dtypes an array may have to be taken as an array by the grader
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


def _encode_value(value: Any, blobs: list[bytes], depth: int = 0) -> Any:
    if depth > MAX_DEPTH // 2:
        return _opaque(value)
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind in "biufc":
            buf = io.BytesIO()
            np.save(buf, array, allow_pickle=False)
            blobs.append(buf.getvalue())
            return {"nd": len(blobs) - 1, "scalar": isinstance(value, np.generic)}
    elif isinstance(value, np.random.Generator):  # by its state: the peer gets a twin
        try:
            return {"rng": _encode_value(value.bit_generator.state, blobs, depth + 1)}
        except Exception:  # a hostile subclass or bit generator
            return _opaque(value)
    elif value is None or isinstance(value, (bool, int, float, str)):
        return value if type(value) in (bool, int, float, str, type(None)) else _opaque(value)
    elif type(value) in (tuple, list):
        return {type(value).__name__: [_encode_value(v, blobs, depth + 1) for v in value]}
    elif type(value) is dict:
        return {"dict": {str(k): _encode_value(v, blobs, depth + 1) for k, v in value.items()}}
    return _opaque(value)


def _opaque(value: Any) -> dict:
    try:
        text = repr(value)
    except BaseException:  # a hostile __repr__ must not break the worker's reply
        text = "<unprintable>"
    if isinstance(value, np.ndarray):
        text = f"array of dtype {value.dtype}"
    return {"object": type(value).__name__, "repr": text[:200]}


def _decode_value(obj: Any, blobs: list[bytes], untrusted: bool, depth: int = 0) -> Any:
    if type(obj) is str:
        return visible(obj) if untrusted else obj
    if obj is None or type(obj) in (bool, int, float):
        return obj
    if type(obj) is not dict or len(obj) not in (1, 2) or depth > MAX_DEPTH:
        raise WireError(f"unexpected value {visible(str(obj)[:80])}")
    if "nd" in obj:
        index = obj["nd"]
        if type(index) is not int or not 0 <= index < len(blobs):
            raise WireError("bad array reference")
        try:
            array = np.load(io.BytesIO(blobs[index]), allow_pickle=False)
        except Exception as err:
            raise WireError(f"bad array: {visible(str(err)[:200])}") from None
        if untrusted and (array.dtype.kind not in REAL_KINDS or array.dtype.fields is not None):
            return Opaque("ndarray", f"of dtype {array.dtype} and shape {array.shape}")
        return array[()] if obj.get("scalar") is True else array
    if "tuple" in obj or "list" in obj:
        items = obj.get("tuple", obj.get("list"))
        if type(items) is not list:
            raise WireError("bad sequence")
        items = [_decode_value(v, blobs, untrusted, depth + 1) for v in items]
        return tuple(items) if "tuple" in obj else items
    if "dict" in obj and type(obj["dict"]) is dict:
        return {(visible(k, 100) if untrusted else k): _decode_value(v, blobs, untrusted,
                                                                     depth + 1)
                for k, v in obj["dict"].items()}
    if "rng" in obj:
        return _generator(_decode_value(obj["rng"], blobs, untrusted, depth + 1))
    if "object" in obj:
        return Opaque(visible(str(obj["object"]), 100), visible(str(obj.get("repr", "")), 200))
    raise WireError(f"unexpected value {visible(str(obj)[:80])}")


BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _generator(state: Any) -> np.random.Generator | Opaque:
    """A np.random.Generator in `state` (NumPy's own bit_generator.state dict)."""
    name = state.get("bit_generator") if type(state) is dict else None
    if name not in BIT_GENERATORS:
        return Opaque("Generator", f"of an unknown kind ({visible(str(name)[:40])})")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except Exception:  # noqa: BLE001 - NumPy checks the state: anything it refuses
        return Opaque("Generator", "with a state NumPy does not take")
    return np.random.Generator(bit_generator)


def generators(value: Any, depth: int = 0) -> list[np.random.Generator]:
    """The np.random.Generator objects in a value (tuples, lists, dicts), in order."""
    if isinstance(value, np.random.Generator):
        return [value]
    if depth > MAX_DEPTH or type(value) not in (tuple, list, dict):
        return []
    items = value.values() if type(value) is dict else value
    return [g for v in items for g in generators(v, depth + 1)]


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
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("stream closed")
    return data


def receive(stream: BinaryIO, untrusted: bool = False) -> tuple[dict, Any]:
    """Read one message; raise EOFError when the peer has gone, WireError when it is garbled
    or too large (checked before it is read). `untrusted`: from learner code (see above)."""
    (size,) = _LEN.unpack(_read_exact(stream, _LEN.size))
    if size > MAX_HEADER:
        raise WireError(f"a header of {size:,} bytes is too large")
    try:
        header = json.loads(_read_exact(stream, size))
    except (ValueError, RecursionError):
        raise WireError("header is not JSON") from None
    sizes = header.pop("blobs", []) if type(header) is dict else None
    if type(sizes) is not list or any(type(s) is not int or s < 0 for s in sizes):
        raise WireError("bad header")
    if len(sizes) > MAX_BLOBS or size + sum(sizes) > MAX_MESSAGE:
        raise WireError(f"a message of {len(sizes):,} arrays and {size + sum(sizes):,} bytes "
                        "is too large")
    blobs = [_read_exact(stream, s) for s in sizes]
    value = _decode_value(header.pop("value", None), blobs, untrusted)
    return (_visible_strings(header) if untrusted else header), value


def _visible_strings(obj: Any, depth: int = 0) -> Any:
    """A header from learner code with every string in it made visible text."""
    if depth > MAX_DEPTH:
        raise WireError("header nested too deeply")
    if type(obj) is str:
        return visible(obj)
    if type(obj) is list:
        return [_visible_strings(v, depth + 1) for v in obj]
    if type(obj) is dict:
        return {visible(k, 100): _visible_strings(v, depth + 1) for k, v in obj.items()}
    return obj
