"""Dead letters: inputs that could not be accepted, with the reason and the original bytes.

The original payload may hold raw personal identifiers, so the dead-letter topic is
restricted to the ingest service's operators (see docs/contracts.md). An original that cannot
be read as a JSON object is withheld: only its size, SHA-256 and the position where reading
failed are kept.
"""

from __future__ import annotations

import base64
from typing import Final, Literal, NamedTuple

from pydantic import Field, StrictBool

from shared.contracts.base import PERSONAL_DATA, Contract
from shared.contracts.codes import EventType, RecordId, SourceSystem, Timestamp
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope
from shared.contracts.errors import FieldProblem, ParsePosition, RejectReason
from shared.contracts.refs import TopicOffset

#: Longest original payload kept on a dead letter (bytes); longer ones are truncated.
MAX_ORIGINAL_BYTES: Final = 256 * 1024


class DeadLetterV1(Contract):
    """An input the product rejected: where it came from, why, and what it was."""

    source: SourceSystem = Field(description="System the input came from (the message key)")
    source_position: TopicOffset | None = Field(
        default=None, description="Where the input was read from Kafka (None: HTTP or file)"
    )
    received_at: Timestamp = Field(description="When the input was received")
    reason: RejectReason = Field(description="Why it was rejected")
    errors: tuple[FieldProblem, ...] = Field(default=(), description="Each problem found")
    event_type: EventType | None = Field(default=None, description="Its event type, if readable")
    event_id: RecordId | None = Field(default=None, description="Its event id, if readable")
    original_text: str = Field(
        description="The original payload as text (invalid UTF-8 replaced by U+FFFD); empty "
        "when the original is withheld",
        json_schema_extra=PERSONAL_DATA,
    )
    original_base64: str | None = Field(
        default=None,
        description="The original bytes in base64, only when they were not valid UTF-8",
        json_schema_extra=PERSONAL_DATA,
    )
    original_size: int = Field(ge=0, description="Size of the original payload in bytes")
    truncated: bool = Field(
        default=False, description=f"The original was longer than {MAX_ORIGINAL_BYTES} bytes"
    )
    original_withheld: StrictBool = Field(
        default=False,
        description="The original is not kept: it could not be read as a JSON object, so "
        "personal data in it could not be found; only its size, SHA-256 and where reading "
        "failed are kept",
    )
    original_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex) of a withheld original's bytes, to find it at the sender",
    )
    error_position: ParsePosition | None = Field(
        default=None, description="Where a withheld original stopped being UTF-8 or JSON"
    )


class Original(NamedTuple):
    """The dead-letter fields describing an original payload."""

    original_text: str
    original_base64: str | None
    original_size: int
    truncated: bool


def capture_original(raw: bytes | str, limit: int = MAX_ORIGINAL_BYTES) -> Original:
    """The original payload as dead-letter fields: text, base64 if not UTF-8, size, truncation."""
    data = raw.encode("utf-8", errors="surrogatepass") if isinstance(raw, str) else raw
    kept = data[:limit]
    if _is_utf8(data):
        # Valid as a whole: only a character cut by truncation can fail, and it is dropped.
        return Original(kept.decode("utf-8", errors="ignore"), None, len(data), len(data) > limit)
    text = kept.decode("utf-8", errors="replace")
    encoded = base64.b64encode(kept).decode("ascii")
    return Original(text, encoded, len(data), len(data) > limit)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class DeadLettered(Envelope[DeadLetterV1]):
    """dead_letter.recorded v1: a rejected input (topic snt.deadletter.v1)."""

    event_type: Literal["dead_letter.recorded"] = Field(
        default="dead_letter.recorded", description=TYPE_DOC
    )
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
