"""grader/pool.py: a warm grader is `python -m grader` in every way batch relies on, job after
job."""

from __future__ import annotations

import collections
import json
import os
import threading
import time

from conftest import SOLUTIONS, grader_env

from grader.pool import Graders


def test_a_warm_grader_is_a_grader_with_its_own_session_environment_and_files(tmp_path):
    graders = Graders()
    env = dict(grader_env(tmp_path), NO_COLOR="1", NN_GRADER_MEMORY_MB="1024")
    out, err = tmp_path / "out", tmp_path / "err"
    proc = graders.start(["relu", "softmax", "--submission", str(SOLUTIONS), "--json", "--seed",
                          "7"], env, out, err)
    assert graders.wait(proc, 120) == 0, err.read_text()
    result = json.loads(out.read_text())
    assert result["seed"] == 7 and [e["status"] for e in result["exercises"]] == ["passed"] * 2
    # A relative path means what it means in the repository, where every grader starts.
    bad = graders.start(["--submission", "no/such/file.py"], env, out, err)
    assert graders.wait(bad, 60) == 2 and "does not exist" in err.read_text()
    assert out.read_text() == ""  # each run's output files are its own
    assert bad.grader is proc.grader  # the same warm process, job after job
    graders.close()
    assert graders.wait(graders.start(["--no-such-option"], env, out, err), 60) == 2


def test_what_a_warm_grader_graded_before_changes_nothing_of_the_next_result(tmp_path):
    wrong, right = tmp_path / "wrong.py", tmp_path / "right.py"
    wrong.write_text("import numpy as np\ndef relu(Z):\n    return np.abs(Z)\n")
    right.write_text((SOLUTIONS / "relu.py").read_text())
    env = dict(grader_env(tmp_path), NO_COLOR="1")
    graders, results = Graders(), []
    for sub in (wrong, right, wrong):
        out = tmp_path / f"out{len(results)}"
        job = graders.start(["relu", "--submission", str(sub), "--json", "--seed", "3",
                             "--no-train"], env, out, tmp_path / "err")
        assert graders.wait(job, 120) in (0, 1)
        result = json.loads(out.read_text())
        results.append([(e["status"], e["message"]) for e in result["exercises"]])
    assert results[0][0][0] == "failed" and results[1][0][0] == "passed"
    assert results[2] == results[0]


def test_a_forked_grader_leads_its_group_so_batch_can_stop_it_and_its_worker(tmp_path):
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ndef relu(Z):\n    time.sleep(60)\n")
    graders = Graders()
    proc = graders.start(["relu", "--submission", str(slow), "--json", "--seed", "0",
                          "--timeout", "60"], grader_env(tmp_path), tmp_path / "o", tmp_path / "e")
    pid = proc.grader.process.pid
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if os.getpgid(pid) == pid:
                break
        except ProcessLookupError:
            break
        time.sleep(0.05)
    assert os.getpgid(pid) == pid and os.getsid(pid) == pid
    started = time.monotonic()
    assert graders.stop(proc) is not None and time.monotonic() - started < 10


def test_graders_started_and_awaited_from_many_threads_each_get_their_own_exit_status(tmp_path):
    """multiprocessing's start() reads the exit status of every other child that has ended,
    from the pipe that join() reads in the thread waiting for it: with four threads at once,
    2 to 6 graders in 200 came back with exit status 255 instead of their own."""
    graders, statuses = Graders(), []
    env = dict(grader_env(tmp_path), NO_COLOR="1")

    def run(k: int) -> None:
        for i in range(50):
            proc = graders.start(["--no-such-option"], env, tmp_path / f"o{k}", tmp_path / f"e{k}")
            statuses.append(graders.wait(proc, 60))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [2] * 200, collections.Counter(statuses)  # a usage error, every time


def test_a_warm_grader_names_the_mistake_whatever_it_graded_before(tmp_path):
    """The edit search keeps what it learnt while it grades one submission: a softmax that
    nothing explains, graded first by the same grader, must not stop the next submission's
    search (its cause went missing when the search state outlived the submission)."""
    junk, flipped = tmp_path / "junk.py", tmp_path / "flipped.py"
    junk.write_text("import numpy as np\ndef softmax(Z):\n    return np.cos(Z) * 0.37 + 0.11\n")
    flipped.write_text("import numpy as np\ndef softmax(Z):\n"
                       "    E = np.exp(Z - np.max(Z, axis=0, keepdims=True))\n"
                       "    return np.sum(E, axis=0, keepdims=True) / E\n")
    env = dict(grader_env(tmp_path), NO_COLOR="1")
    graders, causes = Graders(), []
    for sub in (junk, flipped):
        out = tmp_path / f"{sub.stem}.json"
        job = graders.start(["softmax", "--submission", str(sub), "--json", "--seed", "1",
                             "--no-train"], env, out, tmp_path / "err")
        assert graders.wait(job, 120) == 1
        causes.append(json.loads(out.read_text())["exercises"][0]["causes"])
    assert causes[0] == [] and causes[1] == [
        "softmax uses np.sum(E, axis=0, keepdims=True) / E where the formula has "
        "E / np.sum(E, axis=0, keepdims=True)"], causes
