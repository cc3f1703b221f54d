"""One stack at a time, through the `snt` command as an operator runs it: a second `snt up`
is refused and changes nothing, `snt down` still stops the first; a start on a taken port
is refused, names the port and leaves nothing behind; after a SIGKILLed `snt up` the next
`snt up` stops what the dead stack left running and starts clean."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from snt.config import SERVICES
from tests.e2e.test_embedded_stack import free_port_run, snt, state

pytestmark = pytest.mark.e2e

Stack = tuple[dict[str, str], Path]


def stack_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SNT_STACK_DATA_DIR": str(data_dir),
        "SNT_STACK_BROKER_PORT": str(free_port_run(1)),
        "SNT_STACK_HTTP_BASE_PORT": str(free_port_run(len(SERVICES))),
    }


def up(env: dict[str, str]) -> None:
    started = snt("up", "--detach", env=env)
    assert started.returncode == 0, started.stdout + started.stderr


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    data_dir = tmp_path / "var"
    env = stack_env(data_dir)
    up(env)
    try:
        yield env, data_dir
    finally:
        snt("down", env=env)


def every_pid(data_dir: Path) -> list[int]:
    current = state(data_dir)
    return [current["supervisor_pid"], current["broker"]["pid"]] + [
        s["pid"] for s in current["services"].values()
    ]


def untouched(data_dir: Path) -> dict[str, tuple[bytes, int]]:
    """The running stack's state and lock files, byte for byte and with their times."""
    files = (data_dir / "stack.json", data_dir / "stack.lock")
    return {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}


def answers(data_dir: Path) -> bool:
    urls = [s["url"] for s in state(data_dir)["services"].values()]
    return all(httpx.get(f"{url}/healthz", timeout=5).status_code == 200 for url in urls)


def test_a_second_up_is_refused_and_the_first_stack_runs_on_until_down(stack: Stack) -> None:
    env, data_dir = stack
    before, pids = untouched(data_dir), every_pid(data_dir)
    supervisor, broker_port = pids[0], env["SNT_STACK_BROKER_PORT"]
    other_ports = stack_env(data_dir)  # the same data directory on other ports
    for args, run_env in ((("up", "--detach"), env), (("up",), other_ports)):
        refused = snt(*args, env=run_env, timeout=60)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "a stack is already running" in refused.stderr
        assert f"supervisor pid {supervisor}" in refused.stderr
        assert f"broker {broker_port}" in refused.stderr
        assert "all services ready" not in refused.stdout
    assert untouched(data_dir) == before
    assert every_pid(data_dir) == pids
    assert answers(data_dir)
    assert snt("status", env=env).returncode == 0

    stopped = snt("down", env=env)
    assert stopped.stdout.strip() == "stopped", stopped.stdout + stopped.stderr
    assert not (data_dir / "stack.json").exists()
    assert not (data_dir / "stack.lock").exists()
    assert not any(_alive(pid) for pid in pids)
    assert snt("down", env=env).stdout.strip() == "no embedded stack is running"


def test_a_start_on_a_port_taken_by_another_process_is_refused_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    env = stack_env(data_dir)
    taken = int(env["SNT_STACK_HTTP_BASE_PORT"]) + SERVICES.index("alerts")
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", taken))
        foreign.listen()
        refused = snt("up", "--detach", env=env, timeout=60)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"port {taken} (for alerts) is already in use by pid {os.getpid()}" in refused.stderr
    assert not data_dir.exists() or list(data_dir.rglob("*")) == []
    status = snt("status", env=env)
    assert status.returncode == 1
    assert "no embedded stack is running" in status.stderr


def test_up_after_a_sigkilled_up_stops_what_it_left_and_starts_clean(stack: Stack) -> None:
    env, data_dir = stack
    dead = every_pid(data_dir)
    os.kill(dead[0], signal.SIGKILL)
    _wait(lambda: not _alive(dead[0]))
    assert all(_alive(pid) for pid in dead[1:]), "the services outlive a SIGKILLed `snt up`"
    status = snt("status", env=env)
    assert status.returncode == 1
    assert f"left by one whose supervisor (pid {dead[0]}) died" in status.stderr

    again = snt("up", "--detach", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"found a stack whose supervisor (pid {dead[0]}) had died" in again.stdout
    for name, pid in zip(["broker", *SERVICES], dead[1:], strict=True):
        assert f"stopped {name} (pid {pid}" in again.stdout
    assert not any(_alive(pid) for pid in dead)
    assert set(every_pid(data_dir)).isdisjoint(dead)
    assert snt("status", env=env).returncode == 0


def _wait(condition: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")  # a zombie of an exited parent is gone for our purposes
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
