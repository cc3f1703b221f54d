"""A downstream consumer of the KPI figures, validating every message against the product's
AsyncAPI document (docs/asyncapi.json, or any service's /asyncapi.json).

Needs only kafka-python and jsonschema-rs (``pip install kafka-python jsonschema-rs``)::

    python docs/examples/consume_kpi_updates.py --bootstrap 127.0.0.1:19092 \\
        --asyncapi http://127.0.0.1:8102/asyncapi.json --topic snt.kpi.updates.v1

Each message is checked the way the document describes it: the ``content-type`` header,
the payload against the JSON Schema of its ``event_type`` and ``schema_version`` (a channel's
messages are named ``<event_type>.v<schema_version>``) and the key against the key the topic
is keyed by (``x-key``: the first of those envelope paths that is present). One line is
printed per message, and a JSON summary at the end; the exit status is 1 when any message
was invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from kafka import KafkaConsumer


@dataclass
class Channel:
    """What the document says of one topic."""

    address: str
    key_paths: list[str]
    payloads: dict[str, Any]  # message id (kpi.updated.v1) -> validator
    headers: dict[str, Any]  # message id -> validator of the headers

    @classmethod
    def from_document(cls, document: dict[str, Any], topic: str) -> Channel:
        found = [c for c in document["channels"].values() if c["address"] == topic]
        if not found:
            raise SystemExit(f"the document has no channel for topic {topic}")
        channel = found[0]
        components = document["components"]
        payloads, headers = {}, {}
        for name, message in channel["messages"].items():
            payloads[name] = _validator(message["payload"], components)
            headers[name] = _validator(message["headers"], components)
        return cls(topic, channel.get("x-key", []), payloads, headers)


def _validator(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A validator of ``schema`` whose ``#/components/schemas/...`` references resolve."""
    return jsonschema_rs.validator_for({**schema, "components": components})


@dataclass
class Summary:
    valid: int = 0
    invalid: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check(
    channel: Channel, key: bytes | None, value: bytes, headers: dict[str, bytes]
) -> list[str]:
    """What is wrong with one record (nothing when it is as the document says)."""
    try:
        event = json.loads(value)
    except ValueError:
        return ["the value is not JSON"]
    name = f"{event.get('event_type')}.v{event.get('schema_version')}"
    if name not in channel.payloads:
        return [f"{name} is not a message of {channel.address}"]
    problems = [f"payload: {e.message}" for e in channel.payloads[name].iter_errors(event)]
    texts = {k: v.decode("utf-8", "replace") for k, v in headers.items()}
    problems += [f"headers: {e.message}" for e in channel.headers[name].iter_errors(texts)]
    expected = _key(event, channel.key_paths)
    if expected is not None and (key or b"").decode("utf-8", "replace") != expected:
        problems.append(f"key: expected {expected!r}")
    return problems


def _key(event: dict[str, Any], paths: Sequence[str]) -> str | None:
    for path in paths:
        value: Any = event
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return str(value)
    return None


def records(consumer: KafkaConsumer, limit: int | None) -> Iterator[Any]:
    for seen, record in enumerate(consumer, 1):  # ends after consumer_timeout_ms idle
        yield record
        if limit is not None and seen >= limit:
            return


def load_document(where: str) -> dict[str, Any]:
    if where.startswith(("http://", "https://")):
        with urllib.request.urlopen(where, timeout=30) as answer:
            return dict(json.load(answer))
    with open(where, encoding="utf-8") as file:
        return dict(json.load(file))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:19092")
    parser.add_argument("--asyncapi", default="docs/asyncapi.json", help="file or URL")
    parser.add_argument("--topic", default="snt.kpi.updates.v1")
    parser.add_argument("--group", default=None, help="consumer group (none: no commits)")
    parser.add_argument("--max-messages", type=int, default=None)
    parser.add_argument("--idle-timeout-s", type=float, default=10.0)
    args = parser.parse_args(argv)

    channel = Channel.from_document(load_document(args.asyncapi), args.topic)
    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset="earliest",
        enable_auto_commit=args.group is not None,
        consumer_timeout_ms=int(args.idle_timeout_s * 1000),
    )
    summary = Summary()
    try:
        for record in records(consumer, args.max_messages):
            problems = check(channel, record.key, record.value, dict(record.headers or []))
            where = f"{record.topic}[{record.partition}]@{record.offset}"
            if problems:
                summary.invalid += 1
                summary.problems.append(f"{where}: {'; '.join(problems)}")
                print(f"INVALID {where}: {'; '.join(problems)}")
                continue
            event = json.loads(record.value)
            summary.valid += 1
            kind = f"{event['event_type']}.v{event['schema_version']}"
            summary.by_type[kind] = summary.by_type.get(kind, 0) + 1
            print(f"valid   {where} {kind} {event['payload'].get('area_code', '')}")
    finally:
        consumer.close()
    print(json.dumps({"summary": summary.__dict__}))
    return 1 if summary.invalid else 0


if __name__ == "__main__":
    sys.exit(main())
