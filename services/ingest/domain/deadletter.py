"""Dead letters: a rejected input with its reason, problems and original payload.

Raw personal identifiers never leave ingest, not even on the dead-letter topic: every
personal-data field (victim_id, caller_id, officer_id, respondent_id, at any depth) is
replaced by its pseudonym before the original is kept — in place, so the rest of the
original keeps its exact bytes, and also in originals that are not valid JSON (a truncated
message, a wrong encoding). A value cut short is pseudonymised as far as it goes.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import datetime
from typing import Any

from services.ingest.domain.canonical import DEAD_LETTER_TOPIC, OutEvent, bounded_id
from services.ingest.domain.intake import AmendmentIntake, Origin
from services.ingest.domain.pseudonymise import Kind, Pseudonymiser
from shared.contracts import FieldProblem, RejectReason, capture_original

PERSONAL_KEYS: dict[str, Kind] = {
    "victim_id": "victim", "caller_id": "caller", "officer_id": "officer",
    "respondent_id": "respondent",
}  # fmt: skip
PREFIX = "pseudonym:"
_KEY = re.compile(r'"(' + "|".join(PERSONAL_KEYS) + r')"\s*:\s*')
_CUT_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"?|[^\s,}\]]*')
_DECODER = json.JSONDecoder()


def redact(original: bytes | str, pseudonymise: Pseudonymiser) -> bytes | str:
    """``original`` with personal identifiers replaced by pseudonyms, otherwise unchanged."""
    text = _text(original)
    redacted = _in_place(text, pseudonymise)
    document = _document(redacted)
    if document is not None and _holds_personal(document):
        # A key spelt with escapes (victim\u005fid) escapes the in-place pass.
        redacted = json.dumps(_redact(document, pseudonymise), ensure_ascii=False)
    if redacted == text:
        return original
    if isinstance(original, bytes):
        return redacted.encode("utf-8", "surrogateescape")
    return redacted


def _text(original: bytes | str) -> str:
    if isinstance(original, bytes):
        return original.decode("utf-8", "surrogateescape")
    return original


def _in_place(text: str, pseudonymise: Pseudonymiser) -> str:
    pieces: list[str] = []
    done = 0
    for match in _KEY.finditer(text):
        start = match.end()
        if match.start() < done:
            continue  # inside a value already replaced
        kind = PERSONAL_KEYS[match.group(1)]
        try:
            value, end = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            cut = _CUT_VALUE.match(text, start)
            end = cut.end() if cut else start
            value = text[start:end].strip('"')
            if not value:
                continue
        if value is None or str(value).startswith(PREFIX):
            continue
        pieces += [text[done:start], json.dumps(_pseudonym(kind, value, pseudonymise))]
        done = end
    return "".join(pieces) + text[done:] if pieces else text


def _document(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _holds_personal(value: Any) -> bool:
    if isinstance(value, dict):
        return any(
            (k in PERSONAL_KEYS and v is not None and not str(v).startswith(PREFIX))
            or _holds_personal(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_holds_personal(v) for v in value)
    return False


def _redact(value: Any, pseudonymise: Pseudonymiser) -> Any:
    if isinstance(value, dict):
        return {k: _field(k, v, pseudonymise) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, pseudonymise) for v in value]
    return value


def _field(key: str, value: Any, pseudonymise: Pseudonymiser) -> Any:
    kind = PERSONAL_KEYS.get(key)
    if kind is None:
        return _redact(value, pseudonymise)
    if value is None or str(value).startswith(PREFIX):
        return value
    return _pseudonym(kind, value, pseudonymise)


def _pseudonym(kind: Kind, value: Any, pseudonymise: Pseudonymiser) -> str:
    return PREFIX + pseudonymise(kind, str(value))


def parked_original(amendment: AmendmentIntake) -> str:
    """A parked amendment as its dead letter's original (the input as it was parked)."""
    return json.dumps(asdict(amendment), default=str, ensure_ascii=False)


def dead_letter_event(
    origin: Origin | None, event_type: str, reason: RejectReason,
    problems: tuple[FieldProblem, ...], original: bytes | str,
    position: dict[str, Any] | None,
    now: datetime, receipt_id: str,
) -> OutEvent:  # fmt: skip
    """The dead letter of one receipt (``receipt_id`` is unique per rejected receipt)."""
    kept = capture_original(original)
    source = origin.source if origin else "unknown"
    payload: dict[str, Any] = {
        "source": source,
        "source_position": position,
        "received_at": now.isoformat(),
        "reason": reason.value,
        "errors": [p.model_dump() for p in problems],
        "event_type": event_type if "." in event_type else None,
        "event_id": origin.event_id if origin and origin.event_id else None,
        "original_text": kept.original_text,
        "original_base64": kept.original_base64,
        "original_size": kept.original_size,
        "truncated": kept.truncated,
    }
    return OutEvent(
        bounded_id("dead", receipt_id), "dead_letter.recorded", DEAD_LETTER_TOPIC, source, now,
        payload, origin.event_id if origin and origin.event_id else None,
    )  # fmt: skip
