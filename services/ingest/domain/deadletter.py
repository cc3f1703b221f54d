"""Dead letters: a rejected input with its reason, problems and original payload.

Raw personal identifiers never leave ingest, not even on the dead-letter topic: when the
original is JSON, every personal-data field (victim_id, caller_id, officer_id, respondent_id,
at any depth) is replaced by its pseudonym before the original is kept.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from services.ingest.domain.canonical import DEAD_LETTER_TOPIC, OutEvent, bounded_id
from services.ingest.domain.intake import Origin
from services.ingest.domain.pseudonymise import Kind, Pseudonymiser
from shared.contracts import FieldProblem, RejectReason, capture_original

PERSONAL_KEYS: dict[str, Kind] = {
    "victim_id": "victim", "caller_id": "caller", "officer_id": "officer",
    "respondent_id": "respondent",
}  # fmt: skip


def redact(original: str, pseudonymise: Pseudonymiser) -> str:
    """``original`` with personal identifiers replaced by pseudonyms (JSON only)."""
    try:
        data = json.loads(original)
    except (ValueError, RecursionError):
        return original
    return json.dumps(_redact(data, pseudonymise), ensure_ascii=False)


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
    if value is None:
        return None
    return "pseudonym:" + pseudonymise(kind, str(value))


def dead_letter_event(
    origin: Origin | None, event_type: str, reason: RejectReason,
    problems: tuple[FieldProblem, ...], original: str, position: dict[str, Any] | None,
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
        payload, origin.event_id if origin else None,
    )  # fmt: skip
