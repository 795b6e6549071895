"""Watch-mode latency: from saving a file to its new verdict on the screen.

Run by hand: python bench/bench_watch.py [--runs 9] [--against OTHER_CHECKOUT]. Starts
`python -m grader watch` in a pseudo-terminal on a scratch copy of solutions/ whose relu fails,
saves two different failing relu.py files in turn (so every version of watch regrades relu and
stays on it), and prints the median time from each save until "FAIL  relu" appears, with a
pause between saves as a learner makes. --against measures another checkout's grader the same
way (the code as it was: git worktree add /tmp/watch-old HEAD). Target: <= 0.25 s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSIONS = ("import numpy as np\n\n\ndef relu(Z):\n    return np.minimum(Z, 0)\n",
            "import numpy as np\n\n\ndef relu(Z):\n    return np.abs(Z)\n")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Screen:
    """What a process in a pseudo-terminal writes, without its escape codes."""

    def __init__(self, fd: int) -> None:
        self.fd, self.text = fd, ""

    def wait_for(self, text: str, timeout: float = 60.0) -> float:
        """Read until `text` appears after what the last call found; when it did."""
        deadline = time.monotonic() + timeout
        while (found := ESCAPES.sub("", self.text).find(text)) < 0:
            if not select.select([self.fd], [], [], max(deadline - time.monotonic(), 0))[0]:
                raise TimeoutError(f"{text!r} never appeared in: {self.text[-2000:]!r}")
            self.text += os.read(self.fd, 65536).decode(errors="replace")
        self.text = ESCAPES.sub("", self.text)[found + len(text):]
        return time.monotonic()


def latencies(checkout: Path, runs: int, pause: float) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "exercises"
        shutil.copytree(REPO / "solutions", folder)
        (folder / "relu.py").write_text(VERSIONS[1])
        env = dict(os.environ, NO_COLOR="1", COLUMNS="120",
                   NN_GRADER_STATE=str(Path(tmp) / "state"))
        main, child = os.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
        proc = subprocess.Popen([sys.executable, "-m", "grader", "watch", "--submission",
                                 str(folder)], cwd=checkout, env=env, stdin=child, stdout=child,
                                stderr=child, start_new_session=True)
        os.close(child)
        screen = Screen(main)
        try:
            screen.wait_for("watching")
            seconds = []
            for i in range(runs):
                time.sleep(pause)  # the learner edits; the watcher settles
                saved = time.monotonic()
                (folder / "relu.py").write_text(VERSIONS[i % 2])
                seconds.append(screen.wait_for("FAIL  relu") - saved)
                screen.wait_for("watching")
            os.write(main, b"q")
            proc.wait(timeout=10)
        finally:
            proc.kill()
            proc.wait()
            os.close(main)
    return seconds


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--pause", type=float, default=1.0, help="seconds between two saves")
    p.add_argument("--against", type=Path, help="another checkout to measure the same way")
    args = p.parse_args()
    for checkout in [REPO] + ([args.against.resolve()] if args.against else []):
        seconds = latencies(checkout, args.runs, args.pause)
        print(f"{checkout}: save -> verdict, {len(seconds)} saves: median "
              f"{statistics.median(seconds):.3f} s, min {min(seconds):.3f} s, max "
              f"{max(seconds):.3f} s (target <= 0.25 s)")


if __name__ == "__main__":
    main()
