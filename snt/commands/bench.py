"""`snt bench`: run benchmarks and save their results under benchmarks/results/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

app = typer.Typer(help="Run benchmarks; results are saved under benchmarks/results/.")


def _benchmarks() -> dict[str, Callable[[], dict[str, Any]]]:
    from snt.bench import alerts, flex, foundation, ingest, kpi

    return {"foundation": foundation.run, "ingest": ingest.run, "kpi": kpi.run,
            "flex": flex.run, "alerts": alerts.run}  # fmt: skip


def _run(name: str, fn: Callable[[], dict[str, Any]]) -> None:
    from snt.bench.harness import save

    typer.echo(f"benchmark {name} ...")
    figures = fn()
    for key, value in figures.items():
        typer.echo(f"  {key:<32} {value}")
    typer.echo(f"  saved to {save(name, figures)}")


@app.command("foundation")
def foundation() -> None:
    """Reference data load, point-in-polygon, LSOA lookup, classification, contract parsing."""
    _run("foundation", _benchmarks()["foundation"])


@app.command("ingest")
def ingest() -> None:
    """Bulk import end to end (real MPS ward file) and HTTP latency at 200 requests/s."""
    _run("ingest", _benchmarks()["ingest"])


@app.command("kpi")
def kpi() -> None:
    """Fold rates, end to end through the broker on one core, ward query latency, memory with
    10 years × every ward, and the SQL GROUP BY baseline."""
    _run("kpi", _benchmarks()["kpi"])


@app.command("flex")
def flex() -> None:
    """A simulated month for every London ward team end to end (simulator, ingest, flex
    fold) and the time to produce the monthly SNT abstraction reports."""
    _run("flex", _benchmarks()["flex"])


@app.command("alerts")
def alerts() -> None:
    """Latency from a crime accepted by ingest to the borough lead's webhook, at 200 events/s
    across London wards, on the embedded stack (grouping interval zero)."""
    _run("alerts", _benchmarks()["alerts"])


@app.command("all")
def run_all() -> None:
    """Every benchmark, one after another."""
    for name, fn in _benchmarks().items():
        _run(name, fn)
