"""The contracts' JSON Schemas as AsyncAPI components: each event version's schema under its
name (``kpi.updated.v1``), the models it uses beside it, every ``#/$defs/`` reference
pointing at ``#/components/schemas/`` so the document resolves on its own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.contracts.registry import EventClass, event_key

Schema = dict[str, Any]
DEFS = "#/$defs/"
COMPONENTS = "#/components/schemas/"


def message_id(cls: EventClass) -> str:
    event_type, version = event_key(cls)
    return f"{event_type}.v{version}"


def contract_schemas(classes: Iterable[EventClass]) -> dict[str, Schema]:
    """Component name -> schema of every class and the models it uses.

    A model keeps its own name unless another class uses that name for a different schema;
    then every model of the later class is named ``<event>.v<n>.<Model>``, so its references
    stay among its own."""
    components: dict[str, Schema] = {}
    for cls in classes:
        schema = cls.model_json_schema()
        defs: dict[str, Schema] = schema.pop("$defs", {})
        same = _Identity()
        clash = any(
            name in components and components[name] != _rewrite(d, same) for name, d in defs.items()
        )
        prefix = f"{message_id(cls)}." if clash else ""
        names = {name: prefix + name for name in defs}
        for name, definition in defs.items():
            components[names[name]] = _rewrite(definition, names)
        components[message_id(cls)] = _rewrite(schema, names)
    return components


class _Identity(dict[str, str]):
    """Every model keeps its own name."""

    def __missing__(self, key: str) -> str:
        return key


def _rewrite(node: Any, names: dict[str, str]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(DEFS):
            return {**node, "$ref": COMPONENTS + names[ref.removeprefix(DEFS)]}
        return {key: _rewrite(value, names) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite(value, names) for value in node]
    return node
