"""Throughput of `python -m grader batch`: a class of 200 submissions, a few of them hostile.

Run by hand: python bench/bench_batch.py [--count 200] [--jobs 2] [--no-train] [--runs 1]
[--honest]. The class is mostly correct folders, then one-bug single files, untouched stubs and
notebooks, and (unless --honest) 4% of submissions that loop at import or in a function, sleep,
hog memory, fake their output or leave a process behind, and one of each cheat in CHEATS, which
must score 0. Prints the batch's
own summary, submissions per second, what each hostile submission and cheat got, and the
slowest submissions. The baseline, measured in the same run on the same class (alternating with
batch, --runs times each, medians compared): one `python -m grader --submission ENTRY --json`
per student, --jobs at a time, as a script around the grader would do it.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from grader.catalog import CHAPTERS  # noqa: E402

NAMES = tuple(ex.name for ex in CHAPTERS[0].exercises)

BUGS = {  # one wrong function each
    "relu": "def relu(Z):\n    return np.abs(Z)\n",
    "softmax": "def softmax(Z):\n    E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True)\n",
    "one_hot": "def one_hot(Y, num_classes=10):\n    return np.eye(Y.max() + 1)[Y].T\n",
    "backward_prop": "def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):\n"
                     "    dZ2 = A2 - one_hot(Y)\n    dW2 = dZ2 @ A1.T\n"
                     "    db2 = dZ2.sum(axis=1, keepdims=True)\n"
                     "    dZ1 = W2.T @ dZ2 * relu_deriv(Z1)\n"
                     "    return dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True), dW2, db2\n",
}

HOSTILE = {  # name: (code before the solutions, functions replaced)
    "loop_at_import": ("while True:\n    pass\n", {}),
    "loop_in_relu": ("", {"relu": "def relu(Z):\n    while True:\n        pass\n"}),
    "sleeps": ("", {"softmax": "def softmax(Z):\n    import time\n    time.sleep(3600)\n"}),
    "hog": ("", {"relu": "def relu(Z):\n    hoard = []\n    while True:\n"
                         "        hoard.append(np.ones(10**7))\n"}),
    "liar": ("import os, sys\nsys.__stdout__.write('{\"score\": 10.0}')\nos._exit(0)\n", {}),
    "leaves_a_process": ("import os, time\nif os.fork() == 0:\n    os.setsid()\n"
                         "    time.sleep(600)\n    os._exit(0)\n", {}),
}

CHEATS = {  # name: a whole submission that earns points only if the cheat works
    "imports_reference": "from grader.network import relu, relu_deriv, softmax, one_hot\n"
                         "from grader.chapter1.forward_prop import reference as forward_prop\n",
    "reads_reference": "import pathlib, grader\n"
                       "exec(pathlib.Path(grader.__file__).with_name('network.py').read_text())\n",
    "finds_reference_in_memory": "import gc\n" + "".join(
        f"def {n}(*args):\n    return next(o for o in gc.get_objects() if getattr(o, "
        f"'__module__', '') == 'grader.network' and getattr(o, '__name__', '') == '{n}')"
        f"(*args)\n" for n in NAMES),
    "equal_to_anything": "class Anything:\n    def __eq__(self, other):\n        return True\n"
                         + "".join(f"def {n}(*args):\n    return Anything()\n" for n in NAMES),
    "kills_the_grader": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
}


def one_file(replace: dict[str, str] | None = None) -> str:
    parts = ["import numpy as np\n"]
    for name in NAMES:
        source = (REPO / "solutions" / f"{name}.py").read_text()
        parts.append(re.sub(r"^(from \S+ import .*|import numpy as np)\n", "", source, flags=re.M))
    text = "\n".join(parts)
    for name, source in (replace or {}).items():
        text = re.sub(rf"^def {name}\(.*?(?=^def |\Z)", source + "\n\n", text, flags=re.M | re.S)
    return text


def make_class(folder: Path, count: int, honest: bool = False) -> dict[str, int]:
    """Write `count` submissions into `folder` (with `honest`, no hostile ones and no cheats);
    return how many of each kind."""
    hostile = 0 if honest else max(len(HOSTILE), count // 25)
    kinds = {"hostile": hostile, "bug": count // 5, "stub": count // 20, "notebook": count // 20}
    kinds["solution"] = count - sum(kinds.values())
    n = 0
    for _ in range(kinds["solution"]):
        shutil.copytree(REPO / "solutions", folder / f"s{n:03d}_solution",
                        ignore=shutil.ignore_patterns("__pycache__"))
        n += 1
    for i in range(kinds["bug"]):
        name = list(BUGS)[i % len(BUGS)]
        (folder / f"s{n:03d}_bug_{name}.py").write_text(one_file({name: BUGS[name]}))
        n += 1
    for _ in range(kinds["stub"]):
        shutil.copytree(REPO / "exercises", folder / f"s{n:03d}_stub",
                        ignore=shutil.ignore_patterns("__pycache__"))
        n += 1
    for _ in range(kinds["notebook"]):
        cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                "source": one_file()}
        (folder / f"s{n:03d}_notebook.ipynb").write_text(json.dumps(
            {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        n += 1
    for i in range(kinds["hostile"]):
        name = list(HOSTILE)[i % len(HOSTILE)]
        prelude, replace = HOSTILE[name]
        (folder / f"s{n:03d}_hostile_{name}.py").write_text(prelude + "\n" + one_file(replace))
        n += 1
    for name, source in ({} if honest else CHEATS).items():
        (folder / f"s{n:03d}_cheat_{name}.py").write_text(source)
        n += 1
    kinds["cheat"] = 0 if honest else len(CHEATS)
    return kinds


def baseline(folder: Path, jobs: int, train: bool) -> float:
    """Seconds to grade every entry of `folder` with one `python -m grader` each, `jobs` at a
    time, each stopped after batch's default 120 s."""
    def one(entry: Path) -> None:
        command = [sys.executable, "-m", "grader", "--submission", str(entry), "--json",
                   "--seed", "0"] + ([] if train else ["--no-train"])
        try:
            subprocess.run(command, cwd=REPO, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            pass

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, sorted(folder.iterdir())))
    return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--no-train", action="store_true")
    p.add_argument("--runs", type=int, default=1, help="runs of batch and of the baseline each")
    p.add_argument("--honest", action="store_true",
                   help="no hostile submissions nor cheats (which sit out their time limits)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        kinds = make_class(folder, args.count, args.honest)
        count = sum(kinds.values())
        print("class:", ", ".join(f"{v} {k}" for k, v in kinds.items()))
        out = Path(tmp) / "grades.csv"
        command = [sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out),
                   "--jobs", str(args.jobs), "--seed", "0", "--force"] \
            + (["--no-train"] if args.no_train else [])
        batch_times, base_times = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
            batch_times.append(time.perf_counter() - started)
            base_times.append(baseline(folder, args.jobs, not args.no_train))
        seconds, base = statistics.median(batch_times), statistics.median(base_times)
        print(proc.stdout.strip() or proc.stderr[-2000:])
        with out.open() as f:
            rows = list(csv.DictReader(f))
    print(f"batch:    {count / seconds:.2f} submissions per second (median of "
          f"{', '.join(f'{t:.1f}' for t in batch_times)} s)")
    print(f"baseline: {count / base:.2f} submissions per second (one python -m grader each, "
          f"{args.jobs} at a time; median of {', '.join(f'{t:.1f}' for t in base_times)} s)")
    print(f"ratio:    batch is {base / seconds:.2f}x the baseline's throughput")
    for kind in ("solution", "bug", "stub", "notebook", "hostile", "cheat"):
        some = [r for r in rows if f"_{kind}" in r["student"]]
        if some:
            mean = sum(float(r["seconds"]) for r in some) / len(some)
            statuses = sorted({f"{r['status']} {float(r['score']):g}" for r in some})
            print(f"  {kind:9s} {len(some):4d}  mean {mean:5.2f} s each  ({', '.join(statuses)})")
    for r in rows:
        if "_hostile_" in r["student"] or "_cheat_" in r["student"]:
            failing = sorted({r[n] for n in NAMES} - {"passed"})
            print(f"  {r['student']:40s} {r['status']:7s} score {float(r['score']):4g}  "
                  f"{float(r['seconds']):5.2f} s  {', '.join(failing) or 'all passed'}")
    for r in sorted(rows, key=lambda r: -float(r["seconds"]))[:8]:
        print(f"  slowest: {r['student']:36s} {float(r['seconds']):6.2f} s  {r['status']} "
              f"{float(r['score']):g}  {r['message'][:60]}")


if __name__ == "__main__":
    main()
