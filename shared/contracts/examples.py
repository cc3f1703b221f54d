"""A valid example of every event, as JSON-ready dicts: for documentation and tests.

Identifiers are made up; pseudonyms are 64 hex digits as a keyed SHA-256 hash gives.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from shared.contracts.example_outputs import BOROUGH, OUTPUT_PAYLOADS, WARD, WHEN

PSEUDO: Final = "3f" * 32
OFFENCE: Final = {
    "taxonomy": "mps_upper",
    "major": "VIOLENCE AGAINST THE PERSON",
    "minor": "VIOLENCE WITH INJURY",
}
COUNTING: Final = {
    "classification_version": "2026.1",
    "boundary_set": "2022",
    "reference_version": "ref1-7d7703f21e8b",
}
DUTY: Final = {
    "duty_id": "D-20240501-0001",
    "change": "created",
    "role": "PC",
    "home_ward_code": WARD,
    "duty_date": "2024-05-01",
    "start": "2024-05-01T07:00:00+01:00",
    "end": "2024-05-01T15:00:00+01:00",
    "planned_ward_code": WARD,
    "actual_ward_code": "E05013807",
    "activity": "Authorised Ward Flex",
    "activity_kind": "authorised_ward_flex",
    "authorised_at": "2024-04-30T16:00:00+01:00",
}
RESPONSE: Final = {
    "survey": "uss",
    "borough_code": BOROUGH,
    "interviewed_on": "2024-04-20",
    "measure": "satisfied",
    "positive": True,
    "weight": 1.2,
    "ethnicity_group": "black",
}

_PAYLOADS: Final[dict[str, dict[str, Any]]] = {
    "crime.recorded": {
        "crime_id": "CRIS-4101234-24",
        "recorded_at": WHEN,
        "location": {"ward_code": WARD},
        "offence": OFFENCE,
        "victim_id": "V-778812",
        "victim_ethnicity": "white",
    },
    "crime.amended": {
        "crime_id": "CRIS-4101234-24",
        "kind": "cancelled",
        "cancellation_reason": "no_crime",
        "effective_at": "2024-05-03T12:00:00+01:00",
    },
    "crime.counted": {
        "record_id": "CRIS-4101234-24",
        "basis": "record",
        "delta": 1,
        "change": "recorded",
        "level": "ward",
        "recorded_at": WHEN,
        "ward_code": WARD,
        "borough_code": BOROUGH,
        "resolution": "ward_code",
        "offence": OFFENCE,
        "kpi_group": "violence",
        "kpi": 1,
        **COUNTING,
        "victim_pseudonym": PSEUDO,
    },
    "cad.incident": {
        "incident_id": "CAD-2024-0501-1234",
        "incident_at": WHEN,
        "location": {"latitude": 51.5405, "longitude": -0.0061},
        "opening_code": "ASB",
        "asb_category": "nuisance",
        "caller_id": "07700900123",
        "vulnerable_caller": True,
    },
    "cad.counted": {
        "record_id": "CAD-2024-0501-1234",
        "basis": "record",
        "delta": 1,
        "change": "recorded",
        "level": "ward",
        "incident_at": WHEN,
        "ward_code": WARD,
        "borough_code": BOROUGH,
        "resolution": "point",
        "opening_code": "ASB",
        "asb_category": "nuisance",
        "kpi_group": "asb",
        "kpi": 5,
        **COUNTING,
        "caller_pseudonym": PSEUDO,
        "vulnerable_caller": True,
    },
    "duty.changed": {
        **DUTY,
        "officer_id": "PC-123456",
        "authoriser": {"rank": "superintendent", "officer_id": "SUPT-0042"},
    },
    "duty.recorded": {
        **DUTY,
        "home_borough_code": BOROUGH,
        "officer_pseudonym": PSEUDO,
        "authoriser": {"rank": "superintendent", "officer_pseudonym": "a1" * 32},
    },
    "survey.response": {**RESPONSE, "respondent_id": "R-55120"},
    "survey.recorded": {**RESPONSE, "respondent_pseudonym": PSEUDO},
    "survey.aggregate": {
        "survey": "pas",
        "area_code": BOROUGH,
        "measure": "good_job",
        "period_end": "2024-03-31",
        "period": "rolling_12m",
        "n": 1600,
        "proportion": 0.62,
    },
    **OUTPUT_PAYLOADS,
}

_SOURCE: Final = {
    "crime.recorded": "cris",
    "crime.amended": "cris",
    "cad.incident": "cad",
    "duty.changed": "carm3",
    "survey.response": "uss",
    "survey.aggregate": "pas",
    "kpi.updated": "kpi",
    "flex.updated": "flex",
    "flex.exception": "flex",
    "alert.updated": "alerts",
}


def event_types() -> tuple[str, ...]:
    return tuple(_PAYLOADS)


def example_payload(event_type: str) -> dict[str, Any]:
    """A fresh copy of a valid payload of ``event_type``."""
    return copy.deepcopy(_PAYLOADS[event_type])


def example_event(event_type: str, /, **envelope: Any) -> dict[str, Any]:
    """A valid event of ``event_type`` as a JSON-ready dict; keywords replace envelope fields."""
    if "payload" not in envelope:
        envelope["payload"] = example_payload(event_type)
    return {
        "event_id": f"{event_type}:example-1",
        "event_type": event_type,
        "schema_version": 1,
        "version": 1,
        "occurred_at": WHEN,
        "recorded_at": "2024-05-01T09:30:05+01:00",
        "source": _SOURCE.get(event_type, "ingest"),
        **envelope,
    }
