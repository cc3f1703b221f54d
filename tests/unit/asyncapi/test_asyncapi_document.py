"""A service's AsyncAPI document from its broker: the topics its subscribers read and its
declared publishers write, with the contracts' schemas, keys, headers and servers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import pytest
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, ConfigDict

from shared.asyncapi import SERVERS, declare_publisher, product_document, service_document
from shared.asyncapi.schemas import contract_schemas
from shared.contracts import default_registry
from shared.contracts.envelope import Envelope
from shared.contracts.kpi import KpiUpdated
from shared.contracts.snapshot import current_schemas
from shared.topics import TOPICS, topic
from snt.config import StackSettings

REPO = Path(__file__).resolve().parents[3]
COMPONENT_NAME = re.compile(r"^[a-zA-Z0-9.\-_]+$")


async def _ignore(body: Any) -> None:
    return None


def broker_of(reads: tuple[str, ...], writes: tuple[str, ...]) -> KafkaBroker:
    broker = KafkaBroker("127.0.0.1:9")
    broker.subscriber(*reads, group_id="test", batch=True)(_ignore)
    for name in writes:
        declare_publisher(broker, name)
    return broker


def kpi_like() -> dict[str, Any]:
    broker = broker_of(("snt.crime.v1", "snt.survey.v1"), ("snt.kpi.updates.v1",))
    return service_document("kpi", broker, version="9.9.9")


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_document_lists_what_the_broker_reads_and_writes() -> None:
    document = kpi_like()
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["version"] == "9.9.9"
    assert list(document["channels"]) == ["snt.crime.v1", "snt.survey.v1", "snt.kpi.updates.v1"]
    actions = {name: op["action"] for name, op in document["operations"].items()}
    assert actions == {
        "kpi.receive.snt.crime.v1": "receive",
        "kpi.receive.snt.survey.v1": "receive",
        "kpi.send.snt.kpi.updates.v1": "send",
    }


def test_every_reference_resolves_and_no_local_defs_are_left() -> None:
    document = kpi_like()
    found = refs(document)
    assert found
    for ref in found:
        assert ref.startswith("#/"), ref
        resolve(document, ref)  # KeyError when dangling
    assert "$defs" not in str(document)
    assert all(COMPONENT_NAME.fullmatch(name) for name in document["components"]["schemas"])


@pytest.mark.parametrize("spec", TOPICS, ids=lambda spec: spec.name)
def test_a_channel_carries_its_topic_spec_and_every_event_version(spec: Any) -> None:
    document = service_document("x", broker_of((spec.name,), ()), version="1")
    channel = document["channels"][spec.name]
    assert channel["address"] == spec.name
    assert channel["bindings"]["kafka"]["partitions"] == spec.partitions
    assert channel["x-key"] == list(spec.key)
    assert channel["x-personal-data"] is spec.personal_data
    registry = default_registry()
    wanted = {f"{t}.v{v}" for t in spec.event_types for v in registry.supported_versions(t)}
    assert set(channel["messages"]) == wanted
    for name, message in channel["messages"].items():
        assert message["payload"] == {"$ref": f"#/components/schemas/{name}"}
        assert message["contentType"] == "application/json"
        assert spec.key[0] in message["bindings"]["kafka"]["key"]["description"]


def test_payloads_are_the_contract_schemas_with_references_into_components() -> None:
    document = service_document("x", broker_of(tuple(t.name for t in TOPICS), ()), version="1")
    schemas = document["components"]["schemas"]
    for filename, schema in current_schemas().items():
        name = filename.removesuffix(".json")
        inlined = _inline(schemas[name], schemas)
        assert inlined == _inline_defs(schema), name


def _inline(node: Any, schemas: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return _inline(schemas[ref.removeprefix("#/components/schemas/")], schemas)
        return {key: _inline(value, schemas) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, schemas) for value in node]
    return node


def _inline_defs(schema: dict[str, Any]) -> Any:
    defs = schema.get("$defs", {})
    body = {key: value for key, value in schema.items() if key != "$defs"}
    return _inline(_rename(body), {name: _rename(value) for name, value in defs.items()})


def _rename(node: Any) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return {**node, "$ref": ref.replace("#/$defs/", "#/components/schemas/")}
        return {key: _rename(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_rename(value) for value in node]
    return node


def test_a_model_named_alike_with_another_schema_gets_its_event_prefix() -> None:
    class Unit(BaseModel):  # KpiUpdated has a different model of this name
        model_config = ConfigDict(frozen=True)
        other: int

    class Odd(BaseModel):
        unit: Unit

    class OddHappened(Envelope[Odd]):
        event_type: Literal["odd.happened"] = "odd.happened"
        schema_version: Literal[1] = 1

    schemas = contract_schemas([KpiUpdated, OddHappened])
    assert "Unit" in schemas
    assert "odd.happened.v1.Unit" in schemas
    assert schemas["odd.happened.v1.Odd"]["properties"]["unit"] == {
        "$ref": "#/components/schemas/odd.happened.v1.Unit"
    }


def test_every_message_example_is_valid_for_its_contract() -> None:
    document = service_document("x", broker_of(tuple(t.name for t in TOPICS), ()), version="1")
    checked = 0
    for channel in document["channels"].values():
        for message in channel["messages"].values():
            for example in message.get("examples", []):
                default_registry().parse(example["payload"])
                checked += 1
    assert checked >= len(TOPICS)


def test_headers_say_every_record_is_json() -> None:
    headers = kpi_like()["components"]["schemas"]["headers"]
    assert headers["required"] == ["content-type"]
    assert headers["properties"]["content-type"]["const"] == "application/json"


def test_a_topic_the_registry_lacks_is_refused() -> None:
    broker = KafkaBroker("127.0.0.1:9")
    broker.subscriber("snt.unknown.v1", group_id="test")(_ignore)
    with pytest.raises(KeyError, match="unknown topic"):
        service_document("x", broker, version="1")
    with pytest.raises(KeyError, match="unknown topic"):
        declare_publisher(broker, "snt.unknown.v1")


def test_the_product_document_joins_the_services_operations() -> None:
    ingest = service_document(
        "ingest", broker_of(("snt.raw.cris.v1",), ("snt.crime.v1",)), version="1"
    )
    product = product_document([ingest, kpi_like()], version="2")
    assert product["info"]["version"] == "2"
    assert list(product["channels"]) == [
        "snt.raw.cris.v1",
        "snt.crime.v1",
        "snt.survey.v1",
        "snt.kpi.updates.v1",
    ]
    assert "ingest.send.snt.crime.v1" in product["operations"]
    assert "kpi.receive.snt.crime.v1" in product["operations"]
    for ref in refs(product):
        resolve(product, ref)


def test_the_servers_are_the_embedded_broker_and_the_compose_kafka() -> None:
    assert SERVERS["embedded"]["host"] == f"127.0.0.1:{StackSettings().broker_port}"
    compose = (REPO / "docker-compose.yml").read_text()
    assert f"PLAINTEXT://{SERVERS['compose']['host']}" in compose
    assert f"apache/kafka:{SERVERS['compose']['protocolVersion']}" in compose


def test_a_declared_publisher_sends_json_to_its_topic() -> None:
    broker = KafkaBroker("127.0.0.1:9")
    publisher = declare_publisher(broker, "snt.alerts.v1")
    assert publisher.topic == topic("snt.alerts.v1").name
    assert publisher.headers == {"content-type": "application/json"}
