"""The embedded stack: local broker, topics and every service as its own process.

State goes under the data directory: one SQLite file per service, ``logs/``, ``stack.lock``
(held by the supervising `snt up` for the stack's life, see ``snt.claim``) and ``stack.json``
(what runs where, with each process's command), which ``snt status`` and ``snt down`` read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from snt.claim import StackError as StackError
from snt.claim import claim
from snt.claim import read_state as read_state
from snt.config import SERVICES, StackSettings
from snt.firstrun import load_bundled
from snt.lock import StackLock
from snt.procs import command_line, describe, listeners, listens_on
from snt.tansu import start_tansu, stop_process

Say = Callable[[str], None]
MAX_RESTARTS = 5


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    url: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)

    def spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        self.started_at = time.monotonic()

    def answers_itself(self) -> bool:
        """True if this child, not some other process on its port, holds the port."""
        if self.process is None or self.process.poll() is not None:
            return False
        return listens_on(self.process.pid, self.port) is not False  # None: cannot tell


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def service_env(settings: StackSettings, service: str) -> dict[str, str]:
    """The service's environment: the caller's, with the embedded wiring forced on top."""
    prefix = f"SNT_{service.upper()}_"
    env = dict(os.environ)
    env.setdefault(prefix + "ENVIRONMENT", "dev")
    env.update(
        {
            prefix + "KAFKA_BOOTSTRAP": settings.bootstrap,
            prefix + "KAFKA_FETCH_MAX_WAIT_MS": str(settings.fetch_max_wait_ms),
            prefix + "HTTP_HOST": "127.0.0.1",
            prefix + "HTTP_PORT": str(settings.port_of(service)),
            prefix + "DATABASE_URL": sqlite_url(settings.data_dir / f"{service}.db"),
            prefix + "AUTH_DATABASE_URL": sqlite_url(settings.data_dir / "auth.db"),
        }
    )
    if service == "dashboard":
        env.update({f"{prefix}{name.upper()}_URL": f"http://127.0.0.1:{settings.port_of(name)}"
                    for name in ("kpi", "flex", "alerts")})  # fmt: skip
    return env


class EmbeddedStack:
    """Supervises the broker and the services; restarts a crashed service with a limit."""

    def __init__(self, settings: StackSettings, say: Say, lock_fd: int | None = None) -> None:
        self.settings = settings
        self.say = say
        self.lock_fd = lock_fd
        self.lock: StackLock | None = None
        self.broker: subprocess.Popen[bytes] | None = None
        self.broker_argv: list[str] | None = None
        self.children: list[Child] = []
        self._starting = False
        self._stopping = False

    def start(self) -> None:
        """Claim the data directory (or refuse, changing nothing), then start everything."""
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        self._starting = True
        self.lock = claim(self.settings, self.say, inherited_fd=self.lock_fd)
        self.settings.log_dir.mkdir(parents=True, exist_ok=True)
        self._start_broker()
        self._write_state("starting")
        self._create_topics()
        for name in SERVICES:
            child = self._child(name)
            child.spawn()
            self.children.append(child)
            self._write_state("starting")
        self._wait_ready()
        self._write_state("loading")
        load_bundled(self.settings, self.say)  # London's public data, on a first start
        self._start_live_feed()
        self._write_state("ready")
        self._starting = False
        dashboard = next(c.url for c in self.children if c.name == "dashboard")
        self.say(f"dashboard page {dashboard}/  (sign in with a token from `snt token create`)")

    def run_until_stopped(self) -> None:
        while not self._stopping:
            self._supervise()
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop what this stack started and let go of the data directory (if it was ours)."""
        self._starting = False  # a second signal now only asks for what is already happening
        if self.lock is None:
            return
        for child in reversed(self.children):
            if child.process is not None:
                self.say(f"stopping {child.name}")
                stop_process(child.process, timeout_s=25)
        if self.broker is not None:
            self.say("stopping broker")
            stop_process(self.broker)
        self.settings.state_file.unlink(missing_ok=True)
        self.lock.release()
        self.lock = None

    def _request_stop(self, signum: int, _frame: object) -> None:
        self._stopping = True
        if self._starting:
            raise StackError(f"stopped by signal {signum} during start-up")

    def _start_broker(self) -> None:
        port = self.settings.broker_port
        log = (self.settings.log_dir / "broker.log").open("ab")
        self.broker = start_tansu(port, binary=self.settings.tansu_bin, log=log)
        self.broker_argv = command_line(self.broker.pid)
        if listens_on(self.broker.pid, port) is False:
            raise StackError(f"port {port} answers, but not from the broker this stack started")
        self.say(f"broker   kafka://{self.settings.bootstrap} (tansu, memory storage)")

    def _create_topics(self) -> None:
        from shared.kafka_admin import ensure_topics
        from shared.topics import TOPICS

        report = ensure_topics(self.settings.bootstrap, list(TOPICS))
        self.say(f"topics   {report.summary()}")

    def _child(self, name: str) -> Child:
        port = self.settings.port_of(name)
        return Child(
            name=name,
            command=[sys.executable, "-m", f"services.{name}"],
            env=service_env(self.settings, name),
            url=f"http://127.0.0.1:{port}",
            port=port,
            log_path=self.settings.log_dir / f"{name}.log",
        )

    def _start_live_feed(self) -> None:
        """The simulated live feed (`snt simulate live`), supervised like a service but with
        no port; off with `snt up --no-live` (SNT_STACK_LIVE=0)."""
        if not self.settings.live:
            return
        env = {**os.environ, "SNT_STACK_DATA_DIR": str(self.settings.data_dir)}
        env.setdefault("SNT_INGEST_ENVIRONMENT", "dev")
        argv = ["-m", "snt", "simulate", "live", "--data-dir", str(self.settings.data_dir)]
        child = Child("simulator", [sys.executable, *argv], env, url="", port=0,
                      log_path=self.settings.log_dir / "simulator.log")  # fmt: skip
        child.spawn()
        self.children.append(child)
        self.say(f"simulator simulated live feed (log {child.log_path}; `--no-live`: off)")

    def _wait_ready(self) -> None:
        """Wait until every service answers ready from the process this stack started."""
        deadline = time.monotonic() + self.settings.start_timeout_s
        pending = {c.name: c for c in self.children}
        while pending and time.monotonic() < deadline:
            for name, child in list(pending.items()):
                self._fail_if_exited(child)
                if _ready(child.url) and child.answers_itself():
                    self.say(f"{name:<8} {child.url}  (API docs {child.url}/docs)")
                    del pending[name]
            time.sleep(0.2)
        if pending:
            names = ", ".join(sorted(pending))
            raise StackError(f"not ready after {self.settings.start_timeout_s:.0f}s: {names}")

    def _fail_if_exited(self, child: Child) -> None:
        if child.process is not None and child.process.poll() is not None:
            holders = ", ".join(describe(pid) for pid in listeners(child.port))
            taken = f"; port {child.port} is held by {holders}" if holders else ""
            raise StackError(
                f"{child.name} exited with code {child.process.returncode}{taken}; "
                f"log {child.log_path}:\n{_tail(child.log_path)}"
            )

    def _supervise(self) -> None:
        for child in self.children:
            if child.process is None or child.process.poll() is None:
                continue
            if child.restarts >= MAX_RESTARTS:
                continue
            child.restarts += 1
            self.say(
                f"{child.name} exited with code {child.process.returncode}; restarting "
                f"({child.restarts}/{MAX_RESTARTS}), log {child.log_path}"
            )
            child.spawn()
            self._write_state("ready")

    def _write_state(self, status: str) -> None:
        """Record every process with the command it runs, so a dead stack's can be found."""
        broker = self.broker
        state = {
            "supervisor_pid": os.getpid(),
            "supervisor_argv": command_line(os.getpid()),
            "status": status,
            "data_dir": str(self.settings.data_dir.resolve()),
            "broker": {
                "pid": broker.pid if broker else None,
                "argv": self.broker_argv,
                "bootstrap": self.settings.bootstrap,
            },
            "services": {
                c.name: {
                    "pid": c.process.pid if c.process else None,
                    "argv": c.command,
                    "url": c.url,
                }
                for c in self.children
            },
        }
        tmp = self.settings.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.settings.state_file)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
