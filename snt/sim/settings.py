"""Settings of the live simulated feed, `snt simulate live` (environment prefix ``SNT_SIM_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import StrictSettings


class SimSettings(StrictSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_SIM_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "simulator"

    day_seconds: float = Field(
        default=60.0, gt=0, description="Real seconds per simulated day of the live feed"
    )
    seed: int = Field(default=7, description="Seed of the live feed (same seed, same events)")
    ward_file: Path | None = Field(
        default=None,
        description="MPS ward file whose rates the feed draws from; default: the bundled one",
    )
    tick_s: float = Field(
        default=1.0, gt=0, le=60, description="Real seconds between the feed's submissions"
    )
