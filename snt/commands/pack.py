"""`snt pack`: the Borough SN Performance Pack or a meeting pack, as HTML and PDF files."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from snt.config import StackSettings

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Embedded stack data dir (SNT_STACK_DATA_DIR)")
]


def pack(
    borough: Annotated[str | None, typer.Option(
        "--borough", help="Borough code (E09…); leave out for a corporate meeting pack")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="As-of date YYYY-MM-DD (default: the kpi service's data date)")] = None,
    meeting: Annotated[str | None, typer.Option(
        "--meeting", help="A meeting pack instead: cluster_weekly, tactical_fortnightly, "
        "strategic_monthly (borough or corporate), key_performance_quarterly")] = None,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", help="Cluster id (with --meeting cluster_weekly and a clusters file)")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder the files are written to")] = Path(
        "packs"),
    formats: Annotated[str, typer.Option("--format", help="html, pdf or html,pdf")] = "html,pdf",
    token: Annotated[str | None, typer.Option(
        "--token", envvar="SNT_API_TOKEN",
        help="API token to read with (default: a short-lived central token issued in the "
        "embedded stack's token database and revoked afterwards)")] = None,
    kpi_url: Annotated[str | None, typer.Option("--kpi-url", help="kpi API (default: the "
                                                "embedded stack's)")] = None,
    flex_url: Annotated[str | None, typer.Option("--flex-url", help="flex API")] = None,
    alerts_url: Annotated[str | None, typer.Option("--alerts-url", help="alerts API")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Write the Borough SN Performance Pack (or a meeting pack) as HTML and PDF."""
    from snt.cli import stack_settings
    from snt.pack_tools import PackError, write_pack

    wanted = {f.strip() for f in formats.split(",") if f.strip()}
    if not wanted or wanted - {"html", "pdf"}:
        raise typer.BadParameter(f"--format takes html, pdf or html,pdf, not {formats!r}")
    if meeting is None and borough is None:
        raise typer.BadParameter("--borough is required for the borough pack")
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError as exc:
            raise typer.BadParameter(f"--as-of {as_of!r} is not a date YYYY-MM-DD") from exc
    settings = stack_settings(data_dir=data_dir)
    urls = _urls(settings, kpi_url, flex_url, alerts_url)
    issued = None
    if token is None:
        token, issued = _temporary_token(settings)
    try:
        clusters_file = os.environ.get("SNT_DASHBOARD_CLUSTERS_FILE")
        written = asyncio.run(write_pack(urls, token, borough, day, meeting, cluster,
                                         sorted(wanted), out, clusters_file))  # fmt: skip
    except PackError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        if issued is not None:
            _revoke(settings, issued)
    for path in written:
        typer.echo(str(path))


def _urls(settings: StackSettings, kpi: str | None, flex: str | None,
          alerts: str | None) -> dict[str, str]:  # fmt: skip
    if kpi and flex and alerts:
        return {"kpi": kpi, "flex": flex, "alerts": alerts}
    from snt.stack import read_state

    state = read_state(settings)
    if state is None:
        raise typer.BadParameter(
            f"no embedded stack at {settings.data_dir} (`snt up` first), or give --kpi-url, "
            "--flex-url and --alerts-url")  # fmt: skip
    found = {name: info["url"] for name, info in state["services"].items()}
    return {"kpi": kpi or found["kpi"], "flex": flex or found["flex"],
            "alerts": alerts or found["alerts"]}  # fmt: skip


def _temporary_token(settings: StackSettings) -> tuple[str, str]:
    from shared.auth.admin import create_token, open_engine

    path = settings.data_dir / "auth.db"
    if not path.exists():
        raise typer.BadParameter(f"no token database at {path}: give --token or SNT_API_TOKEN")
    issued = create_token(open_engine(f"sqlite:///{path.resolve()}"), name="snt-pack",
                          role="central",
                          expires_at=datetime.now(UTC) + timedelta(minutes=15))  # fmt: skip
    return issued.plain_token, issued.public.id


def _revoke(settings: StackSettings, token_id: str) -> None:
    from shared.auth.admin import open_engine, revoke

    revoke(open_engine(f"sqlite:///{(settings.data_dir / 'auth.db').resolve()}"), token_id)
