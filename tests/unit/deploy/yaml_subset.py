"""A strict loader for the small YAML subset the deployment files use (tests only).

Understood: block mappings and block sequences indented with spaces, plain, single- and
double-quoted scalars, one-line flow sequences of scalars (``["CMD", "x"]``), comments.
Everything else raises ``YamlSubsetError`` naming the line: tabs, anchors, aliases, tags,
block scalars, flow mappings, document markers, duplicate keys, odd indentation, and plain
scalars whose meaning differs between YAML versions (``yes``/``no``/``on``/``off``, ``8080:80``,
``010``). A file the loader cannot read fails the test instead of being half understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_UNSUPPORTED_START = "{&*!|>%@`"
_AMBIGUOUS = {"yes", "no", "on", "off", "y", "n"}
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_SURPRISING = re.compile(r"[-+]?(0[0-9]+|0[xob].*|[0-9]+(:[0-9]+)+|\.(inf|nan))", re.IGNORECASE)
_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t"}


class YamlSubsetError(ValueError):
    """The text uses YAML this loader does not understand; the message names the line."""


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str

    def error(self, problem: str) -> YamlSubsetError:
        return YamlSubsetError(f"line {self.number}: {problem}: {self.text!r}")


def load(text: str) -> Any:
    """Parse ``text`` (the subset described above) into dicts, lists and scalars."""
    lines = [line for n, raw in enumerate(text.splitlines(), 1) if (line := _read(n, raw))]
    if not lines:
        return None
    if lines[0].indent:
        raise lines[0].error("the document must start at column 0")
    return _Parser(lines).block(0)


def _read(number: int, raw: str) -> _Line | None:
    body = raw.lstrip(" ")
    if body.startswith("\t"):
        raise YamlSubsetError(f"line {number}: tab in indentation")
    line = _Line(number, len(raw) - len(body), "")
    text = _strip_comment(body, line)
    if text in ("---", "...") or text.startswith("%"):
        raise line.error("document markers and directives are not supported")
    return _Line(number, line.indent, text) if text else None


def _strip_comment(body: str, line: _Line) -> str:
    i = 0
    while i < len(body):
        char = body[i]
        if char in "\"'" and (i == 0 or body[i - 1] in " [,:-"):
            i = _quoted_end(body, i, line)
            continue
        if char == "#" and (i == 0 or body[i - 1] == " "):
            return body[:i].rstrip()
        i += 1
    return body.rstrip()


def _quoted_end(text: str, start: int, line: _Line) -> int:
    """Index just past the quoted scalar that opens at ``start``."""
    quote, i = text[start], start + 1
    while i < len(text):
        # A backslash escapes in double quotes; '' is a quote in single ones.
        if (text[i] == "\\") if quote == '"' else (text[i : i + 2] == "''"):
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    raise line.error("unterminated quoted scalar (multi-line scalars are not supported)")


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


class _Parser:
    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.pos = 0

    def peek(self) -> _Line | None:
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def block(self, indent: int) -> Any:
        first = self.peek()
        if first is not None and _is_item(first.text):
            return self.sequence(indent)
        return self.mapping(indent)

    def next_at(self, indent: int, item: bool) -> _Line | None:
        """The next line of the block at ``indent``; None when the block has ended."""
        line = self.peek()
        if line is None or line.indent < indent:
            return None
        if line.indent > indent:
            raise line.error(f"unexpected indentation (expected column {indent})")
        if _is_item(line.text) != item:
            raise line.error("a mapping and a sequence cannot share one indentation level")
        self.pos += 1
        return line

    def mapping(self, indent: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        while line := self.next_at(indent, item=False):
            split = _split_key(line)
            if split is None:
                raise line.error("expected 'key: value'")
            key, rest = split
            if key in result:
                raise line.error(f"duplicate key {key!r}")
            result[key] = _scalar(rest, line) if rest else self.nested(line)
        return result

    def sequence(self, indent: int) -> list[Any]:
        result: list[Any] = []
        while line := self.next_at(indent, item=True):
            rest = line.text[1:].lstrip(" ")
            if not rest:
                result.append(self.nested(line))
            elif _is_item(rest) or _split_key(line, rest) is not None:
                # "- key: value": the item is a block that starts on this very line.
                inner = indent + len(line.text) - len(rest)
                self.pos -= 1
                self.lines[self.pos] = _Line(line.number, inner, rest)
                result.append(self.block(inner))
            else:
                result.append(_scalar(rest, line))
        return result

    def nested(self, owner: _Line) -> Any:
        """The block under ``owner`` (a ``key:`` or ``-`` with nothing after it), or None."""
        line = self.peek()
        if line is None or line.indent < owner.indent:
            return None
        if line.indent == owner.indent:
            if _is_item(line.text) and not _is_item(owner.text):
                raise line.error("indent sequence items under their key")
            return None
        return self.block(line.indent)


def _split_key(line: _Line, text: str | None = None) -> tuple[Any, str] | None:
    """(key, rest) when ``text`` is ``key: rest`` or ``key:``; None when it is a scalar."""
    text = line.text if text is None else text
    if text[0] in "\"'":
        end = _quoted_end(text, 0, line)
        after = text[end:]
        if after == ":" or after.startswith(": "):
            return _scalar(text[:end], line), after[1:].strip()
        return None
    if text[0] in "[" + _UNSUPPORTED_START or text.startswith("? "):
        return None
    colon = text.find(": ")
    if colon < 0 and text.endswith(":"):
        colon = len(text) - 1
    if colon < 0:
        return None
    return _plain(text[:colon].rstrip(), line), text[colon + 1 :].strip()


def _scalar(text: str, line: _Line) -> Any:
    if text.startswith("["):
        return _flow_sequence(text, line)
    if text[0] in "\"'":
        if _quoted_end(text, 0, line) != len(text):
            raise line.error("text after a quoted scalar")
        return _unquote(text, line)
    return _plain(text, line)


def _plain(text: str, line: _Line) -> Any:
    if text[0] in _UNSUPPORTED_START or text.startswith(("? ", "- ", "]", ",")):
        raise line.error(f"unsupported YAML syntax at {text[0]!r}")
    if ": " in text or text.endswith(":"):
        raise line.error("a plain scalar cannot contain ': ' (quote it)")
    lowered = text.lower()
    if lowered in ("null", "~"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in _AMBIGUOUS or _SURPRISING.fullmatch(text):
        raise line.error("this plain scalar means different things in YAML 1.1 and 1.2; quote it")
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _unquote(text: str, line: _Line) -> str:
    body = text[1:-1]
    if text[0] == "'":
        return body.replace("''", "'")
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            escaped = body[i + 1 : i + 2]
            if escaped not in _ESCAPES:
                raise line.error(f"unsupported escape \\{escaped}")
            out.append(_ESCAPES[escaped])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _flow_sequence(text: str, line: _Line) -> list[Any]:
    if not text.endswith("]"):
        raise line.error("a flow sequence must close on the same line")
    body, items, start, i = text[1:-1], [], 0, 0
    while i <= len(body):
        if i < len(body) and body[i] in "\"'":
            i = _quoted_end(body, i, line)
        elif i == len(body) or body[i] == ",":
            item = body[start:i].strip()
            if not item and (items or i < len(body)):
                raise line.error("empty item in a flow sequence")
            if item.startswith(("[", "{")):
                raise line.error("nested flow collections are not supported")
            if item:
                items.append(_scalar(item, line))
            start, i = i + 1, i + 1
        else:
            i += 1
    return items
