"""Foundation benchmark: reference data load, ward resolution, classification, contracts."""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

from snt.bench.harness import best_of, median_of, peak_rss_mib

POINTS = 20_000
LOOKUPS = 100_000


def run() -> dict[str, Any]:
    from shared.classification import load_classification
    from shared.contracts import parse_event
    from shared.contracts.examples import example_event
    from shared.reference import load_reference

    load_s = median_of(3, load_reference)
    ref = load_reference()
    rng = random.Random(2026)
    points = [(rng.uniform(51.29, 51.69), rng.uniform(-0.51, 0.33)) for _ in range(POINTS)]
    pip_s = best_of(3, lambda: [ref.ward_at(lat, lon) for lat, lon in points])
    lsoas = sorted(ref.lsoa_codes(2021))
    on = date(2025, 1, 15)
    lsoa_s = best_of(
        3, lambda: [ref.ward_for_lsoa(lsoas[i % len(lsoas)], on) for i in range(LOOKUPS)]
    )
    classifier = load_classification()
    classify_s = best_of(
        3,
        lambda: [
            classifier.classify("mps_upper", "BURGLARY", "RES BURGLARY OF A HOME")
            for _ in range(LOOKUPS)
        ],
    )
    raw = json.dumps(example_event("crime.recorded")).encode()
    parse_s = best_of(3, lambda: [parse_event(raw) for _ in range(20_000)])
    return {
        "reference_load_s": round(load_s, 3),
        "point_in_polygon_per_s": round(POINTS / pip_s),
        "lsoa_lookup_per_s": round(LOOKUPS / lsoa_s),
        "classify_per_s": round(LOOKUPS / classify_s),
        "parse_crime_recorded_per_s": round(20_000 / parse_s),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
