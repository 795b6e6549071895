"""grader/zygote.py: a worker forked by the zygote is a fresh worker in every way learner code
could tell, and ends the way a fresh one does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, grader_env

from grader import zygote
from grader.worker import environment

pytestmark = pytest.mark.skipif(not zygote.available(), reason="no zygote here (see "
                                "zygote.available: Linux, as root)")

# What a worker can see of itself, reported as relu's error.
PROBE = '''import os, sys
def relu(Z):
    env = sorted(k for k in os.environ if k != "NN_GRADER_LIFE_FD")
    ours = sorted(m for m in sys.modules if m.startswith("grader")  # serve: __main__ if fresh
                  and m not in ("grader.zygote", "grader.serve"))
    raise ValueError(repr({"env": env, "fds": len(os.listdir("/proc/self/fd")),
                           "leader": os.getsid(0) == os.getpid(), "uid": os.getuid() != 0,
                           "cwd": os.path.basename(os.getcwd())[:8], "grader": ours,
                           "argv": os.path.basename(sys.argv[0]), "main": sys.modules["__main__"]
                           .__file__ == sys.argv[0], "path0": sys.path[0] == os.getcwd()}))
'''


@pytest.fixture
def warm(tmp_path):
    """A zygote, and the environment that has graders use it."""
    env = grader_env(tmp_path)
    workers = zygote.Zygote(tmp_path / "z", environment(env))
    yield workers, dict(env, **{zygote.SOCKET_VARIABLE: str(workers.socket)})
    workers.close()


def relu_message(sub: Path, env: dict[str, str]) -> str:
    proc = subprocess.run([sys.executable, "-m", "grader", "relu", "--submission", str(sub),
                           "--json", "--seed", "1", "--no-train"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    return json.loads(proc.stdout)["exercises"][0]["message"]


def test_a_worker_forked_by_the_zygote_sees_what_a_fresh_worker_sees(tmp_path, warm):
    sub = tmp_path / "probe.py"
    sub.write_text(PROBE)
    fresh, forked = relu_message(sub, grader_env(tmp_path)), relu_message(sub, warm[1])
    seen = [eval(m.split("ValueError: ", 1)[1].split(" (probe.py")[0]) for m in (fresh, forked)]
    seen[1]["fds"] -= 1  # the pipe that ends with its grader
    assert seen[0] == seen[1], seen
    assert seen[1]["leader"] and seen[1]["cwd"] == "scratch-" and "grader.network" not in \
        seen[1]["grader"]


@pytest.mark.parametrize("body, said", [("os._exit(3)", "exit code 3"),
                                        ("os.kill(os.getpid(), 9)", "signal SIGKILL")])
def test_a_forked_worker_that_ends_is_told_as_a_fresh_one_is(tmp_path, warm, body, said):
    sub = tmp_path / "ends.py"
    sub.write_text(f"import os\ndef relu(Z):\n    {body}\n")
    fresh, forked = relu_message(sub, grader_env(tmp_path)), relu_message(sub, warm[1])
    assert said in forked and forked == fresh


def test_a_forked_worker_ends_with_its_grader(tmp_path, warm):
    sub = tmp_path / "loops.py"
    sub.write_text("def relu(Z):\n    while True:\n        pass\n")
    grader = subprocess.Popen([sys.executable, "-m", "grader", "relu", "--submission", str(sub),
                               "--timeout", "60", "--no-train"], cwd=REPO, env=warm[1],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children = Path(f"/proc/{warm[0]._proc.pid}/task/{warm[0]._proc.pid}/children")
    deadline = time.monotonic() + 60
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker = int(children.read_text().split()[0])
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{worker}").exists(), "the worker outlived its grader"


def test_no_zygote_is_used_whose_workers_would_start_otherwise(tmp_path, warm, monkeypatch):
    monkeypatch.setenv(zygote.SOCKET_VARIABLE, warm[1][zygote.SOCKET_VARIABLE])
    env = environment(dict(warm[1], PYTHONHASHSEED="7"))
    log = os.open(os.devnull, os.O_WRONLY)
    try:
        assert zygote.spawn(env, str(tmp_path), log) is None
        monkeypatch.setenv(zygote.SOCKET_VARIABLE, str(tmp_path / "no-such-socket"))
        assert zygote.spawn(environment(warm[1]), str(tmp_path), log) is None
    finally:
        os.close(log)
