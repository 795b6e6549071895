"""Watch-mode latency: from saving a file to the new verdict on screen.

Run by hand: python bench/bench_watch.py [--runs 5]. Starts `python -m grader watch` on a
scratch copy of the stubs, saves two different broken relu files in turn (so the watcher stays on
relu) and prints the median time until the new verdict line appears. Target (issue 5): under a second.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSIONS = ("import numpy as np\n\ndef relu(Z):\n    return np.minimum(Z, 0)\n",
            "import numpy as np\n\ndef relu(Z):\n    return np.abs(Z)\n")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    runs = p.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "exercises"
        shutil.copytree(REPO / "grader" / "stubs", folder)
        env = dict(os.environ, NO_COLOR="1", NN_GRADER_STATE=str(Path(tmp) / "state"))
        proc = subprocess.Popen([sys.executable, "-m", "grader", "watch", "--submission",
                                 str(folder)], cwd=REPO, env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

        def until(text: str) -> None:
            while text not in lines.get(timeout=30):
                pass

        until("watching")
        latencies = []
        for i in range(runs):
            start = time.monotonic()
            (folder / "relu.py").write_text(VERSIONS[i % 2])
            until("FAIL  relu")
            latencies.append(time.monotonic() - start)
            until("watching")
        proc.stdin.write("q\n")
        proc.stdin.flush()
        proc.wait(timeout=10)
    print(f"save -> verdict, {len(latencies)} saves: median {statistics.median(latencies):.3f} s, "
          f"max {max(latencies):.3f} s (debounce {0.15} s included; target < 1 s)")


if __name__ == "__main__":
    main()
