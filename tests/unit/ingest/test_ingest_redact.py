"""Dead-letter originals: personal identifiers pseudonymised in place, every other byte kept."""

from __future__ import annotations

import json

import pytest

from services.ingest.domain.deadletter import redact
from services.ingest.domain.pseudonymise import Pseudonymiser

P = Pseudonymiser(b"redaction-test-key-0123456789abcdef")


def pseudonym(kind: str, raw: str) -> str:
    return '"pseudonym:' + P(kind, raw) + '"'  # type: ignore[arg-type]


def test_only_the_personal_values_change_and_the_layout_is_kept() -> None:
    original = '{ "crime_id" : "C-1",\n  "victim_id" :  "V-RAW-1" , "n": 1.50 }'
    assert redact(original, P) == (
        '{ "crime_id" : "C-1",\n  "victim_id" :  '
        + pseudonym("victim", "V-RAW-1")
        + ' , "n": 1.50 }'
    )


def test_bytes_stay_bytes_and_invalid_utf8_elsewhere_is_kept_exactly() -> None:
    original = b'{"note": "caf\xe9", "caller_id": "C-RAW-2"}'
    redacted = redact(original, P)
    assert isinstance(redacted, bytes)
    assert (
        redacted
        == b'{"note": "caf\xe9", "caller_id": ' + pseudonym("caller", "C-RAW-2").encode() + b"}"
    )


def test_an_original_without_personal_data_is_returned_as_the_same_object() -> None:
    original = b'{"event_type": "crime.recorded", "payload": {"crime_id": "C-1"}}'
    assert redact(original, P) is original


@pytest.mark.parametrize(
    ("original", "raw"),
    [
        ('{"payload": {"victim_id": "V-RAW-3", "crime_id": "C', "V-RAW-3"),
        ('{"payload": {"victim_id": "V-RAW-CUT', "V-RAW-CUT"),
        ('{"payload": {"victim_id": V-RAW-BARE, "x": 1', "V-RAW-BARE"),
    ],
    ids=["truncated-after-the-value", "value-cut-short", "not-json-at-all"],
)
def test_a_truncated_or_broken_original_is_redacted_too(original: str, raw: str) -> None:
    redacted = redact(original, P)
    assert isinstance(redacted, str)
    assert raw not in redacted
    assert pseudonym("victim", raw) in redacted


def test_structured_values_and_nulls() -> None:
    original = '{"officer_id": {"id": "O-RAW-4"}, "victim_id": null, "caller_id": ["C-RAW-5"]}'
    redacted = redact(original, P)
    assert isinstance(redacted, str)
    document = json.loads(redacted)
    assert document["victim_id"] is None
    assert "RAW" not in redacted
    assert document["officer_id"].startswith("pseudonym:")


def test_a_key_spelt_with_escapes_falls_back_to_full_redaction() -> None:
    original = '{"victim\\u005fid": "V-RAW-6", "crime_id": "C-6"}'
    redacted = redact(original, P)
    assert isinstance(redacted, str)
    assert json.loads(redacted) == {
        "victim_id": "pseudonym:" + P("victim", "V-RAW-6"),
        "crime_id": "C-6",
    }


def test_redaction_is_idempotent() -> None:
    once = redact('{"respondent_id": "R-RAW-7"}', P)
    assert redact(once, P) == once
