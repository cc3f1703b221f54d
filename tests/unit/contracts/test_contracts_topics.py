"""The topic registry: unique names, registered event types, keys and partitions."""

from __future__ import annotations

import pytest

from shared.contracts import parse_event, personal_data_fields
from shared.contracts.examples import example_event
from shared.contracts.registry import default_registry
from shared.topics import TOPICS, WARD_PARTITIONS, TopicSpec, message_key, topic, topics_for


def test_names_are_unique_and_versioned() -> None:
    names = [spec.name for spec in TOPICS]
    assert len(names) == len(set(names))
    assert all(n.startswith("snt.") and n.endswith(".v1") for n in names)


def test_every_topic_carries_registered_event_types() -> None:
    registered = set(default_registry().event_types())
    for spec in TOPICS:
        assert spec.event_types, spec.name
        assert set(spec.event_types) <= registered, spec.name


def test_every_registered_event_type_has_a_topic() -> None:
    assert [t for t in default_registry().event_types() if not topics_for(t)] == []


def test_partitions() -> None:
    for spec in TOPICS:
        ward_keyed = spec.key[0] in ("payload.ward_code", "payload.home_ward_code")
        if ward_keyed or spec.name == "snt.kpi.updates.v1":
            assert spec.partitions == WARD_PARTITIONS, spec.name
        else:
            assert 3 <= spec.partitions <= 6, spec.name


def test_raw_topics_and_dead_letters_are_marked_personal() -> None:
    personal = {spec.name for spec in TOPICS if spec.personal_data}
    assert personal == {
        "snt.raw.cris.v1",
        "snt.raw.cad.v1",
        "snt.raw.carm3.v1",
        "snt.raw.survey.v1",
        "snt.deadletter.v1",
    }


EXPECTED_KEYS = {
    ("snt.raw.cris.v1", "crime.recorded"): b"CRIS-4101234-24",
    ("snt.raw.cris.v1", "crime.amended"): b"CRIS-4101234-24",
    ("snt.raw.cad.v1", "cad.incident"): b"CAD-2024-0501-1234",
    ("snt.raw.carm3.v1", "duty.changed"): b"D-20240501-0001",
    ("snt.raw.survey.v1", "survey.response"): b"E09000033",
    ("snt.raw.survey.v1", "survey.aggregate"): b"E09000033",
    ("snt.crime.v1", "crime.counted"): b"E05013806",
    ("snt.cad.v1", "cad.counted"): b"E05013806",
    ("snt.duty.v1", "duty.recorded"): b"E05013806",
    ("snt.survey.v1", "survey.recorded"): b"E09000033",
    ("snt.survey.v1", "survey.aggregate"): b"E09000033",
    ("snt.kpi.updates.v1", "kpi.updated"): b"E05013806",
    ("snt.flex.updates.v1", "flex.updated"): b"E05013806",
    ("snt.flex.exceptions.v1", "flex.exception"): b"E05013806",
    ("snt.alerts.v1", "alert.updated"): b"E05013806",
    ("snt.deadletter.v1", "dead_letter.recorded"): b"cris",
}


@pytest.mark.parametrize(("topic_name", "event_type"), list(EXPECTED_KEYS))
def test_message_keys(topic_name: str, event_type: str) -> None:
    event = parse_event(example_event(event_type))
    key = message_key(topic(topic_name), event)
    assert key == EXPECTED_KEYS[topic_name, event_type]


def test_every_topic_event_pair_has_a_key_case() -> None:
    pairs = {(spec.name, t) for spec in TOPICS for t in spec.event_types}
    assert pairs == set(EXPECTED_KEYS)


def test_keys_are_never_raw_identifiers() -> None:
    for spec in TOPICS:
        for event_type in spec.event_types:
            cls = default_registry().current(event_type)
            assert not set(spec.key) & set(personal_data_fields(cls)), spec.name


def test_lookups() -> None:
    assert topic("snt.crime.v1").key == (
        "payload.ward_code",
        "payload.borough_code",
        "payload.reporting_unit",
    )
    assert [s.name for s in topics_for("survey.aggregate")] == [
        "snt.raw.survey.v1",
        "snt.survey.v1",
    ]
    with pytest.raises(KeyError, match=r"unknown topic 'snt\.nope\.v1'; known: snt\.raw\.cris\.v1"):
        topic("snt.nope.v1")


def test_a_missing_key_is_an_error() -> None:
    spec = TopicSpec("snt.x.v1", 3, ("payload.nothing",), ("crime.recorded",), "x")
    with pytest.raises(ValueError, match=r"CrimeRecorded has none of snt.x.v1's key fields"):
        message_key(spec, parse_event(example_event("crime.recorded")))
