"""Which envelope class each (event_type, schema_version) is, and how old versions upgrade.

A consumer accepts every registered version of an event: an old version is brought up to
the current one by a chain of upcasters (payload of version n -> payload of version n + 1)
before validation, so handlers only ever see the current class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any, TypeVar

from pydantic import ValidationError

from shared.contracts.codes import EVENT_TYPE_PATTERN
from shared.contracts.decode import load_document
from shared.contracts.envelope import Envelope
from shared.contracts.errors import ContractError, RejectReason, flatten_errors

EventClass = type[Envelope[Any]]
#: Turns the payload of version n into the payload of version n + 1.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
E = TypeVar("E", bound=EventClass)
_EVENT_TYPE = re.compile(EVENT_TYPE_PATTERN)


def event_key(cls: EventClass) -> tuple[str, int]:
    """The (event_type, schema_version) a concrete event class fixes with its Literal defaults."""
    event_type = cls.model_fields["event_type"].default
    version = cls.model_fields["schema_version"].default
    if not isinstance(event_type, str) or not isinstance(version, int):
        raise TypeError(f"{cls.__name__} must fix event_type and schema_version with defaults")
    return event_type, version


class ContractRegistry:
    """Event classes by (event_type, schema_version), with upcasters between versions."""

    def __init__(self, classes: Iterable[EventClass] = ()) -> None:
        self._classes: dict[tuple[str, int], EventClass] = {}
        self._current: dict[str, int] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: E) -> E:
        """Add an event class; the highest version of an event type is its current class."""
        event_type, version = event_key(cls)
        if (event_type, version) in self._classes:
            raise ValueError(f"{event_type} v{version} is already registered")
        self._classes[event_type, version] = cls
        self._current[event_type] = max(version, self._current.get(event_type, version))
        return cls

    def add_upcaster(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        """Register how the payload of ``from_version`` becomes that of ``from_version + 1``."""
        if (event_type, from_version) in self._upcasters:
            raise ValueError(f"an upcaster from {event_type} v{from_version} already exists")
        self._upcasters[event_type, from_version] = upcaster

    def event_types(self) -> tuple[str, ...]:
        return tuple(sorted(self._current))

    def classes(self) -> tuple[EventClass, ...]:
        """Every registered class, old versions included."""
        return tuple(self._classes[key] for key in sorted(self._classes))

    def current(self, event_type: str) -> EventClass:
        """The current class of ``event_type``; KeyError when the type is unknown."""
        return self._classes[event_type, self._current[event_type]]

    def supported_versions(self, event_type: str) -> tuple[int, ...]:
        """Versions a consumer accepts: the current one and each that upcasts to it."""
        current = self._current[event_type]
        versions = [current]
        while (event_type, versions[-1] - 1) in self._upcasters:
            versions.append(versions[-1] - 1)
        return tuple(sorted(versions))

    def check(self) -> list[str]:
        """Registered old versions that no chain of upcasters brings to the current one."""
        return [
            f"{event_type} v{version} has no upcaster chain to v{self._current[event_type]}"
            for event_type, version in sorted(self._classes)
            if version not in self.supported_versions(event_type)
        ]

    def parse(
        self, data: bytes | str | Mapping[str, Any], *, max_bytes: int | None = None
    ) -> Envelope[Any]:
        """The input as its current event class, or a :class:`ContractError` with every problem."""
        document = load_document(data, max_bytes)
        event_type, version = self._header(document)
        upgraded = self._upcast(document, event_type, version)
        try:
            return self.current(event_type).model_validate(upgraded)
        except ValidationError as exc:
            problems = flatten_errors(exc)
            raise ContractError(
                RejectReason.SCHEMA_VIOLATION,
                problems,
                event_type=event_type,
                schema_version=version,
            ) from None

    def _header(self, document: Mapping[str, Any]) -> tuple[str, int]:
        event_type = self._event_type(document.get("event_type"))
        return event_type, self._version(event_type, document.get("schema_version"))

    def _event_type(self, value: object) -> str:
        if not isinstance(value, str):
            problem = "is required" if value is None else "must be a string"
            raise ContractError.single(RejectReason.SCHEMA_VIOLATION, "event_type", problem)
        if value not in self._current:
            # Quote only what looks like an event type: the problem is returned and logged.
            named = _EVENT_TYPE.fullmatch(value) and len(value) <= 64
            problem = (
                f"'{value}' is not a known event type" if named else "is not a known event type"
            )
            raise ContractError.single(RejectReason.UNKNOWN_EVENT_TYPE, "event_type", problem)
        return value

    def _version(self, event_type: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            problem = "is required" if value is None else "must be a whole number"
        elif value not in (supported := self.supported_versions(event_type)):
            listed = ", ".join(str(v) for v in supported)
            shown = value if abs(value) < 10**9 else "this large"
            problem = f"version {shown} of '{event_type}' is not supported (supported: {listed})"
        else:
            return value
        raise ContractError.single(
            RejectReason.SCHEMA_VIOLATION, "schema_version", problem, event_type=event_type
        )

    def _upcast(self, document: dict[str, Any], event_type: str, version: int) -> dict[str, Any]:
        current = self._current[event_type]
        for step in range(version, current):
            payload = document.get("payload")
            if not isinstance(payload, dict):
                return {**document, "schema_version": current}  # validation reports the payload
            try:
                payload = self._upcasters[event_type, step](dict(payload))
            except (KeyError, TypeError, ValueError) as exc:
                raise ContractError.single(
                    RejectReason.SCHEMA_VIOLATION,
                    "payload",
                    f"cannot be upgraded from version {step}: {exc}",
                    event_type=event_type,
                    schema_version=version,
                ) from None
            document = {**document, "payload": payload, "schema_version": step + 1}
        return document


@cache
def default_registry() -> ContractRegistry:
    """The product's registry: every event class and upcaster in the catalogue."""
    from shared.contracts.catalogue import EVENT_CLASSES, UPCASTERS

    registry = ContractRegistry(EVENT_CLASSES)
    for event_type, from_version, upcaster in UPCASTERS:
        registry.add_upcaster(event_type, from_version, upcaster)
    return registry


def parse_event(
    data: bytes | str | Mapping[str, Any],
    *,
    registry: ContractRegistry | None = None,
    max_bytes: int | None = None,
) -> Envelope[Any]:
    """Decode, upgrade and validate one event; raises :class:`ContractError` when it cannot."""
    return (registry or default_registry()).parse(data, max_bytes=max_bytes)
