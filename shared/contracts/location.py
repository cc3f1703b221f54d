"""Where something happened or what area a figure is about."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Self

from pydantic import Field, StrictFloat, model_validator

from shared.contracts.base import Contract, check_rules
from shared.contracts.codes import (
    BOROUGH_PATTERN,
    WARD_PATTERN,
    BoroughCode,
    Level,
    LsoaCode,
    WardCode,
)


class Location(Contract):
    """A location as the source system gives it: a ward, an LSOA, a point and/or a borough.

    At least one is required; the ingest service resolves it to a ward. Whether a point lies
    in London is checked on resolution, not here.
    """

    ward_code: WardCode | None = Field(default=None, description="Ward (E05…), if known")
    lsoa_code: LsoaCode | None = Field(default=None, description="LSOA (E01…), if known")
    latitude: StrictFloat | None = Field(
        default=None, ge=-90, le=90, description="WGS84 latitude in degrees (with longitude)"
    )
    longitude: StrictFloat | None = Field(
        default=None, ge=-180, le=180, description="WGS84 longitude in degrees (with latitude)"
    )
    borough_code: BoroughCode | None = Field(default=None, description="Borough (E09…), if known")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        check_rules(self._problems())
        return self

    def _problems(self) -> Iterator[tuple[str, str]]:
        if (self.latitude is None) != (self.longitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            other = "longitude" if missing == "latitude" else "latitude"
            yield missing, f"is required when {other} is given"
        known = (self.ward_code, self.lsoa_code, self.latitude, self.borough_code)
        if all(value is None for value in known):
            yield (
                "ward_code",
                "is required unless lsoa_code, latitude/longitude or borough_code is given",
            )


def area_problems(
    level: Level, area_code: str, borough_code: str | None
) -> Iterator[tuple[str, str]]:
    """Problems with an (level, area_code, borough_code) triple on an output contract."""
    if level is Level.WARD:
        if not re.match(WARD_PATTERN, area_code):
            yield "area_code", "must be a ward code (E05…) when level is 'ward'"
        if borough_code is None:
            yield "borough_code", "is required when level is 'ward'"
    elif level is Level.BOROUGH:
        if not re.match(BOROUGH_PATTERN, area_code):
            yield "area_code", "must be a borough code (E09…) when level is 'borough'"
        if borough_code not in (None, area_code):
            yield "borough_code", "must equal area_code when level is 'borough'"
    else:
        if area_code != "MPS":
            yield "area_code", "must be MPS when level is 'mps'"
        if borough_code is not None:
            yield "borough_code", "must be absent when level is 'mps'"
