"""Facts about local processes and ports: alive, what runs, who listens where.

Linux answers from ``/proc``; elsewhere ``ps`` and ``lsof`` answer when installed. A question
this machine cannot answer returns None, and the caller decides what that means.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

PROC = Path("/proc")


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _proc_state(pid) != "Z"


def command_line(pid: int) -> list[str] | None:
    """The argument vector ``pid`` was started with, or None if unknown."""
    if PROC.is_dir():
        try:
            raw = (PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        return raw.decode(errors="replace").rstrip("\0").split("\0") if raw else None
    out = _run(["ps", "-o", "args=", "-p", str(pid)])
    return out.split() if out else None


def runs(pid: int, argv: list[str]) -> bool:
    """True if ``pid`` is alive and still runs ``argv`` (not a reused pid)."""
    current = command_line(pid)
    if not pid_alive(pid) or current is None:
        return False
    if PROC.is_dir():
        return current == argv
    return " ".join(current) == " ".join(argv)  # ps splits on blanks


def port_free(port: int) -> bool:
    """True if nothing listens on TCP ``port`` of the loopback interface."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def listens_on(pid: int, port: int) -> bool | None:
    """True if process ``pid`` itself holds the listening socket of TCP ``port``."""
    if PROC.is_dir():
        return bool(_listening_inodes(port) & _socket_inodes(pid))
    out = _run(["lsof", "-nP", "-a", "-p", str(pid), f"-iTCP:{port}", "-sTCP:LISTEN", "-t"])
    return None if out is None else str(pid) in out.split()


def listeners(port: int) -> list[int]:
    """The pids (of this user, where visible) listening on TCP ``port``."""
    if PROC.is_dir():
        inodes = _listening_inodes(port)
        pids = (int(p) for p in os.listdir(PROC) if p.isdigit()) if inodes else ()
        return sorted(pid for pid in pids if inodes & _socket_inodes(pid))
    out = _run(["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-t"])
    return sorted({int(p) for p in out.split()}) if out else []


def describe(pid: int) -> str:
    argv = command_line(pid)
    return f"pid {pid} ({' '.join(argv)[:80]})" if argv else f"pid {pid}"


def _proc_state(pid: int) -> str | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            rows = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    fd_dir = PROC / str(pid) / "fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return set()
    inodes: set[str] = set()
    for name in names:
        try:
            target = os.readlink(fd_dir / name)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _run(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    return done.stdout.strip()
