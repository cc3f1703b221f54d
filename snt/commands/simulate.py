"""`snt simulate roster`: a simulated CARM3 month for every ward team, through ingest."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Simulated inputs for which no real data is public.")
DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Embedded stack data dir (SNT_STACK_DATA_DIR)")
]


@app.command("roster")
def roster(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same roster")] = 7,
    borough: Annotated[
        list[str] | None, typer.Option("--borough", help="Only this borough (E09…); repeat")
    ] = None,
    faulty: Annotated[
        float, typer.Option("--faulty", min=0, max=1, help="Share of ward flex that is faulty")
    ] = 0.05,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Roster every ward team (1-2-3, or 1-2-6 over 14,000 residents) for the month and
    submit the duty changes to ingest (a running ingest service publishes them); prints the
    simulator's own totals to compare with the SNT abstraction report."""
    from collections import Counter

    from services.ingest.decode import submission
    from snt.cli import fail
    from snt.ingest_setup import bulk_pipeline
    from snt.sim.roster import simulate

    try:
        year, number = (int(x) for x in month.split("-"))
        if not 1 <= number <= 12:
            raise ValueError(month)
    except ValueError:
        raise fail(f"--month must be YYYY-MM, not {month!r}") from None
    pipeline, reference = bulk_pipeline(data_dir, dict(os.environ))
    wards = None
    if borough:
        wards = [w.code for b in borough for w in reference.wards("2022", b)]
        if not wards:
            raise fail(f"no MPS ward in {', '.join(borough)}")
    sim = simulate(reference, year, number, seed=seed, wards=wards, faulty=faulty)
    outcomes: Counter[str] = Counter()
    for i in range(0, len(sim.events), 2000):
        chunk = [submission(raw, max_bytes=65_536, expected="duty.changed")
                 for raw in sim.events[i : i + 2000]]  # fmt: skip
        outcomes.update(o.status for o in pipeline.submit(chunk))
    truth = sim.truth
    body = {"month": month, "events": len(sim.events), "outcomes": dict(outcomes),
            "duties": truth.duties, "planned_hours": sum(truth.planned.values()) / 60,
            "flexed_out_hours": sum(truth.flexed_out.values()) / 60,
            "flexed_out_unauthorised_hours": sum(truth.flexed_out_unauthorised.values()) / 60,
            "abstracted_hours": sum(truth.abstracted.values()) / 60,
            "unauthorised_flex_duties": truth.unauthorised_flex,
            "late_authorisations": truth.late_authorisations}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    for key, value in body.items():
        typer.echo(f"{key:<32} {value}")


@app.command("live")
def live(
    data_dir: DataDir = None,
    day_seconds: Annotated[
        float | None,
        typer.Option(
            "--day-seconds",
            min=0.001,
            help="Real seconds per simulated day (env SNT_SIM_DAY_SECONDS, default 60)",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Env SNT_SIM_SEED, default 7")] = None,
    ward_file: Annotated[
        Path | None,
        typer.Option(
            "--ward-file",
            exists=True,
            dir_okay=False,
            help="MPS ward file to draw the rates from (env SNT_SIM_WARD_FILE; "
            "default: the bundled one)",
        ),
    ] = None,
    borough: Annotated[
        list[str] | None, typer.Option("--borough", help="Only this borough (E09…); repeat")
    ] = None,
) -> None:
    """Feed simulated crimes (with victims), CAD ASB incidents (with callers) and duty
    changes for every ward to ingest, continuing from the ward file's last month on an
    accelerated clock, until SIGTERM or Ctrl-C. Every event is marked simulated (source
    simulated:cris, simulated:cad, simulated:carm3); a restart continues where it stopped."""
    from shared.settings import SettingsError, load_settings
    from snt.cli import fail, stack_settings
    from snt.sim.run import build, run
    from snt.sim.settings import SimSettings

    overrides = {k: v for k, v in (("day_seconds", day_seconds), ("seed", seed),
                                   ("ward_file", ward_file)) if v is not None}  # fmt: skip
    try:
        settings = load_settings(SimSettings, dict(os.environ), **overrides)
    except SettingsError as exc:
        raise fail(str(exc)) from exc
    directory = stack_settings(data_dir=data_dir).data_dir
    try:
        feed = build(directory, settings, boroughs=borough or ())
    except FileNotFoundError as exc:
        raise fail(str(exc)) from exc
    run(feed, settings.tick_s, typer.echo)
