"""The first start of a data directory: London's public data, loaded.

Once every service is ready, `snt up` imports the files bundled in ``data/public/`` through
ingest's pipeline (the same import as `snt import`) and a simulated roster of the crime
data's last month (as `snt simulate roster`), then waits until kpi and flex have applied
what was stored, saying how far it has got. ``firstrun.json`` in the data directory records
what was loaded: a later start loads nothing again (and were a file imported twice, the
import's own idempotence would leave every figure as it was). ``--empty`` (SNT_STACK_EMPTY)
starts a new data directory without the bundle, and it stays so on later starts.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snt.catchup import Progress, catch_up
from snt.config import StackSettings

if TYPE_CHECKING:
    from services.ingest.pipeline import Pipeline
    from shared.reference import LondonReference

Say = Callable[[str], None]
BUNDLE = Path(__file__).resolve().parents[1] / "data" / "public"
MARKER = "firstrun.json"
ROSTER_MONTH = (2025, 12)
"""The simulated roster's month: the crime data's last month, so the flex report, KPI 9 and
the packs cover the same month as the crime figures (a live feed continues after it)."""
ROSTER_SEED = 7
CHUNK = 2_000


@dataclass(frozen=True)
class Bundled:
    label: str
    fmt: str
    name: str

    @property
    def path(self) -> Path:
        return BUNDLE / self.name


FILES = (
    Bundled("MPS ward file", "mps-ward-csv", "ward_most_recent_24m_202401-202512.csv"),
    Bundled("MPS borough file", "mps-borough-csv", "borough_most_recent_24m_202401-202512.csv"),
    Bundled(
        "PAS borough file", "pas-borough-csv", "PAS_TandC_dashboard_borough_2014-12_to_2023-12.csv"
    ),
)
ROSTER = f"simulated roster {ROSTER_MONTH[0]}-{ROSTER_MONTH[1]:02d}"


def marker_path(settings: StackSettings) -> Path:
    return settings.data_dir / MARKER


def read_marker(settings: StackSettings) -> dict[str, Any] | None:
    try:
        return dict(json.loads(marker_path(settings).read_text()))
    except (FileNotFoundError, ValueError):
        return None


def write_marker(settings: StackSettings, marker: dict[str, Any]) -> None:
    path = marker_path(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(marker, indent=2))
    tmp.replace(path)


def progress_line(settings: StackSettings) -> str | None:
    """The load's latest progress line (for `snt up --detach` to show), if any."""
    marker = read_marker(settings)
    return None if marker is None else marker.get("progress")


def load_bundled(settings: StackSettings, say: Say) -> None:
    """Load the bundle into the stack in ``settings.data_dir`` unless that is done or not
    wanted (then say why); the stack's services must be ready."""
    marker = read_marker(settings)
    if marker is None and settings.empty:
        marker = {"status": "empty", "at": _now()}
    why = _not_loaded(settings, marker)
    if why is None:
        from snt.ingest_setup import bulk_pipeline
        from snt.stack import service_env

        pipeline, reference = bulk_pipeline(settings.data_dir, service_env(settings, "ingest"))
        if marker is not None or not pipeline.store.events(0, 1):
            Loader(settings, say, marker or {}).run(pipeline, reference)
            return
        marker, why = {"status": "kept", "at": _now()}, KEPT
    assert marker is not None
    write_marker(settings, {**marker, "progress": why})
    say(why)


KEPT = "this data directory already held events: London's bundled data is not loaded into it"


def _not_loaded(settings: StackSettings, marker: dict[str, Any] | None) -> str | None:
    """Why the bundle is not to be loaded now (None: it is)."""
    status = None if marker is None else marker.get("status")
    if marker is not None and status == "loaded":
        return (
            f"London's public data was loaded on {marker['loaded_at'][:16].replace('T', ' ')} UTC "
            f"({_steps(marker)}); not loaded again"
        )
    if status == "empty":
        return (
            "started empty: this data directory was first started with --empty, so the "
            f"bundled public data is not loaded (`snt import` loads files, e.g. {BUNDLE})"
        )
    if status == "kept":
        return KEPT
    if settings.empty:
        return "--empty: the bundled public data is not loaded"
    return None


