"""`snt flex verify`: every accepted duty change applied by the flex service."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from snt.commands.kpi import DataDir, Settle

app = typer.Typer(help="The flex state against ingest's event store.")


@app.command("verify")
def verify(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    settle: Settle = 10.0,
) -> None:
    """Count the accepted duty changes flex has not applied once the settle time is over
    (each one a difference); exit code 1 when there are any."""
    from snt.accepted import settle as wait
    from snt.flex_tools import open_stores, pending

    ingest, flex = open_stores(dict(os.environ), data_dir)
    accepted, missing = wait(lambda: pending(ingest, flex), settle)
    body = {"events_accepted": accepted, "events_not_yet_applied": missing,
            "differences": missing}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(body, indent=2))
    else:
        for key, value in body.items():
            typer.echo(f"{key:<24} {value}")
    if missing:
        raise typer.Exit(1)
