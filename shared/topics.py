"""Every Kafka topic the product uses: name, partitions, message key and event types.

Keys decide partitions (Kafka's default partitioner hashes the key), so everything about one
ward lives on one partition of each ward-keyed topic. Ward-keyed topics share a partition
count so they are co-partitioned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from pydantic import BaseModel

WARD_PARTITIONS: Final = 12


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic. ``key`` holds the envelope paths of the message key, first present wins."""

    name: str
    partitions: int
    key: tuple[str, ...]
    event_types: tuple[str, ...]
    description: str
    #: Carries raw personal identifiers: readable only by the ingest service.
    personal_data: bool = False


def _spec(
    name: str, partitions: int, key: str | tuple[str, ...], events: str, description: str
) -> TopicSpec:
    paths = (key,) if isinstance(key, str) else key
    personal = name.startswith("snt.raw.") or name == "snt.deadletter.v1"
    return TopicSpec(name, partitions, paths, tuple(events.split()), description, personal)


SURVEY_KEY: Final = ("payload.borough_code", "payload.area_code")
AREA_KEY: Final = ("payload.ward_code", "payload.borough_code", "payload.reporting_unit")

TOPICS: Final[tuple[TopicSpec, ...]] = (
    _spec("snt.raw.cris.v1", 6, "payload.crime_id", "crime.recorded crime.amended",
          "Crimes and amendments as CRIS sends them"),
    _spec("snt.raw.cad.v1", 6, "payload.incident_id", "cad.incident",
          "CAD incidents as CAD sends them"),
    _spec("snt.raw.carm3.v1", 3, "payload.duty_id", "duty.changed",
          "Duty changes as CARM3 sends them"),
    _spec("snt.raw.survey.v1", 3, SURVEY_KEY, "survey.response survey.aggregate",
          "PAS and USS responses and published aggregates as received"),
    _spec("snt.crime.v1", WARD_PARTITIONS, AREA_KEY, "crime.counted",
          "Crime count changes per ward (borough when unlocated), pseudonymised, classified"),
    _spec("snt.cad.v1", WARD_PARTITIONS, AREA_KEY, "cad.counted",
          "CAD incident count changes per ward (borough when unlocated), pseudonymised"),
    _spec("snt.duty.v1", WARD_PARTITIONS, "payload.home_ward_code", "duty.recorded",
          "Duty changes, pseudonymised, keyed by the officer's home ward"),
    _spec("snt.survey.v1", 3, SURVEY_KEY, "survey.recorded survey.aggregate",
          "Survey responses (pseudonymised) and aggregates, keyed by borough"),
    _spec("snt.kpi.updates.v1", WARD_PARTITIONS, "payload.area_code", "kpi.updated",
          "KPI figures per ward, borough and MPS"),
    _spec("snt.flex.updates.v1", WARD_PARTITIONS, "payload.ward_code", "flex.updated",
          "Planned, flexed and abstracted minutes per ward, role and day"),
    _spec("snt.flex.exceptions.v1", WARD_PARTITIONS, "payload.ward_code", "flex.exception",
          "Unauthorised flex, staffing and abstraction exceptions per ward-day"),
    _spec("snt.alerts.v1", 3, "payload.area_code", "alert.updated",
          "Alerts fired, acknowledged and resolved"),
    _spec("snt.deadletter.v1", 3, "payload.source", "dead_letter.recorded",
          "Rejected inputs with the reason and the original payload"),
)  # fmt: skip

TOPICS_BY_NAME: Final[Mapping[str, TopicSpec]] = MappingProxyType({t.name: t for t in TOPICS})


def topic(name: str) -> TopicSpec:
    """The spec of topic ``name``; KeyError naming the known topics otherwise."""
    try:
        return TOPICS_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown topic {name!r}; known: {', '.join(TOPICS_BY_NAME)}") from None


def topics_for(event_type: str) -> tuple[TopicSpec, ...]:
    """Topics that carry ``event_type``."""
    return tuple(spec for spec in TOPICS if event_type in spec.event_types)


def message_key(spec: TopicSpec, event: BaseModel) -> bytes:
    """The Kafka key of ``event`` on ``spec``'s topic (UTF-8), from the first key path present."""
    for path in spec.key:
        value = _lookup(event, path)
        if value is not None:
            return str(value).encode("utf-8")
    raise ValueError(f"{type(event).__name__} has none of {spec.name}'s key fields {spec.key}")


def _lookup(event: BaseModel, path: str) -> object:
    value: object = event
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value
