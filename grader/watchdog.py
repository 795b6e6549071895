"""Limits for a submission as a whole: what all its processes and files use together.

The limits of grader.sandbox hold for each process; a submission that forks could still hold
several times the memory, keep many CPU cores busy or fill the disk. A `Watchdog` thread in the
grader looks ten times a second at every process of the worker's own user id (as root each
worker has one) and at its scratch folder, and kills them all when together they pass a limit
(memory, processes running at once, disk), keeping the reason for the report.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.limits import Limits

INTERVAL = 0.1  # seconds between two looks
BUSY_SECONDS = 0.5  # how long more than Limits.busy processes may run before they are stopped
MAX_FILES = 10_000  # files and folders in the scratch folder


@dataclass(frozen=True)
class Usage:
    processes: int
    memory_bytes: int  # resident, summed over the processes
    running: int  # processes running or waiting for a CPU


def usage_of(uid: int) -> tuple[Usage, list[int]]:
    """What the live processes whose owner is `uid` use, and their ids."""
    page = os.sysconf("SC_PAGE_SIZE")
    pids, memory, running = [], 0, 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            stat = Path(entry.path, "stat").read_text()
            resident = int(Path(entry.path, "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        state = stat[stat.rindex(")") + 2:][:1]  # after "pid (name) "
        if state == "Z":
            continue  # a zombie holds nothing and cannot be killed
        pids.append(int(entry.name))
        memory += resident * page
        running += state == "R"
    return Usage(len(pids), memory, running), pids


def resident_bytes(pid: int, uid: int | None) -> int:
    """Resident memory of the processes of `uid` (of the process `pid` alone when None); 0
    when it cannot be read."""
    if uid is not None:
        return usage_of(uid)[0].memory_bytes
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def folder_size(folder: Path, max_files: int = MAX_FILES) -> tuple[float, int]:
    """(bytes on disk, entries) of everything under `folder`, counting at most `max_files`+1."""
    size, count, todo = 0, 0, [str(folder)]
    while todo and count <= max_files:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    count += 1
                    info = entry.stat(follow_symlinks=False)
                    size += getattr(info, "st_blocks", info.st_size / 512) * 512  # not Windows
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(entry.path)
        except OSError:
            continue
    return size, count


class Watchdog:
    """Calls `kill` once the processes of `uid` (None: no private user id, so only the folder
    is watched) together pass `limits.memory_mb`, more than `limits.busy` of them run for
    BUSY_SECONDS, or `scratch` passes `limits.scratch_mb`."""

    def __init__(self, uid: int | None, scratch: Path, limits: Limits,
                 kill: Callable[[], None]) -> None:
        self.uid, self.scratch, self.limits, self.kill = uid, scratch, limits, kill
        self.reason: str | None = None  # why it killed, in words for the learner
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()

    def _watch(self) -> None:
        busy_looks = 0  # looks in a row that found more than BUSY processes running
        while not self._stopped.wait(INTERVAL):
            reason, busy_looks = self._check(busy_looks)
            if reason:
                self.reason = reason
                self.kill()
                return

    def _check(self, busy_looks: int) -> tuple[str | None, int]:
        if self.uid is not None:
            usage = usage_of(self.uid)[0]
            if usage.memory_bytes > self.limits.memory_mb << 20:
                return (f"used {usage.memory_bytes / (1 << 30):.1f} GB of memory across its "
                        f"{usage.processes} processes (a submission may use "
                        f"{self.limits.memory_mb:,} MB in all)"), 0
            busy_looks = busy_looks + 1 if usage.running > self.limits.busy else 0
            if busy_looks * INTERVAL >= BUSY_SECONDS:
                return (f"kept {usage.running} processes running at once (a submission may "
                        f"keep {self.limits.busy})"), 0
        size, files = folder_size(self.scratch)
        if size > self.limits.scratch_mb << 20 or files > MAX_FILES:
            return (f"wrote more than {self.limits.scratch_mb} MB or {MAX_FILES:,} files into "
                    "its scratch folder"), 0
        return None, busy_looks