def _steps(marker: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v['events']:,} events" for k, v in marker.get("steps", {}).items())


class Loader:
    """One load: each file, the roster, then the wait for kpi and flex; the marker records
    every finished step, so a load that was stopped resumes with the next one."""

    def __init__(self, settings: StackSettings, say: Say, marker: dict[str, Any]) -> None:
        self.settings, self.say, self.started = settings, say, time.monotonic()
        self.marker = {
            "status": "loading",
            "started_at": _now(),
            "steps": {},
            **marker,
            "progress": "starting",
        }
        self.expected = {"kpi": 0, "flex": 0}

    def note(self, line: str) -> None:
        self.say(line)
        self.marker["progress"] = line
        write_marker(self.settings, self.marker)

    def run(self, pipeline: Pipeline, reference: LondonReference) -> None:
        self.note(f"loading London's public data ({BUNDLE}) and a {ROSTER}")
        for bundled in FILES:
            if bundled.label not in self.marker["steps"]:
                self._import(pipeline, reference, bundled)
        if ROSTER not in self.marker["steps"]:
            self._roster(pipeline, reference)
        catch_up(self.settings, self.expected, self.note)
        seconds = round(time.monotonic() - self.started, 1)
        self.marker.update(status="loaded", loaded_at=_now(), seconds=seconds)
        self.note(f"London's public data loaded in {seconds:.0f} s ({_steps(self.marker)})")

    def _import(self, pipeline: Pipeline, reference: LondonReference, bundled: Bundled) -> None:
        from services.ingest.bulk import run_import

        total = _cells(bundled)
        shown = Progress(self.note, f"loading {bundled.label}", total, "cells")
        summary = run_import(pipeline, bundled.fmt, bundled.path, reference, progress=shown.add)
        self.expected["kpi"] += summary.published
        self._done(
            bundled.label,
            {
                "file": bundled.name,
                "sha256": _sha256(bundled.path),
                "read": summary.read,
                "events": summary.published,
            },
        )

    def _roster(self, pipeline: Pipeline, reference: LondonReference) -> None:
        from services.ingest.decode import submission
        from snt.sim.roster import simulate

        month = f"{ROSTER_MONTH[0]}-{ROSTER_MONTH[1]:02d}"
        self.note(f"simulating the roster of {month} for every ward team (seed {ROSTER_SEED})")
        sim = simulate(reference, *ROSTER_MONTH, seed=ROSTER_SEED)
        shown = Progress(self.note, f"loading the {ROSTER}", len(sim.events), "duty changes")
        for i in range(0, len(sim.events), CHUNK):
            chunk = [
                submission(raw, max_bytes=65_536, expected="duty.changed")
                for raw in sim.events[i : i + CHUNK]
            ]
            pipeline.submit(chunk)
            shown.add(len(chunk))
        self.expected["flex"] += len(sim.events)
        self._done(ROSTER, {"seed": ROSTER_SEED, "events": len(sim.events)})

    def _done(self, step: str, facts: dict[str, Any]) -> None:
        self.marker["steps"][step] = {**facts, "at_s": round(time.monotonic() - self.started, 1)}
        self.note(f"{step}: {facts['events']:,} events stored")


def _cells(bundled: Bundled) -> int:
    """Cells of a file (a row per category and area, a column per month in MPS files)."""
    from services.ingest.importers import FORMATS

    rows = FORMATS[bundled.fmt].count_rows(bundled.path)
    with bundled.path.open(encoding="utf-8", errors="replace") as f:
        months = sum(1 for c in f.readline().strip().split(",") if c.isdigit() and len(c) == 6)
    return rows * max(months, 1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
