"""`snt import FORMAT PATH`: import a published file through the ingest pipeline."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

FORMAT_HELP = "police-uk-csv, police-uk-json, mps-ward-csv, mps-borough-csv or pas-borough-csv"


def import_file(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP)],
    path: Annotated[Path, typer.Argument(exists=True, help="The file (or police-uk-json folder)")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Embedded stack data dir (SNT_STACK_DATA_DIR)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Validate, resolve, classify, de-duplicate and store a file's events for publication.

    Uses the ingest database (SNT_INGEST_DATABASE_URL, default the embedded stack's); a
    running ingest service publishes the stored events. Re-importing changes nothing.
    """
    from rich.progress import Progress

    from services.ingest.bulk import run_import
    from services.ingest.importers import FORMATS, ImportFormatError
    from snt.cli import fail
    from snt.ingest_setup import bulk_pipeline

    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; use {FORMAT_HELP}")
    pipeline, reference = bulk_pipeline(data_dir, dict(os.environ))
    total = FORMATS[fmt].count_rows(path)
    try:
        with Progress(transient=True) as bar:
            task = bar.add_task(f"importing {path.name}", total=total)
            summary = run_import(pipeline, fmt, path, reference,
                                 progress=lambda n: bar.advance(task, n))  # fmt: skip
    except ImportFormatError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2))
        return
    typer.echo(f"{path.name}: read {summary.read}, events stored {summary.published}")
    for status, count in sorted(summary.outcomes.items()):
        typer.echo(f"  {status:<11} {count}")
    for reason, count in sorted(summary.rejected_by_reason.items()):
        typer.echo(f"    rejected: {reason:<22} {count}")
