"""`snt reference`: inspect the London reference data the services load at start-up."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated

import typer

app = typer.Typer(help="Inspect the London reference data.", no_args_is_help=True)


@app.command("summary")
def summary() -> None:
    """Validate the reference data and print its version and counts."""
    from shared.reference import load_reference

    started = time.perf_counter()
    ref = load_reference()
    elapsed = time.perf_counter() - started
    typer.echo(f"reference {ref.version} loaded and validated in {elapsed:.2f}s")
    typer.echo(f"boroughs: {len(ref.boroughs())} MPS + City of London (separate force)")
    for bset in ref.boundary_sets:
        wards = ref.wards(bset.name)
        over = sum(1 for w in wards if w.over_14k)
        until = bset.effective_to or "open"
        typer.echo(
            f"boundary set {bset.name}: {bset.effective_from} to {until}: {len(wards)} MPS wards,"
            f" {over} over 14,000 people (1-2-6 staffing)"
        )
    typer.echo(
        f"LSOA lookups: {len(ref.lsoa_codes(2011))} (2011), {len(ref.lsoa_codes(2021))} (2021)"
    )


@app.command("ward")
def ward(
    code: str,
    on: Annotated[
        str | None, typer.Option(help="Date (YYYY-MM-DD) the code must be valid on")
    ] = None,
) -> None:
    """Show a ward: name, borough, boundary set, population and staffing model."""
    from shared.reference import UnknownCodeError, load_reference
    from snt.cli import fail

    ref = load_reference()
    try:
        found = ref.ward(code, date.fromisoformat(on) if on else None)
    except (UnknownCodeError, ValueError) as exc:
        raise fail(str(exc)) from exc
    model = found.staffing_model
    typer.echo(
        f"{found.code} {found.name}, {ref.borough(found.borough_code).name} "
        f"({found.borough_code}); boundary set {found.boundary_set.name}; population "
        f"{found.population or 'unknown'} ({found.population_source}); minimum staffing "
        f"{model.ps}-{model.pc}-{model.pcso}"
    )


@app.command("locate")
def locate(
    latitude: Annotated[float, typer.Option("--lat", help="Latitude (WGS84)")],
    longitude: Annotated[float, typer.Option("--lon", help="Longitude (WGS84)")],
) -> None:
    """The 2018-boundary ward containing a point (WGS84), if any."""
    from shared.reference import load_reference
    from snt.cli import fail

    found = load_reference().ward_at(latitude, longitude)
    if found is None:
        raise fail(f"({latitude}, {longitude}) is in no London ward")
    typer.echo(f"{found.code} {found.name} ({found.borough_code})")
