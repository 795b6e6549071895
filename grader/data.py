"""Load digit CSV files (MNIST/Kaggle layout) into NumPy arrays, with an on-disk cache.

A file is plain or gzipped CSV (told apart by its first bytes), with or without a
header, with 784 integer pixel columns (0-255) and optionally one label column
(0-9): the column named label/labels/y/digit/class, else the first of 785 columns.
A canonical file (plain integers, Unix line ends, as data/build.py writes) is parsed
with NumPy alone; anything else goes to pandas, with the same results. Parsed arrays
are cached in $NN_GRADER_CACHE, else $XDG_CACHE_HOME/nn-grader, else ~/.cache/nn-grader,
so loading a file again needs neither parsing nor pandas.

Every problem with a file raises DataError, whose message is one sentence naming
the file and, where it applies, the line (numbered from 1 as in a text editor, so
the header is line 1) and the column (numbered from 1, with its name).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import stat
import tempfile
import warnings
import zlib
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TRAIN_CSV = DATA_DIR / "train.csv.gz"  # 8,000 digits (chapter 1)
TEST_CSV = DATA_DIR / "test.csv.gz"  # 2,000 digits
MNIST_TRAIN_CSV = DATA_DIR / "mnist_train.csv.gz"  # 50,000 of MNIST's 60,000 training digits
MNIST_TEST_CSV = DATA_DIR / "mnist_test.csv.gz"  # the other 10,000 (not MNIST's own test set)

N_PIXELS = 784
LABEL_NAMES = frozenset({"label", "labels", "y", "digit", "class"})
_CACHE_FORMAT = 1  # bump whenever parsing rules or the cache layout change
# A field pandas's C parser reads as a float: a decimal number, maybe spaced, maybe
# quoted (the quote must open the field). Matching a row of 785 fields must never
# backtrack, so no part of it may match the same text in two ways.
_DECIMAL = rb"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*"
_NUMBER = rb'(?:%s|"%s"\s*)' % (_DECIMAL, _DECIMAL)
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PLAIN = b"0123456789,\n"  # the only bytes of the rows the fast path reads
_ROW_END = b",999,"  # stands for each newline there: a field no valid row holds


class DataError(ValueError):
    """A digits file is missing or malformed; str() is one sentence saying where and what."""


def _fail(path: Path, problem: str, line: int | None = None, column: int | None = None,
          name: str = "") -> DataError:
    if line is None:
        return DataError(f"{path} {problem}.")
    where = f", column {column} ({name})" if column else ""
    return DataError(f"{path}, line {line}{where}: {problem}.")


def _lines(path: Path, gz: bool) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the non-blank lines; pandas skips blank ones too."""
    with (gzip.open if gz else open)(path, "rb") as file:
        for number, line in enumerate(file, 1):
            if line.strip():
                yield number, line.rstrip(b"\r\n")


def _layout(path: Path, number: int, line: bytes) -> tuple[bool, list[str], int | None]:
    """From the first line: (has a header, column names, index of the label column)."""
    line = line.removeprefix(b"\xef\xbb\xbf")
    if _BINARY.search(line):
        raise _fail(path, "is not a CSV text file (it holds binary data)")
    try:
        fields = line.decode().split(",")
    except UnicodeDecodeError:
        raise _fail(path, "is not a CSV text file (it holds binary data)") from None
    # A header is mostly names; a data row with a few bad fields is not one.
    header = sum(not re.fullmatch(_NUMBER, f.encode()) for f in fields) > len(fields) / 2
    names = [f.strip().strip('"') for f in fields]
    label = next((i for i, n in enumerate(names) if n.lower() in LABEL_NAMES), None) if header else None
    if label is None and len(fields) == N_PIXELS + 1:
        label = 0
    if len(fields) - (label is not None) != N_PIXELS:
        counted = f"{len(fields)} columns"
        if label is not None:
            counted += f" (a label and {len(fields) - 1} pixels)"
        raise _fail(path, f"has {counted}, but a digits file has {N_PIXELS} pixel columns "
                    "and optionally a label column", number)
    if not header:
        names = [f"pixel{i - (label is not None and i > label)}" for i in range(len(fields))]
        if label is not None:
            names[label] = "label"
    return header, names, label


