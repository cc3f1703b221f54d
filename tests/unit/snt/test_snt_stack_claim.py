"""One stack per data directory, without starting one: the lock, the refusals (they change
nothing and name the pid or port), what a killed stack left behind, and who answers."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from snt.claim import StackError, claim, read_state, running_supervisor
from snt.config import SERVICES, StackSettings
from snt.control import _service_status, stack_status, stop_stack
from snt.lock import StackLock, holder
from snt.procs import command_line, listens_on, pid_alive
from snt.stack import Child


def free_base(count: int) -> int:
    """A base port with ``count`` consecutive free ports, below the ephemeral range."""
    import random

    for _ in range(200):
        base = random.randrange(20_000, 32_000 - count)
        if all(_bindable(base + i) for i in range(count)):
            return base
    raise RuntimeError("no run of free ports")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def settings(tmp_path: Path) -> StackSettings:
    base = free_base(len(SERVICES) + 1)
    return StackSettings(data_dir=tmp_path / "var", broker_port=base, http_base_port=base + 1)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket of this test process listening on some free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", free_base(1)))
        sock.listen()
        yield sock


SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)", "services.kpi"]


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process standing in for a service a dead stack left running."""
    process = subprocess.Popen(SLEEPER, start_new_session=True)
    yield process
    process.kill()
    process.wait()


def quiet(_line: str) -> None:
    pass


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_the_lock_is_exclusive_and_records_who_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "stack.lock"
    assert holder(path) is None
    first = StackLock.take(path)
    assert first is not None
    first.record({"pid": 1234, "ports": {"broker": 1}})
    assert StackLock.take(path) is None
    assert holder(path) == {"pid": 1234, "ports": {"broker": 1}}
    first.release()
    assert not path.exists()
    assert holder(path) is None
    second = StackLock.take(path)
    assert second is not None
    second.release()


def test_a_lock_on_a_file_removed_by_its_holder_is_not_taken(tmp_path: Path) -> None:
    path = tmp_path / "stack.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    path.unlink()  # as a releasing holder does, between our open and our flock
    assert StackLock.inherit(path, fd) is None
    os.close(fd)


def test_a_second_claim_is_refused_naming_the_pid_and_ports_and_changes_nothing(
    settings: StackSettings,
) -> None:
    lock = claim(settings, quiet)
    settings.state_file.write_text(json.dumps({"supervisor_pid": os.getpid(), "services": {}}))
    before = snapshot(settings.data_dir)
    with pytest.raises(StackError) as refused:
        claim(settings, quiet)
    message = str(refused.value)
    assert "already running" in message
    assert f"supervisor pid {os.getpid()}" in message
    assert f"broker {settings.broker_port}" in message
    assert f"dashboard {settings.port_of('dashboard')}" in message
    assert snapshot(settings.data_dir) == before
    assert running_supervisor(settings) == os.getpid()
    lock.release()


def test_a_taken_port_refuses_naming_port_and_pid_and_leaves_nothing(
    tmp_path: Path, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    settings = StackSettings(
        data_dir=tmp_path / "var", broker_port=free_base(1), http_base_port=port - 2
    )
    with pytest.raises(StackError) as refused:
        claim(settings, quiet)
    message = str(refused.value)
    assert f"port {port} (for flex) is already in use by pid {os.getpid()}" in message
    assert "Nothing was started" in message
    assert list(settings.data_dir.rglob("*")) == []
    assert holder(settings.lock_file) is None


def test_what_a_dead_stack_left_is_stopped_and_a_reused_pid_left_alone(
    settings: StackSettings, sleeper: subprocess.Popen[bytes]
) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        settings.data_dir.mkdir(parents=True)
        dead = {
            "supervisor_pid": 999_999_999,
            "broker": {"pid": None, "argv": None, "bootstrap": settings.bootstrap},
            "services": {
                "kpi": {"pid": sleeper.pid, "argv": SLEEPER, "url": "-"},
                "flex": {"pid": other.pid, "argv": ["python", "-m", "services.flex"]},
            },
        }
        settings.state_file.write_text(json.dumps(dead))
        lines: list[str] = []
        lock = claim(settings, lines.append)
        lock.release()
        assert sleeper.wait(10) is not None
        assert pid_alive(other.pid)
        assert read_state(settings) is None
        assert lines[0] == "found a stack whose supervisor (pid 999999999) had died; cleaning up"
        assert f"  stopped kpi (pid {sleeper.pid})" in lines
        assert f"  flex: pid {other.pid} no longer runs the recorded command; left alone" in lines
    finally:
        other.kill()
        other.wait()


def test_status_and_down_recognise_a_dead_stack_and_down_cleans_it_up(
    settings: StackSettings, sleeper: subprocess.Popen[bytes]
) -> None:
    settings.data_dir.mkdir(parents=True)
    dead = {
        "supervisor_pid": 999_999_999,
        "supervisor_argv": ["python", "-m", "snt", "up"],
        "broker": {"pid": None, "bootstrap": settings.bootstrap},
        "services": {"kpi": {"pid": sleeper.pid, "argv": SLEEPER}},
    }
    settings.state_file.write_text(json.dumps(dead))
    with pytest.raises(StackError, match=r"left by one whose supervisor \(pid 999999999\) died"):
        stack_status(settings)
    report = stop_stack(settings)
    assert f"stopped kpi (pid {sleeper.pid})" in report
    assert sleeper.wait(10) is not None
    assert not settings.state_file.exists()
    assert not settings.lock_file.exists()
    assert stop_stack(settings) == "no embedded stack is running"
    with pytest.raises(StackError, match="no embedded stack is running"):
        stack_status(settings)


def test_a_live_supervisor_whose_lock_file_was_removed_still_owns_the_directory(
    settings: StackSettings,
) -> None:
    settings.data_dir.mkdir(parents=True)
    me = {"supervisor_pid": os.getppid(), "supervisor_argv": command_line(os.getppid())}
    settings.state_file.write_text(json.dumps({**me, "services": {}}))
    before = snapshot(settings.data_dir)
    with pytest.raises(StackError, match=f"supervisor pid {os.getppid()}"):
        claim(settings, quiet)
    assert snapshot(settings.data_dir) == before
    assert running_supervisor(settings) == os.getppid()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="listening sockets read from /proc")
def test_only_the_process_holding_the_port_counts_as_answering(
    tmp_path: Path, listener: socket.socket, sleeper: subprocess.Popen[bytes]
) -> None:
    port = listener.getsockname()[1]
    assert listens_on(os.getpid(), port) is True
    assert listens_on(sleeper.pid, port) is False
    child = Child("kpi", [], {}, f"http://127.0.0.1:{port}", port, tmp_path / "kpi.log")
    child.process = sleeper
    assert not child.answers_itself()


class _AlwaysReady(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"service": "kpi", "ready": true, "checks": {"broker": "ok"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="listening sockets read from /proc")
def test_status_does_not_count_another_process_answering_on_a_services_port(
    sleeper: subprocess.Popen[bytes],
) -> None:
    server = http.server.HTTPServer(("127.0.0.1", free_base(1)), _AlwaysReady)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        row = _service_status("kpi", url, sleeper.pid)
        assert not row.healthy
        assert f"answered by pid {os.getpid()}" in row.detail
        assert f"not by this stack's process (pid {sleeper.pid})" in row.detail
        assert _service_status("kpi", url, os.getpid()).healthy
    finally:
        server.shutdown()
        server.server_close()
