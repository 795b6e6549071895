"""Time grader.data.load_pixels: first (uncached) and cached loads. Run by hand:

    python bench/bench_data.py [--runs 5]

Files: the shipped data/train.csv.gz (8,000 rows) and data/mnist_train.csv.gz (50,000),
and a 42,000-row plain CSV in Kaggle's layout (header label,pixel0..pixel783) made in a
temp folder by repeating the shipped digits. Each time is a median of --runs. "first"
clears the cache and loads in a fresh interpreter, so any pandas import is counted;
"pandas" is the same with the NumPy fast path turned off (the general parser, which
was the only one before mnist_train.csv.gz), measured in the same run for the ratio
"x". "cached" loads from the cache in a fresh interpreter (pandas must stay unimported)
and "in-proc" in this one. The times are of the load_pixels call; "process" is the
whole subprocess's wall time, interpreter and numpy start-up included. Targets:
cached <= 0.05 s, first load of the 42,000 and the 50,000 rows <= 2 s.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.data import MNIST_TRAIN_CSV, TRAIN_CSV, load_pixels  # noqa: E402

CHILD = """
import sys, time
from grader import data
if sys.argv[2] == "general":
    data._parse_plain = lambda *args: None
start = time.perf_counter()
data.load_pixels(sys.argv[1])
print(time.perf_counter() - start, "pandas" in sys.modules)
"""


def in_child(path: Path, parser: str) -> tuple[float, float, bool]:
    """(load_pixels seconds, whole process seconds, pandas imported) in a fresh interpreter."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), parser], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), time.perf_counter() - start, out[1] == "True"


def median_in_children(path: Path, cache: Path, runs: int, clear: bool,
                       parser: str = "auto") -> tuple[float, float, bool]:
    results = []
    for _ in range(runs):
        if clear:
            shutil.rmtree(cache, ignore_errors=True)
        results.append(in_child(path, parser))
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
            any(r[2] for r in results))


def median_in_process(path: Path, runs: int) -> float:
    load_pixels(path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load_pixels(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sha256_seconds(path: Path) -> float:
    """What a content-hash cache key would cost on every load (the stat key costs ~0)."""
    start = time.perf_counter()
    hashlib.sha256(path.read_bytes()).digest()
    return time.perf_counter() - start


def kaggle_file(folder: Path, rows: int = 42_000) -> Path:
    with gzip.open(TRAIN_CSV, "rt") as file:
        header, *body = file.read().splitlines()
    path = folder / "train.csv"
    path.write_text("\n".join([header, *(body[i % len(body)] for i in range(rows))]) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        os.environ["NN_GRADER_CACHE"] = str(cache)
        files = {"data/train.csv.gz (8,000)": TRAIN_CSV, "Kaggle train.csv (42,000)": kaggle_file(Path(tmp)),
                 "data/mnist_train (50,000)": MNIST_TRAIN_CSV}
        print(f"{'file':<27} {'first':>6} {'process':>8} {'pandas':>7} {'x':>5} {'cached':>7} {'process':>8} "
              f"{'in-proc':>8} {'sha256':>7}  pandas on hit")
        ok = True
        for name, path in files.items():
            first, first_process, _ = median_in_children(path, cache, runs, clear=True)
            general, _, _ = median_in_children(path, cache, runs, clear=True, parser="general")
            cached, cached_process, pandas = median_in_children(path, cache, runs, clear=False)
            in_process = median_in_process(path, runs)
            print(f"{name:<27} {first:6.3f} {first_process:8.3f} {general:7.3f} {general / first:5.1f} "
                  f"{cached:7.3f} {cached_process:8.3f} {in_process:8.3f} {sha256_seconds(path):7.3f}  "
                  f"{'yes' if pandas else 'no'}")
            ok &= cached <= 0.05 and in_process <= 0.05 and not pandas
            ok &= first <= 2.0 or "8,000" in name
        print(f"seconds, median of {runs}; targets (cached <= 0.05, first 42,000 and 50,000 <= 2.0):",
              "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
