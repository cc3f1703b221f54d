"""`snt import FORMAT PATH`: import a published file through the ingest pipeline; `snt import
held`, `--accept-held RELEASE`, `--reject-held RELEASE`: the releases held for an analyst."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from services.ingest.releases import ReleaseDesk
    from services.ingest.summary import ImportSummary

FORMAT_HELP = "police-uk-csv, police-uk-json, mps-ward-csv, mps-borough-csv or pas-borough-csv"
HELD = "held"


def import_file(
    fmt: Annotated[
        str | None, typer.Argument(metavar="FORMAT", help=f"{FORMAT_HELP}; or 'held'")
    ] = None,
    path: Annotated[
        Path | None, typer.Argument(exists=True, help="The file (or police-uk-json folder)")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Embedded stack data dir (SNT_STACK_DATA_DIR)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    accept_held: Annotated[
        str | None, typer.Option("--accept-held", metavar="RELEASE", help="Apply a held release")
    ] = None,
    reject_held: Annotated[
        str | None, typer.Option("--reject-held", metavar="RELEASE", help="Drop a held release")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why (with a decision)")] = None,
    allow_refused: Annotated[
        bool, typer.Option("--allow-refused", help="Exit 0 even when rows were refused")
    ] = False,
) -> None:
    """Validate, resolve, classify, de-duplicate and store a file's events for publication.

    Uses the ingest database (SNT_INGEST_DATABASE_URL, default the embedded stack's); a
    running ingest service publishes the stored events. Re-importing changes nothing. A
    release of an MPS monthly file revises the months it governs, or is held when its figures
    fall implausibly: `snt import held` lists the held ones, `--accept-held RELEASE` applies
    one and `--reject-held RELEASE` drops it.
    """
    from snt.cli import fail

    if accept_held or reject_held:
        if fmt is not None or (accept_held and reject_held):
            raise fail("give --accept-held or --reject-held alone, without FORMAT or PATH")
        _decide(data_dir, accept_held, reject_held, note, as_json)
    elif fmt == HELD and path is None:
        _list_held(data_dir, as_json)
    elif fmt is None or path is None:
        raise fail(f"give FORMAT and PATH (FORMAT is {FORMAT_HELP}), or 'held'")
    else:
        _import(fmt, path, data_dir, as_json, allow_refused)


def _desk(data_dir: Path | None) -> ReleaseDesk:
    from services.ingest.release_rule import load_release_rule
    from services.ingest.releases import ReleaseDesk
    from snt.ingest_setup import bulk_pipeline

    pipeline, _reference = bulk_pipeline(data_dir, dict(os.environ))
    return ReleaseDesk(pipeline, load_release_rule())


def _import(fmt: str, path: Path, data_dir: Path | None, as_json: bool,
            allow_refused: bool = False) -> None:  # fmt: skip
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
    _print(summary, path.name, as_json)
    _refused(summary, allow_refused)


EXPECTED_REFUSALS = frozenset({"out_of_area"})
"""Refusals by design (another force's records in a police.uk file), not faults of the file."""


def _refused(summary: ImportSummary, allow: bool) -> None:
    """Name the first refused rows; exit 1 when any row was refused for a fault of the file
    (a broken or truncated row, a bad value), unless ``allow``."""
    total = sum(summary.rejected_by_reason.values())
    if not total:
        return
    faults = sum(n for r, n in summary.rejected_by_reason.items() if r not in EXPECTED_REFUSALS)
    typer.echo(f"{total} row(s) refused ({faults} for a fault of the file); each is "
               "dead-lettered with its reason. First:", err=True)  # fmt: skip
    for found in summary.first_rejections:
        problems = "; ".join(found["problems"]) or "-"
        typer.echo(f"  {found['event_id']}: {found['reason']} ({problems})", err=True)
    if faults and not allow:
        raise typer.Exit(1)


def _decide(
    data_dir: Path | None, accept: str | None, reject: str | None, note: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    from services.ingest.releases import ReleaseError, describe
    from snt.cli import fail

    desk, by = _desk(data_dir), f"operator:{getpass.getuser()}"
    try:
        if accept:
            _print(desk.accept(accept, by, note), accept, as_json)
            return
        record = desk.reject(str(reject), by, note)
    except ReleaseError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(describe(record), indent=2))
        return
    typer.echo(f"{record.release_id}: rejected; its held cells are dropped, the figures stay")


def _list_held(data_dir: Path | None, as_json: bool) -> None:
    from services.ingest.releases import describe

    held = [describe(r) for r in _desk(data_dir).held()]
    if as_json:
        typer.echo(json.dumps({"held": held}, indent=2))
        return
    if not held:
        typer.echo("no release is held")
    for release in held:
        typer.echo(f"{release['release_id']}  {release['source']}  held "
                   f"{release['imported_at']}  rule {release['rule']}")  # fmt: skip
        for finding in release["findings"][:10]:
            typer.echo(f"    {_finding(finding)}")


def _finding(f: dict[str, Any]) -> str:
    where = "whole file" if f["area"] == "*" else f["area"]
    return f"{where} {f['month']}: {f['previous']} -> {f['new']}"


def _print(summary: ImportSummary, name: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2))
        return
    typer.echo(f"{name}: read {summary.read}, events stored {summary.published}")
    for status, count in sorted(summary.outcomes.items()):
        typer.echo(f"  {status:<11} {count}")
    for reason, count in sorted(summary.rejected_by_reason.items()):
        typer.echo(f"    rejected: {reason:<22} {count}")
    if summary.release is not None:
        _print_release(summary)


def _print_release(summary: ImportSummary) -> None:
    from services.ingest.summary import GROUPS

    release = summary.release or {}
    typer.echo(f"release {release['release_id']}: {release['status']}")
    for finding in release.get("findings", [])[:10]:
        typer.echo(f"    {_finding(finding)}")
    typer.echo(f"  {'cells':<11} {'count':>8} " + " ".join(f"{g:>9}" for g in GROUPS))
    for kind, entry in summary.cells_dict().items():
        by_group = entry.get("net") or entry.get("value") or {}
        figures = " ".join(f"{by_group[g]:>+9}" for g in GROUPS) if by_group else ""
        typer.echo(f"  {kind:<11} {entry['cells']:>8} {figures}".rstrip())
