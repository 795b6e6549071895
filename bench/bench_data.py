"""Time grader.data.load_pixels: first (uncached) and cached loads. Run by hand:

    python bench/bench_data.py

Files: the shipped data/train.csv.gz (8,000 rows) and a 42,000-row plain CSV in
Kaggle's layout (header label,pixel0..pixel783) made in a temp folder by repeating
the shipped digits. Each time is the median of 5. "first" clears the cache and
loads in a fresh interpreter, so the lazy pandas import is counted; "cached" loads
from the cache in a fresh interpreter (pandas must stay unimported) and in-process.
The times are of the load_pixels call; "process" is the whole subprocess's wall
time, interpreter and numpy start-up included. Targets: cached <= 0.05 s, first load
of the 42,000 rows <= 2 s.
"""

from __future__ import annotations

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

from grader.data import TRAIN_CSV, load_pixels  # noqa: E402

RUNS = 5
CHILD = """
import sys, time
from grader.data import load_pixels
start = time.perf_counter()
load_pixels(sys.argv[1])
print(time.perf_counter() - start, "pandas" in sys.modules)
"""


def in_child(path: Path) -> tuple[float, float, bool]:
    """(load_pixels seconds, whole process seconds, pandas imported) in a fresh interpreter."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), time.perf_counter() - start, out[1] == "True"


def median_in_children(path: Path, cache: Path, clear: bool) -> tuple[float, float, bool]:
    runs = []
    for _ in range(RUNS):
        if clear:
            shutil.rmtree(cache, ignore_errors=True)
        runs.append(in_child(path))
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            any(r[2] for r in runs))


def median_in_process(path: Path) -> float:
    load_pixels(path)
    times = []
    for _ in range(RUNS):
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
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        os.environ["NN_GRADER_CACHE"] = str(cache)
        files = {"data/train.csv.gz (8,000)": TRAIN_CSV, "Kaggle train.csv (42,000)": kaggle_file(Path(tmp))}
        print(f"{'file':<27} {'first':>7} {'process':>8} {'cached':>7} {'process':>8} "
              f"{'in-proc':>8} {'sha256':>7}  pandas on hit")
        ok = True
        for name, path in files.items():
            first, first_process, _ = median_in_children(path, cache, clear=True)
            cached, cached_process, pandas = median_in_children(path, cache, clear=False)
            in_process = median_in_process(path)
            print(f"{name:<27} {first:7.3f} {first_process:8.3f} {cached:7.3f} {cached_process:8.3f} "
                  f"{in_process:8.3f} {sha256_seconds(path):7.3f}  {'yes' if pandas else 'no'}")
            ok &= cached <= 0.05 and in_process <= 0.05 and not pandas
            ok &= first <= 2.0 or "42,000" not in name
        print(f"seconds, median of {RUNS}; targets (cached <= 0.05, first 42,000 <= 2.0):",
              "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
