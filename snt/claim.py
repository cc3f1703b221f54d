"""Taking the data directory for one stack, before any of its state is touched.

`snt up` takes the stack lock (see ``snt.lock``), clears what a stack killed without
stopping left behind, and checks that every port is free; only then does it write anything.
A refused start changes nothing and says why: the running stack's pid and ports, or the
taken port and who holds it. `snt status` and `snt down` find a running stack the same way.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from snt.config import StackSettings
from snt.leftovers import stop_leftovers
from snt.lock import StackLock, holder
from snt.procs import describe, listeners, port_free, runs

Say = Callable[[str], None]


class StackError(RuntimeError):
    """The embedded stack could not start or be reached; the message says why."""


def read_state(settings: StackSettings) -> dict[str, Any] | None:
    try:
        return dict(json.loads(settings.state_file.read_text()))
    except FileNotFoundError:
        return None


def lock_facts(settings: StackSettings, pid: int) -> dict[str, Any]:
    """What the lock file records: the supervising process and every port of the stack."""
    return {"pid": pid, "data_dir": str(settings.data_dir.resolve()), "ports": settings.ports()}


def claim(settings: StackSettings, say: Say, inherited_fd: int | None = None) -> StackLock:
    """The stack lock, once no stack runs, a dead one is cleared and every port is free."""
    path = settings.lock_file
    lock = StackLock.take(path) if inherited_fd is None else StackLock.inherit(path, inherited_fd)
    if lock is None:
        raise StackError(_running_message(settings, holder(path) or {}))
    try:
        _refuse_unlocked_supervisor(settings)
        lock.record(lock_facts(settings, os.getpid()))
        clear_stale(settings, say)
        _check_ports(settings)
    except BaseException:
        lock.release()
        raise
    return lock


def clear_stale(settings: StackSettings, say: Say) -> None:
    """Stop what a stack whose supervisor died left running and remove its state file.

    Only call with the lock held: then no supervisor is alive to own that state.
    """
    state = read_state(settings)
    if state is None:
        return
    say(f"found a stack whose supervisor (pid {state.get('supervisor_pid')}) had died; cleaning up")
    for note in stop_leftovers(state):
        say(f"  {note}")
    settings.state_file.unlink(missing_ok=True)
    say(f"  removed {settings.state_file}")


def running_supervisor(settings: StackSettings, wait_s: float = 5.0) -> int | None:
    """The pid of the supervisor of the stack running from this data directory, if any."""
    deadline = time.monotonic() + wait_s
    while (facts := holder(settings.lock_file)) is not None:
        if facts.get("pid"):
            return int(facts["pid"])
        if time.monotonic() >= deadline:  # taken but not yet recorded: a start under way
            raise StackError(f"{settings.lock_file} is held but names no process yet; try again")
        time.sleep(0.1)
    state = read_state(settings)
    if state is not None and _supervisor_runs(state):
        return int(state["supervisor_pid"])
    return None


def _supervisor_runs(state: dict[str, Any]) -> bool:
    argv = state.get("supervisor_argv")
    return isinstance(argv, list) and runs(int(state["supervisor_pid"]), argv)


def _refuse_unlocked_supervisor(settings: StackSettings) -> None:
    """A live supervisor without the lock (its lock file removed by hand) still owns the dir."""
    state = read_state(settings)
    mine = state is None or int(state["supervisor_pid"]) == os.getpid()
    if state is not None and not mine and _supervisor_runs(state):
        facts = lock_facts(settings, int(state["supervisor_pid"]))
        raise StackError(_running_message(settings, facts))


def _running_message(settings: StackSettings, facts: dict[str, Any]) -> str:
    ports = facts.get("ports") or settings.ports()
    listed = ", ".join(f"{name} {port}" for name, port in ports.items())
    return (
        f"a stack is already running from {facts.get('data_dir') or settings.data_dir} "
        f"(supervisor pid {facts.get('pid', 'unknown')}; ports: {listed}); "
        "`snt status` shows it, `snt down` stops it. Nothing was started or changed."
    )


def _check_ports(settings: StackSettings) -> None:
    for name, port in settings.ports().items():
        if port_free(port):
            continue
        holders = ", ".join(describe(pid) for pid in listeners(port))
        raise StackError(
            f"port {port} (for {name}) is already in use"
            + (f" by {holders}" if holders else "")
            + "; stop that process or choose other ports (--broker-port, --http-base-port). "
            "Nothing was started."
        )
