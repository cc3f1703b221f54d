"""Upcasting, worked through: an old schema version is upgraded, never rejected."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import Field

from shared.contracts import ContractError, ContractRegistry, Envelope, parse_event
from shared.contracts.base import Contract
from shared.contracts.compat import breaking_changes
from shared.contracts.examples import example_event


def rejection(data: Any, registry: ContractRegistry) -> list[tuple[str, str]]:
    with pytest.raises(ContractError) as info:
        parse_event(data, registry=registry)
    return [(p.field, p.problem) for p in info.value.problems]


# A worked example of a breaking change: "ping" v1 had one free-text "ward" field; v2 splits
# it into a ward code and an optional note. v1 messages are upgraded, never rejected.


class PingV1(Contract):
    ward: str = Field(description="Ward code and optional note, e.g. 'E05013806 quiet'")


class PingV2(Contract):
    ward_code: str = Field(description="Ward code")
    note: str | None = Field(default=None, description="Optional note")


class Ping(Envelope[PingV1]):
    event_type: Literal["test.ping"] = Field(default="test.ping", description="type")
    schema_version: Literal[1] = Field(default=1, description="version")


class Ping2(Envelope[PingV2]):
    event_type: Literal["test.ping"] = Field(default="test.ping", description="type")
    schema_version: Literal[2] = Field(default=2, description="version")


def upcast_ping_v1(payload: dict[str, Any]) -> dict[str, Any]:
    code, _, note = payload.pop("ward").partition(" ")
    return {**payload, "ward_code": code, "note": note or None}


@pytest.fixture
def ping_registry() -> ContractRegistry:
    registry = ContractRegistry([Ping, Ping2])
    registry.add_upcaster("test.ping", 1, upcast_ping_v1)
    return registry


def ping(version: int, payload: dict[str, Any]) -> dict[str, Any]:
    return example_event("test.ping", source="ingest", schema_version=version, payload=payload)


def test_an_old_version_is_upgraded_to_the_current_class(ping_registry: ContractRegistry) -> None:
    old = parse_event(ping(1, {"ward": "E05013806 quiet night"}), registry=ping_registry)
    assert isinstance(old, Ping2)
    assert old.schema_version == 2
    assert old.payload == PingV2(ward_code="E05013806", note="quiet night")
    current = parse_event(ping(2, {"ward_code": "E05013806"}), registry=ping_registry)
    assert isinstance(current, Ping2)
    assert ping_registry.supported_versions("test.ping") == (1, 2)
    assert ping_registry.check() == []


def test_upgrade_failures_are_rejections(ping_registry: ContractRegistry) -> None:
    assert rejection(ping(1, {"name": "x"}), ping_registry) == [
        ("payload", "cannot be upgraded from version 1: 'ward'")
    ]
    assert rejection(ping(1, {"ward": "E05013806", "colour": "red"}), ping_registry) == [
        ("payload.colour", "is not a known field")
    ]
    assert rejection(ping(1, "not an object"), ping_registry) == [
        ("payload", "must be a JSON object")
    ]


def test_an_old_version_without_an_upcaster_is_reported() -> None:
    registry = ContractRegistry([Ping, Ping2])
    assert registry.check() == ["test.ping v1 has no upcaster chain to v2"]
    assert rejection(ping(1, {"ward": "E05013806"}), registry) == [
        ("schema_version", "version 1 of 'test.ping' is not supported (supported: 2)")
    ]


def test_the_change_is_breaking_which_is_why_it_is_a_new_version() -> None:
    assert breaking_changes(Ping.model_json_schema(), Ping2.model_json_schema()) == [
        "schema_version: const changed from 1 to 2",
        "payload.ward: removed property",
        "payload.ward_code: new required property",
    ]
