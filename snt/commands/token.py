"""`snt token`: issue, list and revoke API bearer tokens (stored hashed)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from sqlalchemy import Engine

app = typer.Typer(help="Issue, list and revoke API tokens.", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Token database (default: the embedded stack's auth.db under the data dir)",
    ),
]


def _engine(url: str | None) -> Engine:
    from shared.auth.admin import open_engine
    from snt.cli import stack_settings
    from snt.stack import sqlite_url

    return open_engine(url or sqlite_url(stack_settings().data_dir / "auth.db"))


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who or what holds the token")],
    role: Annotated[str, typer.Option(help="system, central, borough_lead or cluster_inspector")],
    borough: Annotated[
        list[str] | None, typer.Option(help="Borough code (E09…) in scope; repeatable")
    ] = None,
    ward: Annotated[
        list[str] | None, typer.Option(help="Ward code (E05…) in scope; repeatable")
    ] = None,
    expires_at: Annotated[datetime | None, typer.Option(help="Expiry (ISO date/time, UTC)")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Issue a token and print it once: it is stored only as a hash."""
    from shared.auth import ScopeError, TokenRequestError
    from shared.auth.admin import create_token
    from snt.cli import fail

    try:
        issued = create_token(
            _engine(database_url), name=name, role=role, boroughs=borough or (),
            wards=ward or (), expires_at=expires_at,
        )  # fmt: skip
    except (TokenRequestError, ScopeError, ValueError) as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"token id {issued.public.id} ({issued.public.role.value}) for {name}")
    typer.echo(issued.plain_token)


@app.command("list")
def list_(database_url: DatabaseUrl = None) -> None:
    """List tokens (never the token itself)."""
    from shared.auth.admin import list_tokens

    for token in list_tokens(_engine(database_url)):
        scopes = " ".join(sorted(token.boroughs + token.wards)) or "-"
        state = "revoked" if token.revoked_at else "active"
        typer.echo(f"{token.id}  {token.role.value:<17} {state:<8} {token.name:<24} {scopes}")


@app.command("revoke")
def revoke_(token_id: str, database_url: DatabaseUrl = None) -> None:
    """Revoke a token by id; it stops working on the next request."""
    from shared.auth import TokenNotFoundError
    from shared.auth.admin import revoke
    from snt.cli import fail

    try:
        token = revoke(_engine(database_url), token_id)
    except TokenNotFoundError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"revoked {token.id} ({token.name})")
