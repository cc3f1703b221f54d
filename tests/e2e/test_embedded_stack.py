"""The README's run path: `snt up` brings up the broker and every service; status; down."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from snt.config import SERVICES

pytestmark = pytest.mark.e2e


def snt(*args: str, env: dict[str, str], timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snt", *args], env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def free_port_run(count: int) -> int:
    """A base port with ``count`` consecutive free ports, below the kernel's ephemeral range
    (32768 and up), where the outgoing connections of other tests cannot take one of them
    between this check and the services binding it."""
    import random

    for _ in range(200):
        base = random.randrange(20_000, 32_000 - count)
        if all(_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no run of free ports")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    data_dir = tmp_path_factory.mktemp("stack") / "var"
    env = {
        **os.environ,
        "SNT_STACK_DATA_DIR": str(data_dir),
        "SNT_STACK_BROKER_PORT": str(free_port_run(1)),
        "SNT_STACK_HTTP_BASE_PORT": str(free_port_run(len(SERVICES))),
    }
    started = snt("up", "--detach", env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield env, data_dir
    finally:
        snt("down", env=env)


def state(data_dir: Path) -> dict:  # type: ignore[type-arg]
    return dict(json.loads((data_dir / "stack.json").read_text()))


def test_status_shows_broker_and_every_service_healthy(stack: tuple[dict[str, str], Path]) -> None:
    env, _ = stack
    result = snt("status", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    health, lag = lines[: len(SERVICES) + 1], lines[len(SERVICES) + 1 :]
    assert [line.split()[0] for line in health] == ["broker", *SERVICES]
    assert all("healthy" in line and "UNHEALTHY" not in line for line in health), result.stdout
    # then each consumer group's lag, the outbox and unsent notices: an idle stack is current
    assert all(line.split()[:2] in ([n, "current"] for n in SERVICES) for line in lag), lag


def test_every_service_exposes_health_readiness_and_metrics(
    stack: tuple[dict[str, str], Path],
) -> None:
    _, data_dir = stack
    for name, info in state(data_dir)["services"].items():
        assert httpx.get(f"{info['url']}/healthz").json() == {"service": name, "status": "ok"}
        ready = httpx.get(f"{info['url']}/readyz").json()
        expected = {"broker": "ok", "database": "ok"}
        if name in ("kpi", "flex", "alerts", "dashboard"):
            expected["state"] = "ok"  # its state is loaded from the database before it serves
        if name == "dashboard":  # no state of its own: the token database and the APIs it reads
            expected |= {"kpi_api": "ok", "flex_api": "ok", "alerts_api": "ok"}
        assert ready["checks"] == expected, ready
        metrics = httpx.get(f"{info['url']}/metrics").text
        assert f"snt_{name}_build_info" in metrics
        assert (data_dir / f"{name}.db").is_file() == (name != "dashboard")


def test_topics_were_created(stack: tuple[dict[str, str], Path]) -> None:
    from shared.topics import TOPICS

    _, data_dir = stack
    log = (data_dir / "logs" / "stack.log").read_text()
    assert f"{len(TOPICS)} created" in log or f"created {len(TOPICS)}" in log, log


def test_a_crashed_service_is_restarted(stack: tuple[dict[str, str], Path]) -> None:
    env, data_dir = stack
    victim = state(data_dir)["services"]["kpi"]
    os.kill(victim["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = state(data_dir)["services"]["kpi"]
        if current["pid"] != victim["pid"] and snt("status", env=env).returncode == 0:
            break
        time.sleep(0.5)
    else:
        pytest.fail("kpi was not restarted and healthy within 60 s")
    assert "kpi exited with code -9; restarting (1/5)" in (data_dir / "logs/stack.log").read_text()


def test_down_stops_everything(stack: tuple[dict[str, str], Path]) -> None:
    env, data_dir = stack
    pids = [s["pid"] for s in state(data_dir)["services"].values()]
    pids.append(state(data_dir)["broker"]["pid"])
    result = snt("down", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped"
    assert not (data_dir / "stack.json").exists()
    for pid in pids:
        assert not _alive(pid), f"process {pid} still running after `snt down`"
    assert snt("status", env=env).returncode == 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie child of an exited supervisor is reaped by init; treat it as gone
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"
