"""`snt docs`: write the product's AsyncAPI document and each service's OpenAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ASYNCAPI_OUT = Path("docs/asyncapi.json")
OPENAPI_DIR = Path("docs/openapi")


def docs(
    out: Annotated[
        Path, typer.Option("--out", help="The product's AsyncAPI 3 document (every topic)")
    ] = ASYNCAPI_OUT,
    openapi_dir: Annotated[
        Path, typer.Option("--openapi-dir", help="Where each service's <name>.json goes")
    ] = OPENAPI_DIR,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a file is not current")
    ] = False,
) -> None:
    """Write the documents the services serve at /asyncapi.json and /openapi.json (the
    AsyncAPI ones joined into one for the product), read from each service's code."""
    from snt.docs import read_documents

    files = read_documents().files(out, openapi_dir)
    if check:
        stale = [p for p, text in files.items() if not p.is_file() or p.read_text() != text]
        for path in stale:
            typer.echo(f"not current: {path} (run: snt docs)", err=True)
        raise typer.Exit(1 if stale else 0)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        typer.echo(str(path))
