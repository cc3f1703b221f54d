"""`snt alerts verify`: the alerts service against the broker's current log."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from snt.commands.kpi import DataDir

app = typer.Typer(help="The alerts state against what kpi and flex published.")


@app.command("verify")
def verify(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    settle: Annotated[
        float,
        typer.Option(
            "--settle",
            min=0,
            help="Seconds to wait for the events on the log to be evaluated "
            "before each one still missing counts as a difference",
        ),
    ] = 10.0,
) -> None:
    """Read every KPI figure and flex exception on the broker's current log and count each
    one the alerts service has not evaluated as a difference (after waiting up to --settle
    seconds); exit code 1 when there are any."""
    from snt.accepted import settle as wait
    from snt.alerts_tools import open_store, pending, read_log
    from snt.cli import fail

    store, bootstrap = open_store(dict(os.environ), data_dir)
    try:
        on_log, missing = wait(lambda: pending(lambda: read_log(bootstrap), store), settle)
        evaluated = len(store.applied_ids())
    except Exception as exc:  # the broker cannot be read: say so, never "no differences"
        raise fail(f"cannot read the broker's log at {bootstrap}: {exc}") from exc
    body = {"events_on_log": on_log, "events_not_yet_evaluated": missing,
            "events_evaluated_in_all": evaluated,
            "differences": missing}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(body, indent=2))
    else:
        for key, value in body.items():
            typer.echo(f"{key:<26} {value}")
    if missing:
        raise typer.Exit(1)
