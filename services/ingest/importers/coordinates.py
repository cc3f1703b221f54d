"""Latitude and longitude as published (text) → floats, or None when the source has none."""

from __future__ import annotations

import math

from services.ingest.importers.errors import RowError


def coordinate(text: str | None, field: str, limit: float) -> float | None:
    """A finite number within ±``limit``; empty or absent → None."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(field, "must be a decimal number") from None
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise RowError(field, f"must be a number between -{limit:g} and {limit:g}")
    return value


def point(
    latitude: str | None, longitude: str | None, names: tuple[str, str] = ("Latitude", "Longitude")
) -> tuple[float | None, float | None]:
    """Both coordinates, or neither: one without the other is a row error."""
    lat = coordinate(latitude, names[0], 90)
    lon = coordinate(longitude, names[1], 180)
    if (lat is None) != (lon is None):
        missing = names[0] if lat is None else names[1]
        raise RowError(missing, "is empty while the other coordinate is given")
    return lat, lon
