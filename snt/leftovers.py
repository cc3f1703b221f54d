"""Stopping what a stack whose supervisor died left running.

A SIGKILLed `snt up` cannot stop its children: the broker and the services run on in their
own sessions and keep their ports. The state file names each of them with the command it was
started with; each one that still runs that command is stopped (services first, then the
broker). A pid the system has since given to another program is left alone.
"""

from __future__ import annotations

import os
import signal
import time
from contextlib import suppress
from typing import Any

from snt.procs import pid_alive, runs

Recorded = tuple[str, int, list[str]]


def recorded(state: dict[str, Any]) -> tuple[list[Recorded], list[Recorded]]:
    """The services (in stop order) and the broker the state file names."""
    services = [_entry(name, info) for name, info in state.get("services", {}).items()]
    broker = [_entry("broker", state.get("broker") or {})]
    return [s for s in reversed(services) if s[1]], [b for b in broker if b[1]]


def stop_leftovers(state: dict[str, Any], timeout_s: float = 20.0) -> list[str]:
    """Stop every recorded process still running; one line per process, for the operator."""
    services, broker = recorded(state)
    return _stop_group(services, timeout_s) + _stop_group(broker, timeout_s)


def _entry(name: str, info: dict[str, Any]) -> Recorded:
    return name, int(info.get("pid") or 0), list(info.get("argv") or [])


def _stop_group(group: list[Recorded], timeout_s: float) -> list[str]:
    notes: list[str] = []
    stopping: list[tuple[str, int]] = []
    for name, pid, argv in group:
        if not pid_alive(pid):
            continue
        if not argv or not runs(pid, argv):
            notes.append(f"{name}: pid {pid} no longer runs the recorded command; left alone")
            continue
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        stopping.append((name, pid))
    _wait_gone([pid for _, pid in stopping], timeout_s)
    for name, pid in stopping:
        killed = pid_alive(pid)
        if killed:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        notes.append(f"stopped {name} (pid {pid}{', killed' if killed else ''})")
    _wait_gone([pid for _, pid in stopping], 5.0)
    return notes


def _wait_gone(pids: list[int], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while any(pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
