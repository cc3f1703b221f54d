"""`snt status`, `snt down` and `snt up --detach`: talk to a running embedded stack.

The running stack is the one holding the stack lock (``snt.claim``); its state file says
what runs where. A state file nobody holds the lock for is what a killed stack left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from snt.claim import (
    Say,
    StackError,
    claim,
    clear_stale,
    lock_facts,
    read_state,
    running_supervisor,
)
from snt.config import StackSettings
from snt.firstrun import progress_line
from snt.lock import StackLock, holder
from snt.procs import describe, listeners, listens_on, pid_alive
from snt.tansu import port_open

LOAD_QUIET_S = 300.0
"""How long `up --detach` waits for the next word of a first start's load before giving up."""


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    address: str
    healthy: bool
    detail: str


def stack_status(settings: StackSettings) -> list[ComponentStatus]:
    pid = running_supervisor(settings)
    state = read_state(settings)
    if pid is None:
        raise StackError(_not_running(settings, state))
    if state is None or int(state["supervisor_pid"]) != pid:
        raise StackError(f"a stack is starting (supervisor pid {pid}); nothing to show yet")
    broker = state["broker"]
    port = broker["bootstrap"].rsplit(":", 1)[1]
    rows = [_broker_status(broker["bootstrap"], broker.get("pid"), int(port))]
    for name, info in state["services"].items():
        if not info["url"]:  # a process with no port: the simulated live feed
            rows.append(_process_status(name, info.get("pid")))
            continue
        rows.append(_service_status(name, info["url"], info.get("pid")))
    return rows


def _process_status(name: str, pid: int | None) -> ComponentStatus:
    alive = bool(pid) and pid_alive(int(pid or 0))
    return ComponentStatus(name, f"pid {pid}", alive, "running" if alive else "not running")


def _not_running(settings: StackSettings, state: dict[str, Any] | None) -> str:
    if state is None:
        return f"no embedded stack is running (nothing holds {settings.lock_file})"
    return (
        f"no embedded stack is running: {settings.state_file} was left by one whose supervisor "
        f"(pid {state.get('supervisor_pid')}) died; `snt down` or `snt up` cleans it up"
    )


def _broker_status(bootstrap: str, pid: int | None, port: int) -> ComponentStatus:
    if not port_open("127.0.0.1", port):
        return ComponentStatus("broker", bootstrap, False, "not listening")
    foreign = _foreign(pid, port)
    return ComponentStatus("broker", bootstrap, not foreign, foreign or "listening")


def _service_status(name: str, url: str, pid: int | None) -> ComponentStatus:
    try:
        health = httpx.get(f"{url}/healthz", timeout=2.0)
        ready = httpx.get(f"{url}/readyz", timeout=5.0)
    except httpx.HTTPError as exc:
        return ComponentStatus(name, url, False, f"unreachable: {exc}")
    foreign = _foreign(pid, int(url.rsplit(":", 1)[1]))
    if foreign:
        return ComponentStatus(name, url, False, foreign)
    checks = ready.json().get("checks", {})
    detail = ", ".join(f"{k} {v}" for k, v in checks.items())
    healthy = health.status_code == 200 and ready.status_code == 200
    return ComponentStatus(name, url, healthy, ("ready: " if healthy else "NOT ready: ") + detail)


def _foreign(pid: int | None, port: int) -> str:
    """Why the process answering on ``port`` is not this stack's ``pid`` ('' if it is)."""
    if pid and listens_on(pid, port) is not False:
        return ""
    holders = ", ".join(describe(p) for p in listeners(port)) or "another process"
    return f"answered by {holders}, not by this stack's process (pid {pid})"


def stop_stack(settings: StackSettings, timeout_s: float = 60) -> str:
    pid = running_supervisor(settings)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _still_running(settings, pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _still_running(settings, pid):
            raise StackError(f"stack supervisor {pid} did not stop within {timeout_s:.0f}s")
        return "stopped"
    if read_state(settings) is None:
        return "no embedded stack is running"
    lock = StackLock.take(settings.lock_file)
    if lock is None:
        raise StackError("a stack started while cleaning up; `snt status` shows it")
    lines: list[str] = []
    try:
        clear_stale(settings, lines.append)
    finally:
        lock.release()
    return "\n".join(lines)


def _still_running(settings: StackSettings, pid: int) -> bool:
    return pid_alive(pid) or holder(settings.lock_file) is not None


def stack_env(settings: StackSettings) -> dict[str, str]:
    """The settings as ``SNT_STACK_*`` variables, for a child `snt` process."""
    values = settings.model_dump(exclude_none=True)
    return {f"SNT_STACK_{k.upper()}": str(v) for k, v in values.items()}


def start_detached(settings: StackSettings, say: Say) -> None:
    """Start `snt up` in the background and return once every service is ready.

    The lock is taken here, before anything is written, and handed to the background
    process, which holds it for the stack's life.
    """
    lock = claim(settings, say)
    try:
        process = _spawn_supervisor(settings, lock)
        lock.record(lock_facts(settings, process.pid))
    except BaseException:
        lock.release()
        raise
    lock.hand_over()
    log = settings.log_dir / "stack.log"
    deadline = time.monotonic() + settings.start_timeout_s + 30
    shown = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"`snt up` exited with code {process.returncode}; see {log}")
        state = read_state(settings)
        status = state["status"] if state and int(state["supervisor_pid"]) == process.pid else ""
        line = progress_line(settings) if status in ("loading", "ready") else None
        if status == "ready":
            if line and line != shown:
                say(line)
            return
        if line and line != shown:  # a first start loading London's data: how far it got
            say(line)
            shown, deadline = line, max(deadline, time.monotonic() + LOAD_QUIET_S)
        time.sleep(0.3)
    raise StackError(f"stack not ready in time; see {log}")


def _spawn_supervisor(settings: StackSettings, lock: StackLock) -> subprocess.Popen[bytes]:
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    with (settings.log_dir / "stack.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "snt", "up", "--lock-fd", str(lock.fd)],
            env={**os.environ, **stack_env(settings)},
            stdout=log,
            stderr=log,
            pass_fds=(lock.fd,),
            start_new_session=True,
        )
