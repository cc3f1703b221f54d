"""The stack lock: one embedded stack per data directory, held for the stack's whole life.

``stack.lock`` is locked with flock(2) by the supervising `snt up` process and records its
pid and ports. The kernel drops the lock when that process ends, however it ends, so a lock
that can be taken means no stack is running, whatever files a killed one left behind. The
holder removes the file before it lets go; a taker checks it locked the file still at the
path, so a lock on a removed file never counts.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

PROBE_GRACE_S = 1.0
"""How long a taker waits out a `snt status` probe that holds the lock for an instant."""


class StackLock:
    """The exclusive lock, held through an open file descriptor."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    @classmethod
    def take(cls, path: Path) -> StackLock | None:
        """The lock, or None while another process holds it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + PROBE_GRACE_S
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.05)
                continue
            if _is_file_at(fd, path):
                return cls(path, fd)
            os.close(fd)  # its holder removed it meanwhile: lock the one now at the path

    @classmethod
    def inherit(cls, path: Path, fd: int) -> StackLock | None:
        """The lock a parent process took and passed down as ``fd``, if it is that lock."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None
        return cls(path, fd) if _is_file_at(fd, path) else None

    def record(self, facts: dict[str, Any]) -> None:
        """Write who holds the lock (pid, ports) into the lock file."""
        data = json.dumps(facts).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def hand_over(self) -> None:
        """Close this process's descriptor; a child given the descriptor keeps the lock."""
        os.close(self.fd)

    def release(self) -> None:
        if _is_file_at(self.fd, self.path):
            self.path.unlink(missing_ok=True)
        os.close(self.fd)


def holder(path: Path) -> dict[str, Any] | None:
    """What the process holding the lock recorded ({} if not yet), or None if none holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _facts(fd)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _facts(fd: int) -> dict[str, Any]:
    raw = os.pread(fd, 65536, 0)
    try:
        return dict(json.loads(raw)) if raw else {}
    except ValueError:
        return {}


def _is_file_at(fd: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)
