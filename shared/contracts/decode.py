"""Turning raw input (bytes, text or an already-parsed mapping) into a JSON object."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from shared.contracts.errors import ROOT, ContractError, ParsePosition, RejectReason


def load_document(
    data: bytes | str | Mapping[str, Any], max_bytes: int | None = None
) -> dict[str, Any]:
    """The input as a JSON object, or a :class:`ContractError` saying why it is not one (with
    the position where it stopped being readable, when it is not UTF-8 or not JSON)."""
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if max_bytes is not None and len(data) > max_bytes:
        _reject(RejectReason.OVERSIZED, f"is {len(data)} bytes, more than the limit of {max_bytes}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = ParsePosition.of(data, exc.start)
        _reject(RejectReason.BAD_ENCODING, f"is not valid UTF-8 (byte {exc.start})", at)
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        where = _json_position(data, text, exc)
        _reject(RejectReason.INVALID_JSON, f"is not valid JSON: {_json_problem(exc)}", where)
    except RecursionError:
        _reject(RejectReason.INVALID_JSON, "is not valid JSON here: it nests too deeply")
    if not isinstance(document, dict):
        _reject(RejectReason.SCHEMA_VIOLATION, "must be a JSON object")
    return document


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed in JSON")


def _json_problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return str(exc)


def _json_position(data: bytes, text: str, exc: ValueError) -> ParsePosition | None:
    if not isinstance(exc, json.JSONDecodeError):
        return None  # a NaN or Infinity constant: the decoder does not say where
    return ParsePosition.of(data, len(text[: exc.pos].encode("utf-8", "surrogatepass")))


def _reject(reason: RejectReason, problem: str, at: ParsePosition | None = None) -> NoReturn:
    raise ContractError.single(reason, ROOT, problem, at=at)
