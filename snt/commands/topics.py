"""`snt topics`: create and list the Kafka topics of the registry (kafka-python admin)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Create and list the product's Kafka topics.", no_args_is_help=True)

Bootstrap = Annotated[
    str,
    typer.Option(
        "--bootstrap", envvar="SNT_KAFKA_BOOTSTRAP", help="Kafka bootstrap servers (host:port)"
    ),
]


@app.command("create")
def create(
    bootstrap: Bootstrap = "127.0.0.1:19092",
    partitions: Annotated[
        int | None, typer.Option(help="Override every topic's partition count")
    ] = None,
    replication_factor: Annotated[int, typer.Option(help="Replication factor")] = 1,
) -> None:
    """Create every registered topic that does not exist yet (idempotent)."""
    from shared.kafka_admin import ensure_topics
    from shared.topics import TOPICS

    report = ensure_topics(
        bootstrap, list(TOPICS), partitions=partitions, replication_factor=replication_factor
    )
    typer.echo(report.summary())
    for status in report.topics:
        typer.echo(
            f"  {status.name:<26} {status.outcome.value:<9} partitions "
            f"{status.actual_partitions} (expected {status.expected_partitions})"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("list")
def list_topics() -> None:
    """Print the topic registry: name, partitions, key and event types."""
    from shared.topics import TOPICS

    for spec in TOPICS:
        events = ", ".join(spec.event_types)
        key = "|".join(spec.key)
        typer.echo(f"{spec.name:<26} {spec.partitions:>3}  key={key:<28} {events}")
