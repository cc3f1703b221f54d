"""Valid example payloads of the events the kpi, flex and alerts services publish."""

from __future__ import annotations

from typing import Any, Final

WARD: Final = "E05013806"
BOROUGH: Final = "E09000033"
WHEN: Final = "2024-05-01T09:30:00+01:00"

OUTPUT_PAYLOADS: Final[dict[str, dict[str, Any]]] = {
    "kpi.updated": {
        "level": "ward",
        "area_code": WARD,
        "borough_code": BOROUGH,
        "kpi": 1,
        "measure": "count",
        "unit": "count",
        "period": "fytd",
        "period_start": "2024-04-01",
        "period_end": "2024-05-01",
        "as_of": WHEN,
        "value": 41,
        "last_year": 50,
        "pct_change": -18.0,
        "target_ratio": 0.98,
        "trajectory": 49.0,
        "gap_to_trajectory": -8.0,
        "significance": {
            "test": "poisson_conditional_binomial",
            "null_ratio": 0.98,
            "p_value": 0.19,
            "verdict": "not_significant",
        },
        "spc": {"signal": "common_cause", "points": 30},
        "provenance": {
            "classification_version": "kpi-2011.1",
            "reference_version": "2024-04",
            "target_config_version": "2024-25.1",
            "boundary_set": "wards-2022",
            "events_counted": 91,
            "last_offsets": [{"topic": "snt.crime.v1", "partition": 7, "offset": 1203}],
        },
    },
    "flex.updated": {
        "ward_code": WARD,
        "borough_code": BOROUGH,
        "date": "2024-05-01",
        "role": "PC",
        "planned_minutes": 960,
        "flexed_out_minutes": 480,
        "flexed_in_minutes": 0,
        "abstracted_minutes": {"aid": 480},
        "officers_on_duty": 1,
    },
    "flex.exception": {
        "exception_id": f"below_minimum_staffing:{WARD}:2024-05-01",
        "kind": "below_minimum_staffing",
        "ward_code": WARD,
        "borough_code": BOROUGH,
        "date": "2024-05-01",
        "duty_ids": ["D-20240501-0001"],
        "detail": "1 PC on duty against a minimum of 2",
        "figures": {"pcs_on_duty": 1, "pcs_minimum": 2},
    },
    "alert.updated": {
        "alert_id": f"trajectory_breach:{WARD}:kpi1",
        "rule_id": "trajectory_breach",
        "rule_version": "3",
        "severity": "warning",
        "state": "firing",
        "level": "ward",
        "area_code": WARD,
        "borough_code": BOROUGH,
        "kpi": 1,
        "title": "Violent crime above trajectory",
        "summary": "58 violent crimes FYTD against a trajectory of 49 (p = 0.01).",
        "figures": {"value": 58, "trajectory": 49, "p_value": 0.01},
        "fired_by": [
            {"topic": "snt.kpi.updates.v1", "partition": 7, "offset": 88, "event_id": "kpi-88"}
        ],
    },
    "dead_letter.recorded": {
        "source": "cris",
        "source_position": {"topic": "snt.raw.cris.v1", "partition": 2, "offset": 515},
        "received_at": WHEN,
        "reason": "schema_violation",
        "errors": [{"field": "payload.location.ward_code", "problem": "must be a ward code"}],
        "event_type": "crime.recorded",
        "original_text": '{"event_type": "crime.recorded"}',
        "original_size": 32,
    },
}
