"""`snt kpi rebuild` / `snt kpi verify`: the kpi state against ingest's event store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The kpi state: rebuild it from, or verify it against, the event store.")
DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Embedded stack data dir (SNT_STACK_DATA_DIR)")
]
Settle = Annotated[float, typer.Option(
    "--settle", min=0, help="Seconds to wait for accepted events to be applied before each one "
    "still missing counts as a difference")]  # fmt: skip


@app.command("rebuild")
def rebuild(data_dir: DataDir = None) -> None:
    """Forget the kpi state and fold every event in ingest's event store again (stop the kpi
    service first)."""
    from snt.kpi_tools import open_stores
    from snt.kpi_tools import rebuild as run

    summary = run(*open_stores(dict(os.environ), data_dir))
    typer.echo(f"applied {summary.applied}, duplicates {summary.duplicates}, bad {summary.bad}")


@app.command("verify")
def verify(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    settle: Settle = 10.0,
) -> None:
    """Recompute every count and every victim/caller contact from the event store in batch
    and diff them with the kpi state; every accepted event not applied once the settle time
    is over is a difference too; exit code 1 when there are any."""
    from snt.accepted import settle as wait
    from snt.kpi_tools import open_stores, pending
    from snt.kpi_tools import verify as run

    ingest, kpi = open_stores(dict(os.environ), data_dir)
    accepted, missing = wait(lambda: pending(ingest, kpi), settle)
    report = run(ingest, kpi)
    shown = [{"unit_kind": d.key[0], "unit_code": d.key[1], "kpi_group": d.key[2],
              "day": d.key[3], "expected": d.expected, "held": d.held}
             for d in report.differences[:50]]  # fmt: skip
    body = {"events_accepted": accepted,
            "events_not_yet_applied": missing,
            "events_recomputed": report.events_recomputed,
            "counts_compared": report.counts_compared,
            "count_differences": len(report.differences),
            "differences": len(report.differences) + missing,
            "contacts_compared": report.contacts_compared,
            "contact_differences": report.contact_differences,
            "survey_figures_compared": report.survey_compared,
            "survey_differences": report.survey_differences,
            "first_differences": shown}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(body, indent=2))
    else:
        for key, value in body.items():
            if key != "first_differences":
                typer.echo(f"{key:<24} {value}")
        for row in shown:
            typer.echo(f"  differs: {row}")
    if body["differences"] or report.contact_differences or report.survey_differences:
        raise typer.Exit(1)
