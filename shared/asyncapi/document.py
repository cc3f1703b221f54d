"""A service's AsyncAPI 3 document from its broker, and the product's from every service's.

What a service reads and writes is read from its FastStream broker (the subscribers and the
declared publishers, through FastStream's own AsyncAPI generator); what travels on each
topic comes from :mod:`shared.topics` (key, partitions, event types) and the contract
registry (the JSON Schema of every registered version).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Final

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from shared.asyncapi.publishers import CONTENT_TYPE
from shared.asyncapi.schemas import Schema, contract_schemas, message_id
from shared.contracts import default_registry
from shared.contracts.examples import event_types as example_types
from shared.contracts.examples import example_event
from shared.contracts.registry import EventClass, event_key
from shared.topics import TOPICS, TopicSpec, topic

ASYNCAPI: Final = "3.0.0"
KAFKA_BINDING: Final = "0.5.0"
HEADERS: Final = "headers"
TITLE: Final = "SNT performance monitoring: Kafka topics"
DESCRIPTION: Final = (
    "Every topic the Safer Neighbourhoods performance services read and write. Each message "
    "is one JSON object: an envelope (event_id, event_type, schema_version, version, "
    "occurred_at, recorded_at, source, correlation_id) around a typed payload; consumers "
    "accept every registered schema_version. Keys are UTF-8 strings: one ward's events are "
    "on one partition of every ward-keyed topic. See docs/contracts.md."
)
SERVERS: Final[Mapping[str, Schema]] = {
    "embedded": {
        "host": "127.0.0.1:19092",
        "protocol": "kafka",
        "description": "The embedded broker (tansu) that `snt up` starts, on loopback only "
        "(the port is --broker-port, SNT_STACK_BROKER_PORT).",
    },
    "compose": {
        "host": "kafka:9092",
        "protocol": "kafka",
        "protocolVersion": "3.9.1",
        "description": "Apache Kafka of docker-compose.yml, inside the Compose network.",
    },
}
HEADER_SCHEMA: Final[Schema] = {
    "type": "object",
    "description": "Kafka record headers (UTF-8 values).",
    "properties": {
        "content-type": {"type": "string", "const": CONTENT_TYPE},
        "event_id": {
            "type": "string",
            "description": "The envelope's event_id (set by the ingest service).",
        },
        "correlation_id": {
            "type": "string",
            "description": "A tracing id per message (set by the kpi, flex and alerts "
            "services); not the envelope's correlation_id.",
        },
    },
    "required": ["content-type"],
}

PERSONAL: Final = (
    ". Carries raw personal identifiers: only the ingest service and its operators may read it."
)
Surface = frozenset[tuple[str, str]]
"""(action, topic) pairs: ``send`` or ``receive``."""


def declared_surface(broker: KafkaBroker) -> Surface:
    """What ``broker``'s subscribers receive and its declared publishers send."""
    with warnings.catch_warnings():  # FastStream's payload naming notes: its payloads are unused
        warnings.simplefilter("ignore", RuntimeWarning)
        spec = AsyncAPI(broker).to_specification().to_jsonable()
    channels = spec.get("channels", {})
    found = set()
    for operation in spec.get("operations", {}).values():
        channel = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        found.add((operation["action"], channels[_unescape(channel)]["address"]))
    return frozenset(found)


def service_document(service: str, broker: KafkaBroker, *, version: str) -> dict[str, Any]:
    """The AsyncAPI document of what ``service``'s broker reads and writes."""
    info = {
        "title": f"SNT {service} service: Kafka topics",
        "version": version,
        "description": DESCRIPTION,
    }
    return _document(info, {service: declared_surface(broker)})


