"""Dead letters: a rejected input with its reason, problems and original payload.

Raw personal identifiers never leave ingest, not even on the dead-letter topic:

- a live input that cannot be read as a JSON object (not UTF-8, not JSON, too large) is
  :class:`Withheld`: only its size, SHA-256 and where reading failed are kept, because no
  pattern can promise to find every identifier in bytes that do not parse;
- a JSON object keeps its fields, but the value of any field no contract knows is withheld
  (:func:`withhold_unknown`), so an identifier sent under a wrong name is not kept either;
- every personal-data field (victim_id, caller_id, officer_id, respondent_id, at any depth)
  is replaced by its pseudonym before the original is kept — in place, so the rest of the
  original keeps its exact bytes. Bulk-file rows (not JSON) are pseudonymised by the same
  pattern, a value cut short as far as it goes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from services.ingest.domain.canonical import DEAD_LETTER_TOPIC, OutEvent, bounded_id
from services.ingest.domain.intake import AmendmentIntake, Origin
from services.ingest.domain.pseudonymise import Kind, Pseudonymiser
from shared.contracts import FieldProblem, RejectReason, capture_original
from shared.contracts.errors import ParsePosition

PERSONAL_KEYS: dict[str, Kind] = {
    "victim_id": "victim", "caller_id": "caller", "officer_id": "officer",
    "respondent_id": "respondent",
}  # fmt: skip
PREFIX = "pseudonym:"
_KEY = re.compile(r'"(' + "|".join(PERSONAL_KEYS) + r')"\s*:\s*')
_CUT_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"?|[^\s,}\]]*')
_DECODER = json.JSONDecoder()
WITHHELD_VALUE = "(withheld: not a known field)"
"""What replaces the value of a field no contract knows, in a kept original."""


@dataclass(frozen=True, slots=True)
class Withheld:
    """An original that is not kept, only identified: its size, SHA-256 and where it stopped
    being readable (None: too large to read, or readable but not a JSON object)."""

    size: int
    sha256: str
    at: ParsePosition | None = None

    @classmethod
    def of(cls, raw: bytes | str, at: ParsePosition | None = None) -> Withheld:
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        return cls(len(data), hashlib.sha256(data).hexdigest(), at)


Original = bytes | str | Withheld
"""A rejected input's original as the dead letter will keep it."""


def withhold_unknown(document: dict[str, Any], known: frozenset[str]) -> dict[str, Any] | None:
    """``document`` with the value of every field whose name is not in ``known`` (at any
    depth) withheld, or None when it has no such field."""
    found = [False]

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) if k in known else _withheld(found) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    masked = walk(document)
    return masked if found[0] else None


def _withheld(found: list[bool]) -> str:
    found[0] = True
    return WITHHELD_VALUE


def redact(original: Original, pseudonymise: Pseudonymiser) -> Original:
    """``original`` with personal identifiers replaced by pseudonyms, otherwise unchanged
    (a withheld original holds nothing to redact)."""
    if isinstance(original, Withheld):
        return original
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
    problems: tuple[FieldProblem, ...], original: Original,
    position: dict[str, Any] | None,
    now: datetime, receipt_id: str,
) -> OutEvent:  # fmt: skip
    """The dead letter of one receipt (``receipt_id`` is unique per rejected receipt)."""
    source = origin.source if origin else "unknown"
    payload: dict[str, Any] = {
        "source": source,
        "source_position": position,
        "received_at": now.isoformat(),
        "reason": reason.value,
        "errors": [p.model_dump() for p in problems],
        "event_type": event_type if "." in event_type else None,
        "event_id": origin.event_id if origin and origin.event_id else None,
        **_kept(original),
    }
    return OutEvent(
        bounded_id("dead", receipt_id), "dead_letter.recorded", DEAD_LETTER_TOPIC, source, now,
        payload, origin.event_id if origin and origin.event_id else None,
    )  # fmt: skip


def _kept(original: Original) -> dict[str, Any]:
    """The dead letter's fields describing the original."""
    if isinstance(original, Withheld):
        at = original.at.model_dump() if original.at else None
        return {"original_text": "", "original_base64": None, "original_size": original.size,
                "truncated": False, "original_withheld": True,
                "original_sha256": original.sha256, "error_position": at}  # fmt: skip
    return {**capture_original(original)._asdict(), "original_withheld": False,
            "original_sha256": None, "error_position": None}  # fmt: skip
