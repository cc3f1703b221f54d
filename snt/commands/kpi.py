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
) -> None:
    """Recompute every count and every victim/caller contact from the event store in batch
    and diff them with the kpi state; exit code 1 when they differ."""
    from snt.kpi_tools import open_stores
    from snt.kpi_tools import verify as run

    report = run(*open_stores(dict(os.environ), data_dir))
    shown = [{"unit_kind": d.key[0], "unit_code": d.key[1], "kpi_group": d.key[2],
              "day": d.key[3], "expected": d.expected, "held": d.held}
             for d in report.differences[:50]]  # fmt: skip
    body = {"events_recomputed": report.events_recomputed,
            "events_not_yet_applied": report.events_not_applied,
            "counts_compared": report.counts_compared,
            "differences": len(report.differences),
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
    if report.differences or report.contact_differences or report.survey_differences:
        raise typer.Exit(1)
