"""Raw personal identifiers exist only on input contracts; every field is described."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from shared.contracts import DeadLettered, personal_data_fields, pseudonym_fields
from shared.contracts.catalogue import CANONICAL_EVENTS, EVENT_CLASSES, INPUT_EVENTS, OUTPUT_EVENTS
from shared.contracts.personal import nested_models
from shared.contracts.registry import EventClass, event_key

RAW_IDENTIFIERS = {
    "crime.recorded": ["payload.victim_id"],
    "crime.amended": [],
    "cad.incident": ["payload.caller_id"],
    "duty.changed": ["payload.officer_id", "payload.authoriser.officer_id"],
    "survey.response": ["payload.respondent_id"],
    "survey.aggregate": [],
}


def name(cls: EventClass) -> str:
    return event_key(cls)[0]


@pytest.mark.parametrize("cls", INPUT_EVENTS, ids=name)
def test_input_contracts_mark_their_raw_identifiers(cls: EventClass) -> None:
    assert personal_data_fields(cls) == RAW_IDENTIFIERS[name(cls)]


# The dead letter keeps the original payload, which may hold raw identifiers: the one
# output that does, on a topic readable only by the ingest service's operators.
PUBLISHED = [c for c in CANONICAL_EVENTS + OUTPUT_EVENTS if c is not DeadLettered]


@pytest.mark.parametrize("cls", PUBLISHED, ids=name)
def test_no_canonical_or_output_contract_has_a_raw_identifier(cls: EventClass) -> None:
    assert personal_data_fields(cls) == []


def test_the_dead_letter_marks_its_original_payload() -> None:
    assert personal_data_fields(DeadLettered) == [
        "payload.original_text",
        "payload.original_base64",
    ]


def test_canonical_contracts_carry_pseudonyms_instead() -> None:
    assert {name(c): pseudonym_fields(c) for c in CANONICAL_EVENTS} == {
        "crime.counted": ["payload.victim_pseudonym"],
        "cad.counted": ["payload.caller_pseudonym"],
        "duty.recorded": ["payload.officer_pseudonym", "payload.authoriser.officer_pseudonym"],
        "survey.recorded": ["payload.respondent_pseudonym"],
    }


def all_models() -> Iterator[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = list(EVENT_CLASSES)
    while pending:
        model = pending.pop()
        if model not in seen:
            seen.add(model)
            yield model
            for info in model.model_fields.values():
                pending.extend(nested_models(info.annotation))


def test_every_field_of_every_contract_is_described() -> None:
    undescribed = [
        f"{model.__name__}.{field}"
        for model in all_models()
        for field, info in model.model_fields.items()
        if not info.description
    ]
    assert undescribed == []
