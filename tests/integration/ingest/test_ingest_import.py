"""Bulk imports of the real published files: exact totals, idempotent re-imports, and an
import killed half-way (SIGKILL) then run again ends with no loss and no duplicates."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.integration
KEY = "import-test-key-" + "z" * 24
WARD_FILE = "ward_most_recent_24m_202401-202512.csv"


def snt_import(fmt: str, path: Path, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SNT_INGEST_DATABASE_URL": f"sqlite:///{db}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "snt", "import", fmt, str(path), "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run(fmt: str, path: Path, db: Path) -> dict[str, Any]:
    process = snt_import(fmt, path, db)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return dict(json.loads(out))


def stored(db: Path) -> list[dict[str, Any]]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT envelope FROM ingest_event ORDER BY seq")).all()
    engine.dispose()
    return [json.loads(r.envelope) for r in rows]


def counted(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["payload"] for e in events if e["event_type"] in ("crime.counted", "cad.counted")]


def test_police_uk_barking_and_dagenham_by_crime_type(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "police_uk/street_csv/2023-01-metropolitan-street_FIRST_4000_ROWS.csv"
    summary = run("police-uk-csv", path, tmp_path / "i.db")
    assert summary["read"] == 4000
    assert summary["outcomes"] == {"accepted": 3994, "rejected": 6}
    assert summary["rejected_by_reason"] == {"out_of_area": 6}
    b_and_d = {"E09000002"}
    by_type = Counter(
        p["offence"]["major"] if "offence" in p else "Anti-social behaviour"
        for p in counted(stored(tmp_path / "i.db")) if p["borough_code"] in b_and_d
    )  # fmt: skip
    assert by_type == {
        "Violence and sexual offences": 561, "Anti-social behaviour": 306, "Vehicle crime": 256,
        "Other theft": 191, "Shoplifting": 126, "Drugs": 123, "Burglary": 119,
        "Criminal damage and arson": 99, "Public order": 73, "Robbery": 70,
        "Theft from the person": 31, "Other crime": 22, "Possession of weapons": 16,
        "Bicycle theft": 9,
    }  # fmt: skip
    again = run("police-uk-csv", path, tmp_path / "i.db")
    assert again["outcomes"] == {"duplicate": 4000}
    assert again["events_published"] == 0


def test_police_uk_api_crimes_in_two_wards_count_once(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "police_uk/api_crimes_street_by_ward/2017-06"
    summary = run("police-uk-json", folder, tmp_path / "i.db")
    ids = [p["record_id"] for p in counted(stored(tmp_path / "i.db"))]
    assert len(ids) == len(set(ids))
    records = [r for f in sorted(folder.glob("*.json")) for r in json.loads(f.read_text())]
    force = {r["id"] for r in records if r["location_type"] == "Force"}
    assert len(ids) == len(force) == 4769
    assert summary["rejected_by_reason"] == {"out_of_area": 101}


def test_mps_ward_file_sums_equal_the_published_cells(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "mps_recorded_crime/ward_most_recent_24m_202401-202512.csv"
    summary = run("mps-ward-csv", path, tmp_path / "i.db")
    assert summary["outcomes"] == {"accepted": 315_576, "unchanged": 133_392}
    per_ward: dict[str, int] = defaultdict(int)
    for p in counted(stored(tmp_path / "i.db")):
        per_ward[p["ward_code"]] += p["delta"]
    expected: dict[str, int] = defaultdict(int)
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            expected[row["WardCode"]] += sum(int(v) for k, v in row.items() if k.isdigit())
    assert per_ward == expected
    assert sum(per_ward.values()) == 1_794_538
    assert run("mps-ward-csv", path, tmp_path / "i.db")["events_published"] == 0


def test_an_import_killed_half_way_and_rerun_loses_and_duplicates_nothing(
    shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "mps_recorded_crime/borough_historical_201004-202111.csv"
    db = tmp_path / "i.db"
    process = snt_import("mps-borough-csv", path, db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _has_events(db):
        time.sleep(0.1)
    time.sleep(1.0)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    partial = len(stored(db))
    assert 0 < partial < 161_009, f"the kill should land mid-import ({partial} stored)"
    run("mps-borough-csv", path, db)
    payloads = counted(stored(db))
    assert len(payloads) == 161_009
    assert len({p["record_id"] for p in payloads}) == 161_009
    assert sum(p["delta"] for p in payloads) == 9_221_260


def _has_events(db: Path) -> bool:
    if not db.exists():
        return False
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM ingest_event")).scalar())
    except Exception:
        return False
    finally:
        engine.dispose()


def test_a_truncated_file_exits_non_zero_naming_the_first_refused_rows(
    shared_data: Path, tmp_path: Path
) -> None:
    whole = (shared_data / "mps_recorded_crime" / WARD_FILE).read_text(encoding="utf-8-sig")
    lines = whole.splitlines()
    cut = lines[-1][: len(lines[-1]) // 2]  # the last row cut half way, as a broken download
    path = tmp_path / "truncated.csv"
    path.write_text("\n".join([*lines[:40], cut]) + "\n", encoding="utf-8")
    process = snt_import("mps-ward-csv", path, tmp_path / "i.db")
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1, err
    summary = json.loads(out)
    assert sum(summary["rejected_by_reason"].values()) >= 1
    [first, *_] = summary["first_rejections"]
    assert first["reason"] == "schema_violation"
    refused = sum(summary["rejected_by_reason"].values())
    assert f"{refused} row(s) refused ({refused} for a fault of the file)" in err
    assert first["event_id"] in err
    allowed = subprocess.run(
        [sys.executable, "-m", "snt", "import", "mps-ward-csv", str(path), "--allow-refused"],
        env={**os.environ, "SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}",
             "SNT_INGEST_PSEUDONYMISATION_KEY": KEY},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
