"""Whether a new JSON Schema of a contract still accepts everything the old one accepted.

Breaking: a removed property, a changed type, a newly required property, a narrowed enum, a
changed const, a tightened constraint, a removed definition. Not breaking: a new optional
property, a widened enum or type, a loosened constraint, a changed description or title.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

Schema = dict[str, Any]

_LOWER_BOUNDS: Final = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS: Final = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_FIXED: Final = ("pattern", "format")


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Each way ``new`` rejects input that ``old`` accepted, as 'path: what changed'."""
    return list(_Comparison(old, new).node(old, new, ""))


def _at(path: str) -> str:
    return path or "(root)"


class _Comparison:
    def __init__(self, old_doc: Schema, new_doc: Schema) -> None:
        self.old_defs: Schema = old_doc.get("$defs", {})
        self.new_defs: Schema = new_doc.get("$defs", {})
        self.open: set[tuple[str, str]] = set()

    def node(self, old: Schema, new: Schema, path: str) -> Iterator[str]:
        refs = (str(old.get("$ref", "")), str(new.get("$ref", "")))
        if refs in self.open:
            return  # a recursive definition already being compared further up
        old_node = self._resolve(old, self.old_defs)
        new_node = self._resolve(new, self.new_defs)
        if new_node is None:
            yield f"{_at(path)}: removed definition {_ref_name(new)}"
        elif old_node is not None:
            tracked = refs != ("", "")
            if tracked:
                self.open.add(refs)
            yield from self._variants(old_node, new_node, path)
            if tracked:
                self.open.discard(refs)

    @staticmethod
    def _resolve(node: Schema, defs: Schema) -> Schema | None:
        ref = node.get("$ref")
        if ref is None:
            return node
        found: Schema | None = defs.get(_ref_name(node))
        return found

    def _variants(self, old: Schema, new: Schema, path: str) -> Iterator[str]:
        new_options = []
        for option in _options(new):
            if self._resolve(option, self.new_defs) is None:
                yield f"{_at(path)}: removed definition {_ref_name(option)}"
            else:
                new_options.append(option)
        lost_definition = len(new_options) < len(_options(new))
        for option in _options(old):
            kind = self._kind(option, self.old_defs)
            match = [n for n in new_options if _accepts(self._kind(n, self.new_defs), kind)]
            if not match and lost_definition:
                continue
            if not match:
                wanted = sorted({self._kind(n, self.new_defs) for n in new_options})
                yield f"{_at(path)}: type changed from {kind} to {' | '.join(wanted)}"
                continue
            yield from self._same_kind(option, match[0], path)

    def _kind(self, node: Schema, defs: Schema) -> str:
        resolved = self._resolve(node, defs)
        if resolved is None:
            return f"missing {_ref_name(node)}"
        if "anyOf" in resolved or "oneOf" in resolved:
            return "union"
        return str(resolved.get("type", "any"))

    def _same_kind(self, old: Schema, new: Schema, path: str) -> Iterator[str]:
        if "$ref" in old or "$ref" in new:
            yield from self.node(old, new, path)
            return
        yield from _values(old, new, path)
        yield from _constraints(old, new, path)
        yield from self._properties(old, new, path)
        for key, suffix in (
            ("items", "[]"),
            ("additionalProperties", ".*"),
            ("propertyNames", "{}"),
        ):
            if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
                yield from self.node(old[key], new[key], f"{path}{suffix}")

    def _properties(self, old: Schema, new: Schema, path: str) -> Iterator[str]:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name, schema in old_props.items():
            where = f"{path}.{name}" if path else name
            if name not in new_props:
                yield f"{where}: removed property"
                continue
            if name in new_required and name not in old_required:
                yield f"{where}: became required"
            yield from self.node(schema, new_props[name], where)
        for name in sorted(set(new_props) - set(old_props)):
            if name in new_required:
                yield f"{path + '.' if path else ''}{name}: new required property"
        if (
            old.get("additionalProperties") is not False
            and new.get("additionalProperties") is False
        ):
            yield f"{_at(path)}: additional properties no longer allowed"


def _options(node: Schema) -> list[Schema]:
    for key in ("anyOf", "oneOf"):
        if key in node:
            return [option for branch in node[key] for option in _options(branch)]
    kinds = node.get("type")
    if isinstance(kinds, list):
        return [{**node, "type": kind} for kind in kinds]
    return [node]


def _accepts(new_kind: str, old_kind: str) -> bool:
    return new_kind in (old_kind, "any") or (new_kind, old_kind) == ("number", "integer")


def _allowed(node: Schema) -> set[Any] | None:
    if "const" in node:
        return {_hashable(node["const"])}
    if "enum" in node:
        return {_hashable(value) for value in node["enum"]}
    return None


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, dict | list) else value


def _values(old: Schema, new: Schema, path: str) -> Iterator[str]:
    old_values, new_values = _allowed(old), _allowed(new)
    if new_values is None:
        return
    if old_values is None:
        yield f"{_at(path)}: now restricted to {sorted(map(str, new_values))}"
    elif "const" in old and "const" in new and old_values != new_values:
        yield f"{_at(path)}: const changed from {old['const']!r} to {new['const']!r}"
    elif lost := old_values - new_values:
        yield f"{_at(path)}: enum narrowed, removed {sorted(map(str, lost))}"


def _constraints(old: Schema, new: Schema, path: str) -> Iterator[str]:
    for key in _FIXED:
        if key in new and old.get(key) != new[key]:
            yield f"{_at(path)}: {key} changed from {old.get(key)!r} to {new[key]!r}"
    for key in _LOWER_BOUNDS:
        if key in new and (key not in old or new[key] > old[key]):
            yield f"{_at(path)}: {key} tightened from {old.get(key)!r} to {new[key]!r}"
    for key in _UPPER_BOUNDS:
        if key in new and (key not in old or new[key] < old[key]):
            yield f"{_at(path)}: {key} tightened from {old.get(key)!r} to {new[key]!r}"


def _ref_name(node: Schema) -> str:
    return str(node.get("$ref", "")).rsplit("/", 1)[-1]