def product_document(documents: Iterable[Mapping[str, Any]], *, version: str) -> dict[str, Any]:
    """One document joining the services' documents (their topics and operations)."""
    joined: dict[str, Any] = {"channels": {}, "operations": {}, "components": {"schemas": {}}}
    for document in documents:
        for part in ("channels", "operations"):
            _merge(joined[part], document.get(part, {}), part)
        _merge(joined["components"]["schemas"], document["components"]["schemas"], "schemas")
    info = {"title": TITLE, "version": version, "description": DESCRIPTION}
    return _frame(info) | {
        "channels": _in_topic_order(joined["channels"]),
        "operations": dict(sorted(joined["operations"].items())),
        "components": joined["components"],
    }


def _document(info: Schema, surfaces: Mapping[str, Surface]) -> dict[str, Any]:
    names = {name for surface in surfaces.values() for _, name in surface}
    specs = [topic(name) for name in names]  # KeyError for a topic shared.topics lacks
    classes = [
        cls
        for cls in default_registry().classes()
        if any(event_key(cls)[0] in spec.event_types for spec in specs)
    ]
    channels = {spec.name: _channel(spec, classes) for spec in specs}
    operations = {
        f"{service}.{action}.{name}": _operation(service, action, channels[name], name)
        for service, surface in surfaces.items()
        for action, name in surface
    }
    schemas = {HEADERS: HEADER_SCHEMA, **contract_schemas(classes)}
    return _frame(info) | {
        "channels": _in_topic_order(channels),
        "operations": dict(sorted(operations.items())),
        "components": {"schemas": schemas},
    }


def _frame(info: Schema) -> dict[str, Any]:
    return {
        "asyncapi": ASYNCAPI,
        "info": info,
        "defaultContentType": CONTENT_TYPE,
        "servers": dict(SERVERS),
    }


def _channel(spec: TopicSpec, classes: list[EventClass]) -> Schema:
    messages = {
        message_id(cls): _message(cls, spec)
        for cls in classes
        if event_key(cls)[0] in spec.event_types
    }
    description = spec.description + (PERSONAL if spec.personal_data else ".")
    return {
        "address": spec.name,
        "title": spec.name,
        "description": description,
        "messages": messages,
        "bindings": {
            "kafka": {
                "topic": spec.name,
                "partitions": spec.partitions,
                "bindingVersion": KAFKA_BINDING,
            }
        },
        "x-key": list(spec.key),
        "x-personal-data": spec.personal_data,
    }


def _message(cls: EventClass, spec: TopicSpec) -> Schema:
    event_type, version = event_key(cls)
    key = ", else ".join(spec.key)
    message: Schema = {
        "name": event_type,
        "title": f"{event_type} v{version}",
        "summary": (cls.__doc__ or event_type).strip().splitlines()[0],
        "contentType": CONTENT_TYPE,
        "headers": {"$ref": f"#/components/schemas/{HEADERS}"},
        "payload": {"$ref": f"#/components/schemas/{message_id(cls)}"},
        "correlationId": {"location": "$message.payload#/correlation_id"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"{key} (UTF-8)"},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }
    current = default_registry().current(event_type) is cls
    if current and event_type in example_types():
        message["examples"] = [
            {
                "name": f"{event_type}-example",
                "headers": {"content-type": CONTENT_TYPE},
                "payload": example_event(event_type),
            }
        ]
    return message


def _operation(service: str, action: str, channel: Schema, name: str) -> Schema:
    verb = "publishes to" if action == "send" else "consumes"
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{name}"},
        "title": f"{service} {verb} {name}",
        "messages": [{"$ref": f"#/channels/{name}/messages/{m}"} for m in channel["messages"]],
    }


def _in_topic_order(channels: Mapping[str, Schema]) -> dict[str, Schema]:
    order = [spec.name for spec in TOPICS]
    return dict(sorted(channels.items(), key=lambda item: order.index(item[0])))


def _merge(into: dict[str, Any], parts: Mapping[str, Any], what: str) -> None:
    for key, value in parts.items():
        if key in into and into[key] != value:
            raise ValueError(f"the services' documents differ on {what} {key!r}")
        into[key] = value


def _unescape(pointer: str) -> str:
    return pointer.replace("~1", "/").replace("~0", "~")
