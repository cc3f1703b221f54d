"""breaking_changes on small hand-written JSON Schemas."""

from __future__ import annotations

from typing import Any

import pytest

from shared.contracts.compat import breaking_changes


def obj(required: tuple[str, ...] = ("id",), **props: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {"id": {"type": "string"}, **props},
        "required": list(required),
    }


STR = {"type": "string"}
INT = {"type": "integer"}
NULLABLE_STR = {"anyOf": [STR, {"type": "null"}]}
COLOUR = {"type": "string", "enum": ["red", "green"]}
COLOUR_REF = {"$ref": "#/$defs/Colour"}


def with_defs(schema: dict[str, Any], **defs: Any) -> dict[str, Any]:
    return {**schema, "$defs": defs}


CASES = [
    ("identical", obj(name=STR), obj(name=STR), []),
    ("new optional property", obj(), obj(name=STR), []),
    (
        "new required property",
        obj(),
        obj(("id", "name"), name=STR),
        ["name: new required property"],
    ),
    (
        "optional became required",
        obj(name=STR),
        obj(("id", "name"), name=STR),
        ["name: became required"],
    ),
    ("required became optional", obj(("id", "name"), name=STR), obj(name=STR), []),
    ("removed property", obj(name=STR), obj(), ["name: removed property"]),
    ("changed type", obj(name=STR), obj(name=INT), ["name: type changed from string to integer"]),
    ("integer widened to number", obj(n=INT), obj(n={"type": "number"}), []),
    (
        "number narrowed to integer",
        obj(n={"type": "number"}),
        obj(n=INT),
        ["n: type changed from number to integer"],
    ),
    ("made nullable", obj(name=STR), obj(name=NULLABLE_STR), []),
    (
        "no longer nullable",
        obj(name=NULLABLE_STR),
        obj(name=STR),
        ["name: type changed from null to string"],
    ),
    ("widened enum", obj(c=COLOUR), obj(c={**COLOUR, "enum": ["red", "green", "blue"]}), []),
    (
        "narrowed enum",
        obj(c=COLOUR),
        obj(c={**COLOUR, "enum": ["red"]}),
        ["c: enum narrowed, removed ['green']"],
    ),
    ("enum added", obj(c=STR), obj(c=COLOUR), ["c: now restricted to ['green', 'red']"]),
    ("enum dropped", obj(c=COLOUR), obj(c=STR), []),
    (
        "changed const",
        obj(t={"const": "a", "type": "string"}),
        obj(t={"const": "b", "type": "string"}),
        ["t: const changed from 'a' to 'b'"],
    ),
    (
        "changed integer const",
        obj(v={"const": 1, "type": "integer"}),
        obj(v={"const": 2, "type": "integer"}),
        ["v: const changed from 1 to 2"],
    ),
    (
        "description change",
        obj(name={**STR, "description": "a"}),
        obj(name={**STR, "description": "b", "title": "N"}),
        [],
    ),
    (
        "pattern changed",
        obj(w={**STR, "pattern": "^E05"}),
        obj(w={**STR, "pattern": "^E05\\d{6}$"}),
        ["w: pattern changed from '^E05' to '^E05\\\\d{6}$'"],
    ),
    ("pattern removed", obj(w={**STR, "pattern": "^E05"}), obj(w=STR), []),
    (
        "minimum raised",
        obj(n={**INT, "minimum": 0}),
        obj(n={**INT, "minimum": 1}),
        ["n: minimum tightened from 0 to 1"],
    ),
    (
        "maximum added",
        obj(n=INT),
        obj(n={**INT, "maximum": 9}),
        ["n: maximum tightened from None to 9"],
    ),
    ("maxLength loosened", obj(s={**STR, "maxLength": 5}), obj(s={**STR, "maxLength": 9}), []),
    (
        "array items narrowed",
        obj(xs={"type": "array", "items": COLOUR}),
        obj(xs={"type": "array", "items": {**COLOUR, "enum": ["red"]}}),
        ["xs[]: enum narrowed, removed ['green']"],
    ),
    (
        "map values changed",
        obj(m={"type": "object", "additionalProperties": INT}),
        obj(m={"type": "object", "additionalProperties": STR}),
        ["m.*: type changed from integer to string"],
    ),
    (
        "map closed",
        obj(m={"type": "object", "additionalProperties": INT}),
        obj(m={"type": "object", "additionalProperties": False}),
        ["m: additional properties no longer allowed"],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_breaking_changes(old: dict[str, Any], new: dict[str, Any], expected: list[str]) -> None:
    assert breaking_changes(old, new) == expected


NESTED_OLD = with_defs(
    obj(c=COLOUR_REF, maybe={"anyOf": [COLOUR_REF, {"type": "null"}]}), Colour=COLOUR
)

DEF_CASES = [
    ("same definitions", NESTED_OLD, NESTED_OLD, []),
    (
        "enum narrowed inside a definition",
        NESTED_OLD,
        with_defs(
            obj(c=COLOUR_REF, maybe={"anyOf": [COLOUR_REF, {"type": "null"}]}),
            Colour={**COLOUR, "enum": ["red"]},
        ),
        ["c: enum narrowed, removed ['green']", "maybe: enum narrowed, removed ['green']"],
    ),
    (
        "removed definition used by a property",
        NESTED_OLD,
        with_defs(obj(c=COLOUR_REF, maybe={"anyOf": [COLOUR_REF, {"type": "null"}]})),
        ["c: removed definition Colour", "maybe: removed definition Colour"],
    ),
    (
        "definition inlined",
        NESTED_OLD,
        obj(c=COLOUR, maybe={"anyOf": [COLOUR, {"type": "null"}]}),
        [],
    ),
    (
        "object replaced by a string",
        with_defs(obj(p={"$ref": "#/$defs/P"}), P=obj()),
        obj(p=STR),
        ["p: type changed from object to string"],
    ),
    (
        "nested property removed",
        with_defs(obj(p={"$ref": "#/$defs/P"}), P=obj(name=STR)),
        with_defs(obj(p={"$ref": "#/$defs/P"}), P=obj()),
        ["p.name: removed property"],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in DEF_CASES], ids=[c[0] for c in DEF_CASES]
)
def test_breaking_changes_through_definitions(
    old: dict[str, Any], new: dict[str, Any], expected: list[str]
) -> None:
    assert breaking_changes(old, new) == expected


def test_recursive_definitions_terminate() -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}
    schema = with_defs({"$ref": "#/$defs/Node"}, Node=node)
    assert breaking_changes(schema, schema) == []
