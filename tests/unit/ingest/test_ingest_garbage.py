"""Garbage in, one outcome out: property-based inputs through decode + pipeline on SQLite.

Whatever arrives, the path never raises; every input gets exactly one outcome; every
rejection has a reason and problems naming a field; every rejection leaves exactly one dead
letter carrying that reason and those problems; every other event stored meets its contract.
One store serves all examples of a test on purpose: later examples meet the state earlier
ones left (duplicates, crimes already recorded).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from services.ingest.decode import INPUT_TYPES, submission
from services.ingest.domain.deadletter import WITHHELD_VALUE
from services.ingest.pipeline import Outcome, Pipeline
from services.ingest.store.sql import SqlIngestStore
from shared.classification import Classifier
from shared.contracts import ContractError, default_registry, parse_event
from shared.contracts.examples import example_event
from shared.contracts.personal import nested_models
from shared.reference import LondonReference

MAX_BYTES = 4096
LONDON = ZoneInfo("Europe/London")
TZ_PROBLEM = "must include a timezone offset, e.g. 2024-05-01T09:30:00+01:00 or …Z"
STATUSES = {"accepted", "duplicate", "superseded", "parked", "unchanged", "rejected"}
DECODE_REASONS = {
    "invalid_json", "bad_encoding", "oversized", "schema_violation", "unknown_event_type",
}  # fmt: skip
OFFENCE = {
    "taxonomy": "mps_upper",
    "major": "VIOLENCE AGAINST THE PERSON",
    "minor": "VIOLENCE WITH INJURY",
}
ANCHOR_CRIME = "GARBAGE-ANCHOR-1"
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
PROPERTY = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_ids = itertools.count()


def valid_event(event_type: str, **envelope: Any) -> dict[str, Any]:
    """A fresh event that ingest accepts (crime.amended: against ANCHOR_CRIME)."""
    n = next(_ids)
    event = example_event(event_type, event_id=f"garbage:{n}", **envelope)
    payload = event["payload"]
    if event_type == "crime.recorded":
        payload.update(crime_id=f"G-{n}", offence=dict(OFFENCE))
    elif event_type == "crime.amended":
        payload["crime_id"] = ANCHOR_CRIME
    elif event_type == "cad.incident":
        payload["incident_id"] = f"CAD-G-{n}"
    elif event_type == "duty.changed":
        payload["duty_id"] = f"D-G-{n}"
    return event


class Ingest:
    """The live path (decode, then the pipeline) checking the invariants on every batch."""

    def __init__(self, pipeline: Pipeline, store: SqlIngestStore) -> None:
        self._pipeline = pipeline
        self._store = store
        self._seq = 0

    def submit(self, raws: Sequence[bytes | str], expected: str | None = None) -> list[Outcome]:
        subs = [submission(raw, max_bytes=MAX_BYTES, expected=expected) for raw in raws]
        outcomes = self._pipeline.submit(subs)
        stored = self._store.events(self._seq, 1_000_000)
        self._seq = stored[-1].seq if stored else self._seq
        check_batch(outcomes, [e.envelope for e in stored], len(raws))
        return outcomes

    def one(self, raw: bytes | str, expected: str | None = None) -> Outcome:
        [outcome] = self.submit([raw], expected)
        return outcome

    def new_events(self, raws: Sequence[bytes | str]) -> list[dict[str, Any]]:
        """Submit ``raws``; the events they stored."""
        start = self._seq
        self.submit(raws)
        return [json.loads(e.envelope) for e in self._store.events(start, 1_000_000)]


def check_batch(outcomes: Sequence[Outcome], envelopes: Sequence[str], n: int) -> None:
    assert len(outcomes) == n
    assert {o.status for o in outcomes} <= STATUSES
    settled = [s for o in outcomes for s in o.settled]
    rejected = [o for o in (*outcomes, *settled) if o.status == "rejected"]
    letters = [e for e in envelopes if json.loads(e)["event_type"] == "dead_letter.recorded"]
    assert len(letters) == len(rejected), "each rejection leaves exactly one dead letter"
    for outcome, letter in zip(rejected, letters, strict=True):
        check_rejection(outcome)
        check_dead_letter(letter, outcome)
    stored_ids = {json.loads(e)["event_id"] for e in envelopes}
    for outcome in (*outcomes, *settled):
        assert set(outcome.published) <= stored_ids
    for envelope in envelopes:
        if envelope not in letters:
            parse_event(envelope)


def check_rejection(outcome: Outcome) -> None:
    assert outcome.reason is not None
    assert outcome.problems
    assert all(p.field.strip() and p.problem.strip() for p in outcome.problems)


def check_dead_letter(envelope: str, outcome: Outcome) -> None:
    assert outcome.reason is not None
    payload = json.loads(envelope)["payload"]
    assert payload["reason"] == outcome.reason.value
    assert payload["errors"] == [p.model_dump() for p in outcome.problems]
    assert payload["event_id"] == outcome.event_id
    assert not contract_problems(envelope), "every dead letter meets its own contract"


def contract_problems(envelope: str) -> set[str]:
    """The fields at fault when ``envelope`` does not meet its contract."""
    try:
        parse_event(envelope)
    except ContractError as exc:
        return {p.field for p in exc.problems}
    return set()


def problems(outcome: Outcome) -> list[tuple[str, str]]:
    return [(p.field, p.problem) for p in outcome.problems]


def rejected_with(outcome: Outcome, reason: str) -> list[tuple[str, str]]:
    assert (outcome.status, outcome.reason and outcome.reason.value) == ("rejected", reason)
    return problems(outcome)


@pytest.fixture
def ingest(make_pipeline: Callable[..., Pipeline], store: SqlIngestStore) -> Ingest:
    path = Ingest(make_pipeline(NOW), store)
    anchor = valid_event("crime.recorded")
    anchor["payload"]["crime_id"] = ANCHOR_CRIME
    assert path.one(json.dumps(anchor)).status == "accepted"
    return path


# --- strategies -------------------------------------------------------------------------

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_leaves,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=30), kids, max_size=4)
    ),
    max_leaves=25,
)
envelope_keys = st.sampled_from(
    ["event_id", "event_type", "schema_version", "version", "occurred_at", "recorded_at",
     "source", "correlation_id", "payload"]
)  # fmt: skip
envelope_like = st.dictionaries(
    envelope_keys | st.text(max_size=12),
    json_values | st.sampled_from(INPUT_TYPES) | st.sampled_from(["1", 1, "2024-05-01T09:30:00Z"]),
    max_size=9,
)
json_documents = (json_values | envelope_like).map(json.dumps)
input_types = st.sampled_from(INPUT_TYPES)
WRONG_TYPES: tuple[object, ...] = (
    None, True, 0, -1, 2**31, 1.5, "", "x", "2024-05-01", [], [1], {}, {"a": 1},
)  # fmt: skip


def paths(node: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every key path in a JSON object, nested objects included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))


def parent(event: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = event
    for key in path[:-1]:
        node = node[key]
    return node


def required(event_type: str, path: tuple[str, ...]) -> bool:
    """Whether the contract requires the field at ``path`` (event_type/schema_version always)."""
    if path in {("event_type",), ("schema_version",)}:
        return True
    model: type[BaseModel] = default_registry().current(event_type)
    for key in path[:-1]:
        [model] = nested_models(model.model_fields[key].annotation)
    return model.model_fields[path[-1]].is_required()


@st.composite
def mutated_events(draw: st.DrawFn) -> tuple[str, str, tuple[str, ...], str, str]:
    """(event type, raw, path, how, extra key): a valid event with one field mutated."""
    event_type = draw(input_types)
    event = valid_event(event_type)
    path = draw(st.sampled_from(sorted(paths(event))))
    how = draw(st.sampled_from(["remove", "wrong_type", "extra"]))
    node = parent(event, path)
    extra = "extra_" + draw(st.from_regex(r"[a-z]{1,12}", fullmatch=True))
    if how == "remove":
        del node[path[-1]]
    elif how == "wrong_type":
        old = node[path[-1]]
        node[path[-1]] = draw(st.sampled_from([v for v in WRONG_TYPES if type(v) is not type(old)]))
    else:
        node[extra] = draw(json_leaves)
    return event_type, json.dumps(event), path, how, extra


def moments(after: timedelta, until: timedelta) -> st.SearchStrategy[datetime]:
    zones = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))])
    deltas = st.timedeltas(min_value=after, max_value=until)
    return st.builds(lambda d, z: (NOW + d).astimezone(z), deltas, zones)


# --- properties -------------------------------------------------------------------------


@PROPERTY
@given(raws=st.lists(st.binary(max_size=600), min_size=1, max_size=5))
def test_arbitrary_bytes_are_each_rejected_once(ingest: Ingest, raws: list[bytes]) -> None:
    for outcome in ingest.submit(raws):
        assert outcome.status == "rejected"
        assert outcome.reason is not None
        assert outcome.reason.value in DECODE_REASONS


@PROPERTY
@given(raws=st.lists(json_documents, min_size=1, max_size=5))
def test_arbitrary_json_is_each_rejected_once(ingest: Ingest, raws: list[str]) -> None:
    for outcome in ingest.submit(raws):
        assert outcome.status == "rejected"
        assert outcome.reason is not None
        assert outcome.reason.value in DECODE_REASONS


@settings(PROPERTY, max_examples=250)
@given(case=mutated_events())
def test_a_valid_event_with_one_field_mutated(
    ingest: Ingest, case: tuple[str, str, tuple[str, ...], str, str]
) -> None:
    event_type, raw, path, how, extra = case
    outcome = ingest.one(raw)
    field = ".".join(path)
    if how == "extra":
        where = ".".join((*path[:-1], extra))
        assert (where, "is not a known field") in rejected_with(outcome, "schema_violation")
    elif how == "remove" and required(event_type, path):
        assert (field, "is required") in rejected_with(outcome, "schema_violation")


@PROPERTY
@given(
    event_type=input_types,
    encoding=st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-32", "utf-8-sig"]),
    text=st.text(st.characters(min_codepoint=0xA0, max_codepoint=0xBF), min_size=1, max_size=4),
)
def test_a_wrong_encoding_is_rejected_as_such(
    ingest: Ingest, event_type: str, encoding: str, text: str
) -> None:
    event = valid_event(event_type)
    event["source"] = "cris-" + text
    raw = json.dumps(event, ensure_ascii=False).encode(encoding)
    outcome = ingest.one(raw)
    if encoding in {"latin-1", "cp1252"}:
        at = next(i for i, b in enumerate(raw) if b >= 0x80)
        assert rejected_with(outcome, "bad_encoding") == [
            ("(message)", f"is not valid UTF-8 (byte {at})")
        ]
    elif encoding in {"utf-16", "utf-32"}:
        assert rejected_with(outcome, "bad_encoding") == [
            ("(message)", "is not valid UTF-8 (byte 0)")
        ]
    else:
        bom = "is not valid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig) at line 1 column 1"
        assert rejected_with(outcome, "invalid_json") == [("(message)", bom)]


@PROPERTY
@given(
    event_type=input_types,
    size=st.integers(MAX_BYTES - 300, MAX_BYTES + 300),
    garbage=st.booleans(),
)
def test_oversized_exactly_when_over_the_limit(
    ingest: Ingest, event_type: str, size: int, garbage: bool
) -> None:
    raw = b"\xff" * size if garbage else json.dumps(valid_event(event_type)).encode()
    raw = raw.ljust(size)
    outcome = ingest.one(raw)
    oversized = ("(message)", f"is {size} bytes, more than the limit of {MAX_BYTES}")
    if size > MAX_BYTES:
        assert rejected_with(outcome, "oversized") == [oversized]
    else:
        assert outcome.reason is None or outcome.reason.value != "oversized"


DATED = {
    "crime.recorded": "recorded_at",
    "crime.amended": "effective_at",
    "cad.incident": "incident_at",
    "duty.changed": "start",
    "survey.response": "interviewed_on",
    "survey.aggregate": "period_end",
}


def _future(event_type: str, at: datetime) -> tuple[dict[str, Any], str, str]:
    """A valid event dated ``at``; the field checked and the exact problem."""
    event = valid_event(event_type)
    p = event["payload"]
    field = DATED[event_type]
    if event_type == "duty.changed":
        p.update(
            start=at.isoformat(),
            end=(at + timedelta(hours=8)).isoformat(),
            duty_date=at.date().isoformat(),
        )
        return event, f"payload.{field}", f"is more than 400 days ahead ({at.isoformat()})"
    if field in {"interviewed_on", "period_end"}:
        day = at.astimezone(LONDON).date() + timedelta(days=1)
        p[field] = day.isoformat()
        midnight = datetime.combine(day, time(), LONDON).isoformat()
        return event, f"payload.{field}", f"is in the future ({midnight})"
    p[field] = at.isoformat()
    return event, f"payload.{field}", f"is in the future ({at.isoformat()})"


@PROPERTY
@given(event_type=input_types, data=st.data())
def test_a_date_in_the_future_is_rejected_at_its_field(
    ingest: Ingest, event_type: str, data: st.DataObject
) -> None:
    floor = timedelta(days=401) if event_type == "duty.changed" else timedelta(minutes=6)
    at = data.draw(moments(floor, timedelta(days=3650)))
    event, field, problem = _future(event_type, at)
    assert rejected_with(ingest.one(json.dumps(event)), "future_date") == [(field, problem)]


def _with_ward(event_type: str, code: str) -> tuple[dict[str, Any], str]:
    event = valid_event(event_type)
    p = event["payload"]
    if event_type == "duty.changed":
        p["home_ward_code"] = code
        return event, "payload.home_ward_code"
    if event_type == "crime.amended":
        p.update(kind="relocated", cancellation_reason=None)
    p["location"] = {"ward_code": code}
    return event, "payload.location.ward_code"


def holding_sets(reference: LondonReference, code: str) -> list[str]:
    """Names of the boundary sets holding ward ``code`` (City wards included)."""
    return [s.name for s in reference.boundary_sets if code in _codes(reference, s.name)]


@functools.cache
def _codes(reference: LondonReference, boundary_set: str) -> frozenset[str]:
    return frozenset(w.code for w in reference.wards(boundary_set, force=None))


WARD_TYPES = st.sampled_from(["crime.recorded", "crime.amended", "cad.incident", "duty.changed"])


@PROPERTY
@given(event_type=WARD_TYPES, number=st.integers(0, 999_999))
def test_an_unknown_ward_code_is_rejected_at_its_field(
    ingest: Ingest, reference: LondonReference, event_type: str, number: int
) -> None:
    code = f"E05{number:06d}"
    assume(not holding_sets(reference, code))
    event, field = _with_ward(event_type, code)
    found = rejected_with(ingest.one(json.dumps(event)), "unknown_ward")
    assert found == [(field, f"{code} is not a London ward code")]


@PROPERTY
@given(event_type=WARD_TYPES, data=st.data())
def test_a_ward_code_not_in_force_on_the_day_is_rejected(
    ingest: Ingest, reference: LondonReference, event_type: str, data: st.DataObject
) -> None:
    in_force = reference.boundary_set_on(date(2024, 5, 1)).name
    current = {w.code for w in reference.wards(in_force, force=None)}
    retired = sorted(
        {w.code for s in reference.boundary_sets for w in reference.wards(s)} - current
    )
    code = data.draw(st.sampled_from(retired))
    event, field = _with_ward(event_type, code)
    found = rejected_with(ingest.one(json.dumps(event)), "unknown_ward")
    sets = ", ".join(holding_sets(reference, code))
    assert found == [(field, f"{code} is not a ward on 2024-05-01 (it is in boundary set {sets})")]


category_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=60
)


@PROPERTY
@given(
    amend=st.booleans(),
    taxonomy=st.sampled_from(["mps_upper", "mps_mixed", "police_uk"]),
    major=category_text,
    minor=st.none() | category_text,
)
def test_an_unknown_category_is_rejected_at_the_offence(
    ingest: Ingest,
    classifier: Classifier,
    amend: bool,
    taxonomy: str,
    major: str,
    minor: str | None,
) -> None:
    assume(classifier.unmapped(taxonomy, [(major, minor)]))
    offence = {"taxonomy": taxonomy, "major": major, "minor": minor}
    event = valid_event("crime.amended" if amend else "crime.recorded")
    event["payload"]["offence"] = offence
    if amend:
        event["payload"].update(kind="reclassified", cancellation_reason=None)
    [(field, problem)] = rejected_with(ingest.one(json.dumps(event)), "unknown_category")
    assert field == "payload.offence"
    assert problem.startswith(f"unmapped {taxonomy} category ")


TIMESTAMPS = {
    "crime.recorded": ("occurred_at", "recorded_at", "payload.recorded_at"),
    "crime.amended": ("payload.effective_at",),
    "cad.incident": ("occurred_at", "payload.incident_at"),
    "duty.changed": ("payload.start", "payload.end", "payload.authorised_at"),
    "survey.response": ("recorded_at",),
    "survey.aggregate": ("occurred_at",),
}


@PROPERTY
@given(
    event_type=input_types,
    data=st.data(),
    naive=st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1)),
)
def test_a_naive_date_time_is_a_schema_violation(
    ingest: Ingest, event_type: str, data: st.DataObject, naive: datetime
) -> None:
    field = data.draw(st.sampled_from(TIMESTAMPS[event_type]))
    event = valid_event(event_type)
    path = tuple(field.split("."))
    parent(event, path)[path[-1]] = naive.isoformat()
    found = rejected_with(ingest.one(json.dumps(event)), "schema_violation")
    assert (field, TZ_PROBLEM) in found


@PROPERTY
@given(sent=input_types, route=input_types)
def test_an_event_on_another_types_route_is_rejected(ingest: Ingest, sent: str, route: str) -> None:
    outcome = ingest.one(json.dumps(valid_event(sent)), expected=route)
    if sent == route:
        assert outcome.status in {"accepted", "duplicate"}
    else:
        found = rejected_with(outcome, "unknown_event_type")
        assert found == [("event_type", f"must be {route} here, not {sent}")]


any_input = st.one_of(
    st.binary(max_size=300),
    json_documents,
    mutated_events().map(lambda case: case[1]),
    input_types.map(lambda t: json.dumps(valid_event(t))),
)


@settings(PROPERTY, max_examples=60)
@given(raws=st.lists(any_input, min_size=1, max_size=12))
def test_a_mixed_batch_gives_each_input_one_outcome(ingest: Ingest, raws: list[Any]) -> None:
    outcomes = ingest.submit(raws)
    for raw, outcome in zip(raws, outcomes, strict=True):
        if outcome.status != "rejected":
            assert outcome.event_id == json.loads(raw)["event_id"]


def test_a_valid_event_of_every_type_is_accepted(ingest: Ingest) -> None:
    raws = [json.dumps(valid_event(t)) for t in INPUT_TYPES]
    assert [o.status for o in ingest.submit(raws)] == ["accepted"] * len(INPUT_TYPES)


# --- inputs that once broke the pipeline ------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            json.dumps(valid_event("crime.recorded", source="cris") | {"version": 0}),
            id="control-readable-id",
        ),
        pytest.param(b"{broken", id="no-readable-id"),
        pytest.param(json.dumps({"event_id": "has space"}), id="bad-event-id"),
        pytest.param(json.dumps({"event_id": "ok-1", "source": "CRIS"}), id="bad-source"),
        pytest.param(
            json.dumps({"event_id": "ok-2", "event_type": "Foo.Bar"}), id="bad-event-type"
        ),
    ],
)
def test_every_dead_letter_meets_its_contract(ingest: Ingest, raw: bytes | str) -> None:
    [letter] = ingest.new_events([raw])
    assert parse_event(json.dumps(letter)).payload.reason


def _crime_at(at: str, **payload: Any) -> str:
    event = valid_event("crime.recorded")
    event["payload"].update(recorded_at=at, **payload)
    return json.dumps(event)


def _incident_at(at: str) -> str:
    event = valid_event("cad.incident")
    event["payload"]["incident_at"] = at
    return json.dumps(event)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(_crime_at("1900-01-01T00:00:00+00:00"), id="control-1900"),
        pytest.param(_crime_at("0001-01-01T00:00:00+00:00"), id="year-1-local-day"),
        pytest.param(_incident_at("0001-01-01T00:00:00+14:00"), id="year-1-plus-14h"),
        pytest.param(
            json.dumps(valid_event("survey.aggregate", version=2**63)),
            id="version-2**63-sqlite-integer",
        ),
        pytest.param(
            _crime_at(
                "2024-05-01T09:30:00+01:00",
                offence={"taxonomy": "mps_upper", "major": "M" * 200, "minor": "m" * 200},
            ),
            id="long-unmapped-category",
        ),
        pytest.param(b'{"source": "\\ud800"}', id="surrogate-source-hint"),
        pytest.param(b'{"event_id": "\\ud800"}', id="surrogate-event-id-hint"),
    ],
)
def test_the_pipeline_never_raises(
    make_pipeline: Callable[..., Pipeline], raw: bytes | str
) -> None:
    [outcome] = make_pipeline().submit([submission(raw, max_bytes=MAX_BYTES)])
    assert outcome.status in STATUSES


def test_a_bad_encoding_dead_letter_identifies_the_original_without_keeping_it(
    ingest: Ingest,
) -> None:
    raw = '{"event_id": "caf\u00e9"}'.encode("latin-1")
    [letter] = ingest.new_events([raw])
    payload = letter["payload"]
    assert (payload["original_size"], payload["original_sha256"]) == (
        len(raw),
        hashlib.sha256(raw).hexdigest(),
    )
    assert (payload["original_withheld"], payload["original_text"]) == (True, "")
    assert payload["original_base64"] is None
    assert payload["error_position"] == {"offset": 17, "line": 1, "column": 18}


def test_a_parked_amendment_that_fails_later_is_dead_lettered(ingest: Ingest) -> None:
    amendment = valid_event("crime.amended")
    amendment["payload"].update(
        crime_id="G-LATE",
        kind="relocated",
        cancellation_reason=None,
        location={"ward_code": "E05999999"},
    )
    assert ingest.one(json.dumps(amendment)).status == "parked"
    crime = valid_event("crime.recorded")
    crime["payload"]["crime_id"] = "G-LATE"
    events = ingest.new_events([json.dumps(crime)])
    letters = [e for e in events if e["event_type"] == "dead_letter.recorded"]
    assert [(d["payload"]["event_id"], d["payload"]["reason"]) for d in letters] == [
        (amendment["event_id"], "unknown_ward")
    ]


def test_a_non_json_original_never_carries_a_raw_identifier(ingest: Ingest) -> None:
    event = valid_event("crime.recorded")
    event["payload"]["victim_id"] = "VICTIM-RAW-TRUNCATED-1"
    [letter] = ingest.new_events([json.dumps(event)[:-3]])
    assert letter["payload"]["reason"] == "invalid_json"
    assert "VICTIM-RAW-TRUNCATED-1" not in json.dumps(letter)


def test_a_json_original_is_redacted_at_any_depth(ingest: Ingest) -> None:
    event = valid_event("duty.changed")
    event["payload"].update(
        home_ward_code="E05999999",
        officer_id="OFFICER-RAW-1",
        authoriser={"rank": "inspector", "officer_id": "OFFICER-RAW-2"},
    )
    event["payload"]["authoriser"]["victim_id"] = ["VICTIM-RAW-3"]  # known names, misplaced
    event["payload"]["authoriser"]["caller_id"] = {"x": "CALLER-RAW-4"}
    event["nested"] = [{"victim_id": ["VICTIM-RAW-5"], "caller_id": {"x": "CALLER-RAW-6"}}]
    [letter] = ingest.new_events([json.dumps(event)])
    assert letter["payload"]["reason"] == "schema_violation"
    assert "RAW-" not in json.dumps(letter)
    assert letter["payload"]["original_text"].count('"pseudonym:') == 4
    assert json.loads(letter["payload"]["original_text"])["nested"] == WITHHELD_VALUE
