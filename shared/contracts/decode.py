"""Turning raw input (bytes, text or an already-parsed mapping) into a JSON object."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from shared.contracts.errors import ROOT, ContractError, RejectReason


def load_document(
    data: bytes | str | Mapping[str, Any], max_bytes: int | None = None
) -> dict[str, Any]:
    """The input as a JSON object, or a :class:`ContractError` saying why it is not one."""
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if max_bytes is not None and len(data) > max_bytes:
        _reject(RejectReason.OVERSIZED, f"is {len(data)} bytes, more than the limit of {max_bytes}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _reject(RejectReason.BAD_ENCODING, f"is not valid UTF-8 (byte {exc.start})")
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        _reject(RejectReason.INVALID_JSON, f"is not valid JSON: {_json_problem(exc)}")
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


def _reject(reason: RejectReason, problem: str) -> NoReturn:
    raise ContractError.single(reason, ROOT, problem)
