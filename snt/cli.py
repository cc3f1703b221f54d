"""The `snt` command line: the embedded stack and the operator's tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from shared.settings import SettingsError, load_settings
from snt.config import StackSettings

app = typer.Typer(
    name="snt",
    help="Safer Neighbourhoods performance monitoring: run the stack and operate it.",
    no_args_is_help=True,
    add_completion=False,
)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="State directory (env SNT_STACK_DATA_DIR)")
]
BrokerPort = Annotated[
    int | None, typer.Option("--broker-port", help="Broker port (env SNT_STACK_BROKER_PORT)")
]
HttpPort = Annotated[
    int | None,
    typer.Option("--http-base-port", help="First service port (env SNT_STACK_HTTP_BASE_PORT)"),
]


def stack_settings(**options: Any) -> StackSettings:
    overrides = {k: v for k, v in options.items() if v is not None}
    try:
        return load_settings(StackSettings, **overrides)
    except SettingsError as exc:
        raise fail(str(exc)) from exc


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


@app.command()
def up(
    data_dir: DataDir = None,
    broker_port: BrokerPort = None,
    http_base_port: HttpPort = None,
    detach: Annotated[bool, typer.Option(help="Start in the background and return")] = False,
    empty: Annotated[
        bool, typer.Option("--empty", help="A new data directory starts without London's data")
    ] = False,
    live: Annotated[
        bool | None,
        typer.Option("--live/--no-live", help="Run the simulated live feed (env SNT_STACK_LIVE)"),
    ] = None,
    lock_fd: Annotated[
        int | None, typer.Option(hidden=True, help="The stack lock `up --detach` hands down")
    ] = None,
) -> None:
    """Start the local broker, create the topics and start every service (Ctrl-C stops).

    The first start of a data directory then loads London's public data bundled in
    data/public/ and a simulated roster month, showing progress; later starts reuse it.
    Then a simulated live feed (`snt simulate live`) runs as a child of the stack."""
    from snt.control import start_detached
    from snt.stack import EmbeddedStack, StackError
    from snt.tansu import BrokerError

    settings = stack_settings(
        data_dir=data_dir,
        broker_port=broker_port,
        http_base_port=http_base_port,
        empty=empty or None,
        live=live,
    )
    try:
        if detach:
            start_detached(settings, typer.echo)
            _print_status(settings)
            return
        stack = EmbeddedStack(settings, typer.echo, lock_fd=lock_fd)
        try:
            stack.start()
            typer.echo("all services ready; Ctrl-C or `snt down` stops the stack")
            stack.run_until_stopped()
        finally:
            stack.stop()
    except (StackError, BrokerError) as exc:
        raise fail(str(exc)) from exc


@app.command()
def down(data_dir: DataDir = None) -> None:
    """Stop a running embedded stack (services first, then the broker)."""
    from snt.control import stop_stack
    from snt.stack import StackError

    try:
        typer.echo(stop_stack(stack_settings(data_dir=data_dir)))
    except StackError as exc:
        raise fail(str(exc)) from exc


@app.command()
def status(data_dir: DataDir = None) -> None:
    """Show the broker's and each service's health; exit code 1 if anything is unhealthy."""
    healthy = _print_status(stack_settings(data_dir=data_dir))
    if not healthy:
        raise typer.Exit(1)


def _print_status(settings: StackSettings) -> bool:
    from snt.control import stack_status
    from snt.stack import StackError

    try:
        rows = stack_status(settings)
    except StackError as exc:
        raise fail(str(exc)) from exc
    for row in rows:
        mark = (
            typer.style("healthy  ", fg="green")
            if row.healthy
            else typer.style("UNHEALTHY", fg="red")
        )
        typer.echo(f"{row.name:<8} {mark} {row.address:<24} {row.detail}")
    _print_lag(settings)
    return all(row.healthy for row in rows)


def _print_lag(settings: StackSettings) -> None:
    """Each consumer group's lag, ingest's outbox and alerts' unsent notices; "behind" past
    SNT_STACK_BEHIND_EVENTS or SNT_STACK_BEHIND_S (the exit code stays that of health)."""
    from snt.lag_status import stack_lag

    for line in stack_lag(settings):
        mark = typer.style("behind   ", fg="yellow") if line.behind else "current  "
        typer.echo(f"{line.service:<8} {mark} {line.what:<34} {line.detail}")