def _locate_parse_error(path: Path, gz: bool, names: list[str], skip: int) -> DataError:
    """Find the first row the C parser choked on: wrong column count, blank or non-number."""
    row = re.compile(_NUMBER + rb"(?:," + _NUMBER + rb"){%d}" % (len(names) - 1))
    for number, line in islice(_lines(path, gz), skip, None):
        if row.fullmatch(line):
            continue
        fields = line.split(b",")
        if len(fields) != len(names):
            return _fail(path, f"has {len(fields)} columns instead of {len(names)}", number)
        col = next(i for i, f in enumerate(fields) if not re.fullmatch(_NUMBER, f))
        shown = fields[col].strip().decode(errors="replace")[:20]
        problem = "the field is blank" if not shown else f"{shown!r} is not a number"
        return _fail(path, problem, number, col + 1, names[col])
    return _fail(path, "is not a well-formed CSV file")


def _parse(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    with open(path, "rb") as file:
        magic = file.read(4)
    if magic == b"PK\x03\x04":  # Kaggle's downloads are zipped
        raise _fail(path, "is a zip archive, so unzip it and use the CSV file inside")
    gz = magic[:2] == b"\x1f\x8b"
    first = next(_lines(path, gz), None)
    if first is None:
        raise _fail(path, "is empty")
    header, names, label = _layout(path, *first)
    ints = _parse_plain(path, gz, first[0] if header else 0, label, len(names))
    if ints is None:
        ints = _parse_any(path, gz, first[0], header, names, label)
    if label is None:
        return ints, None
    return np.delete(ints, label, axis=1), ints[:, label].astype(np.int64)


def _parse_plain(path: Path, gz: bool, skip: int, label: int | None, width: int) -> np.ndarray | None:
    """Fast path (NumPy on the raw bytes, no pandas import) for a canonical file: past its
    first `skip` lines, `width` fields a line, each an integer written without leading zeros
    and within its limit, and nothing else (no spaces, quotes, \\r or blank lines). Returns
    the uint8 table, or None to leave the file to _parse_any."""
    with open(path, "rb") as file:
        text = file.read()
    if gz:
        text = gzip.decompress(text)
    start = 0
    for _ in range(skip):
        start = text.find(b"\n", start) + 1
        if not start:
            return None
    text = text[start:]
    if not text.endswith(b"\n") or text.translate(None, _PLAIN):
        return None
    flat = text.replace(b"\n", _ROW_END)  # every field is now followed by one comma
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # NumPy < 2 warns where 2 raises
            values = np.fromstring(flat, dtype=np.uint16, sep=",")  # 5+ digits wrap: caught below
    except (ValueError, DeprecationWarning):  # an empty field
        return None
    lines = text.count(b"\n")
    if len(values) != lines * (width + 1):
        return None
    table = values.reshape(lines, width + 1)
    limits = np.full(width, 255, np.uint16)
    if label is not None:
        limits[label] = 9
    # If the last column is all 999 and no other field exceeds 255, its `lines` 999s are the
    # `lines` row ends, so each line has `width` fields. A field's text is at least as long
    # as its value written canonically, and equal in total only if equal in each field: then
    # no field has 4+ digits (so none wrapped) or a leading zero.
    peaks = table.max(axis=0)  # column maxima: much faster than comparing every field
    if table[:, -1].min() != 999 or peaks[-1] != 999 or (peaks[:-1] > limits).any():
        return None
    canonical = values.size + np.count_nonzero(values >= 10) + np.count_nonzero(values >= 100)
    if canonical + values.size != len(flat):
        return None
    return table[:, :-1].astype(np.uint8)


def _parse_any(path: Path, gz: bool, first: int, header: bool, names: list[str],
               label: int | None) -> np.ndarray:
    """General path (pandas): the uint8 table of any file the loader accepts, else DataError."""
    import pandas as pd  # only here: a cache hit must not pay for importing pandas

    try:
        with np.errstate(all="ignore"):  # 1e40 overflows float32 to inf, rejected below
            table = pd.read_csv(path, header=None, skiprows=first if header else 0, dtype=np.float32,
                                na_filter=False, engine="c", compression="gzip" if gz else None).to_numpy()
    except pd.errors.EmptyDataError:
        raise _fail(path, "has a header line but no data rows") from None
    except ValueError:  # ParserError, a float conversion error or UnicodeDecodeError
        raise _locate_parse_error(path, gz, names, int(header)) from None
    columns = table.T  # pandas's table is column-major: broadcast the limits along columns
    limits = np.full((len(names), 1), 255, np.float32)
    if label is not None:
        limits[label] = 9
    nearest_valid = np.rint(columns)
    ok = np.clip(nearest_valid, 0, limits, out=nearest_valid) == columns
    if not ok.all():
        row, col = divmod(int(np.argmin(ok.T)), len(names))  # the first bad field in file order
        number = next(islice(_lines(path, gz), row + header, None))[0]
        value, kind = table[row, col], "label" if col == label else "pixel value"
        problem = "is not a whole number" if value != np.rint(value) else f"is outside 0-{limits[col, 0]:g}"
        raise _fail(path, f"the {kind} {value:g} {problem}", number, col + 1, names[col])
    return table.astype(np.uint8, order="C")


def _cache_entry(path: Path, st: os.stat_result) -> Path | None:
    """Cache file for this version of the file, or None when there is no usable cache folder."""
    try:
        root = Path(os.environ.get("NN_GRADER_CACHE") or
                    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nn-grader")
        root.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return None
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    # Any rewrite changes size, mtime or ctime (ctime even if mtime is reset), a replace the inode.
    version = f"{_CACHE_FORMAT}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"
    return root / f"{where}-{hashlib.sha256(version.encode()).hexdigest()[:16]}.npz"


def _read_cache(entry: Path) -> tuple[np.ndarray, np.ndarray | None] | None:
    try:
        with np.load(entry, allow_pickle=False) as npz:
            pixels = npz["pixels"]
            labels = npz["labels"] if "labels" in npz.files else None
    except Exception:  # missing, truncated or foreign: parse the CSV again and overwrite it
        return None
    if pixels.dtype != np.uint8 or pixels.ndim != 2 or pixels.shape[1] != N_PIXELS or (
            labels is not None and (labels.dtype != np.int64 or labels.shape != (len(pixels),))):
        return None
    return pixels, labels


def _write_cache(entry: Path, pixels: np.ndarray, labels: np.ndarray | None) -> None:
    """Write atomically (temp file + rename), drop older entries of the same file; never fail."""
    arrays: dict[str, Any] = {"pixels": pixels} if labels is None else {"pixels": pixels, "labels": labels}
    try:
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as file:
            np.savez(file, **arrays)
        os.replace(tmp, entry)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return
    for old in entry.parent.glob(entry.name.split("-")[0] + "-*.npz"):
        if old != entry:
            with contextlib.suppress(OSError):
                old.unlink()


def load_pixels(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """Cached raw form: pixels uint8 (m, 784), one image a row, C-contiguous, and
    labels int64 (m,), or None when the file has no label column. Raises DataError."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _fail(path, "does not exist") from None
    except OSError as err:
        raise _fail(path, f"cannot be read ({err.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _fail(path, "is a directory, not a CSV file")
    entry = _cache_entry(path, st)
    cached = _read_cache(entry) if entry else None
    if cached is not None:
        return cached
    try:
        pixels, labels = _parse(path)
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise _fail(path, "is a truncated or corrupt gzip file") from None
    except OSError as err:
        raise _fail(path, f"cannot be read ({err.strerror or err})") from None
    if entry:
        _write_cache(entry, pixels, labels)
    return pixels, labels


def load_csv(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """X float64 (784, m) in [0, 1], one example a column (Fortran-ordered, so each
    example is contiguous), and Y int64 (m,) or None when the file has no labels."""
    pixels, labels = load_pixels(path)
    return pixels.T / 255.0, labels


def split_train_dev(X: np.ndarray, Y: np.ndarray, dev_size: int = 1000,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the columns of X (784, m) and Y (m,) with a fixed seed; the first
    dev_size shuffled examples are dev. Returns X_train, Y_train, X_dev, Y_dev."""
    m = X.shape[1]
    if len(Y) != m:
        raise DataError(f"X has {m} examples (columns) but Y has {len(Y)} labels.")
    if m <= dev_size:
        raise DataError(f"Cannot hold out {dev_size} dev examples from only {m} examples.")
    order = np.random.default_rng(seed).permutation(m)
    dev, train = order[:dev_size], order[dev_size:]
    return X[:, train], Y[train], X[:, dev], Y[dev]
