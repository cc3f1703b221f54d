"""`snt status`, `snt down` and `snt up --detach`: talk to a running embedded stack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from snt.config import StackSettings
from snt.stack import StackError, pid_alive, read_state
from snt.tansu import port_open


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    address: str
    healthy: bool
    detail: str


def stack_status(settings: StackSettings) -> list[ComponentStatus]:
    state = read_state(settings)
    if state is None or not pid_alive(int(state["supervisor_pid"])):
        raise StackError(f"no embedded stack is running (no live {settings.state_file})")
    host, port = state["broker"]["bootstrap"].rsplit(":", 1)
    broker_up = port_open(host, int(port))
    rows = [ComponentStatus("broker", state["broker"]["bootstrap"], broker_up, _up(broker_up))]
    for name, info in state["services"].items():
        rows.append(_service_status(name, info["url"]))
    return rows


def _up(flag: bool) -> str:
    return "listening" if flag else "not listening"


def _service_status(name: str, url: str) -> ComponentStatus:
    try:
        health = httpx.get(f"{url}/healthz", timeout=2.0)
        ready = httpx.get(f"{url}/readyz", timeout=5.0)
    except httpx.HTTPError as exc:
        return ComponentStatus(name, url, False, f"unreachable: {exc}")
    checks = ready.json().get("checks", {})
    detail = ", ".join(f"{k} {v}" for k, v in checks.items())
    healthy = health.status_code == 200 and ready.status_code == 200
    return ComponentStatus(name, url, healthy, ("ready: " if healthy else "NOT ready: ") + detail)


def stop_stack(settings: StackSettings, timeout_s: float = 60) -> str:
    state = read_state(settings)
    if state is None:
        return "no embedded stack is running"
    pid = int(state["supervisor_pid"])
    if pid_alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_alive(pid):
            raise StackError(f"stack supervisor {pid} did not stop within {timeout_s:.0f}s")
        return "stopped"
    _kill_leftovers(state)
    settings.state_file.unlink(missing_ok=True)
    return "cleaned up a stack whose supervisor had died"


def _kill_leftovers(state: dict[str, object]) -> None:
    pids = [state["broker"]["pid"]] + [s["pid"] for s in state["services"].values()]  # type: ignore[index,attr-defined]
    for pid in pids:
        if pid and pid_alive(int(pid)):
            os.kill(int(pid), signal.SIGKILL)


def stack_env(settings: StackSettings) -> dict[str, str]:
    """The settings as ``SNT_STACK_*`` variables, for a child `snt` process."""
    values = settings.model_dump(exclude_none=True)
    return {f"SNT_STACK_{k.upper()}": str(v) for k, v in values.items()}


def start_detached(settings: StackSettings) -> None:
    """Start `snt up` in the background and return once every service is ready."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    with (settings.log_dir / "stack.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "snt", "up"],
            env={**os.environ, **stack_env(settings)},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + settings.start_timeout_s + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"`snt up` exited with code {process.returncode}; see {log.name}")
        state = read_state(settings)
        if state and int(state["supervisor_pid"]) == process.pid:
            return
        time.sleep(0.3)
    raise StackError(f"stack not ready in time; see {settings.log_dir / 'stack.log'}")
