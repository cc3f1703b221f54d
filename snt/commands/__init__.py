"""Sub-command groups of `snt`, registered on the root application."""

from __future__ import annotations

import typer

from snt.commands import (
    alerts,
    bench,
    config,
    docs,
    flex,
    imports,
    kpi,
    pack,
    reference,
    simulate,
    token,
    topics,
)


def register(app: typer.Typer) -> None:
    app.add_typer(topics.app, name="topics")
    app.add_typer(config.app, name="config")
    app.add_typer(token.app, name="token")
    app.add_typer(reference.app, name="reference")
    app.add_typer(bench.app, name="bench")
    app.add_typer(kpi.app, name="kpi")
    app.add_typer(flex.app, name="flex")
    app.add_typer(alerts.app, name="alerts")
    app.add_typer(simulate.app, name="simulate")
    app.command("import")(imports.import_file)
    app.command("pack")(pack.pack)
    app.command("docs")(docs.docs)
