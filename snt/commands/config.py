"""`snt config`: every environment variable of every component, as a Markdown table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr

from shared.settings import ServiceSettings, StrictSettings

app = typer.Typer(help="Show the configuration variables.", no_args_is_help=False)


def settings_classes() -> list[type[StrictSettings]]:
    from services.alerts.config import AlertsSettings
    from services.dashboard.config import DashboardSettings
    from services.flex.config import FlexSettings
    from services.ingest.config import IngestSettings
    from services.kpi.config import KpiSettings
    from snt.config import StackSettings

    return [
        StackSettings,
        IngestSettings,
        KpiSettings,
        FlexSettings,
        AlertsSettings,
        DashboardSettings,
    ]


Row = tuple[str, str, str]


def rows(cls: type[StrictSettings], prefix: str | None = None) -> list[Row]:
    out = []
    for name, field in cls.model_fields.items():
        default = field.default
        shown = "(secret)" if isinstance(default, SecretStr) else _plain(default)
        out.append(((prefix or cls.env_prefix()) + name.upper(), shown, field.description or ""))
    return out


def _plain(value: object) -> str:
    if value is None:
        return "unset"
    return str(getattr(value, "value", value))


def sections() -> list[tuple[str, list[Row]]]:
    """Stack settings; settings common to every service; each service's own values."""
    stack, *services = settings_classes()
    common = {
        name for name in ServiceSettings.model_fields
        if len({repr(cls.model_fields[name].default) for cls in services}) == 1
    }  # fmt: skip
    from snt.sim.settings import SimSettings

    out = [("Embedded stack (`snt up`)", rows(stack)),
           ("Simulated live feed (`snt simulate live`)", rows(SimSettings))]  # fmt: skip
    out.append(("Every service (`<SVC>` = INGEST, KPI, FLEX, ALERTS or DASHBOARD)", [
        r for r in rows(ServiceSettings, "SNT_<SVC>_") if r[0].removeprefix("SNT_<SVC>_").lower()
        in common
    ]))  # fmt: skip
    for cls in services:
        own = [r for r in rows(cls) if r[0].removeprefix(cls.env_prefix()).lower() not in common]
        out.append((f"{cls.service_name} service", own))
    return out


def markdown_table() -> str:
    lines: list[str] = []
    for title, section in sections():
        lines += ["", f"**{title}**", "", "| variable | default | meaning |", "|---|---|---|"]
        lines += [f"| `{var}` | `{default}` | {text} |" for var, default, text in section]
    return "\n".join(lines).strip()


START, END = "<!-- config:start -->", "<!-- config:end -->"


def with_table(readme: str) -> str:
    """``readme`` with the text between the config markers replaced by the current table."""
    head, found, rest = readme.partition(START)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise ValueError(f"README has no {START} ... {END} block")
    return f"{head}{START}\n{markdown_table()}\n{END}{tail}"


@app.callback(invoke_without_command=True)
def show(
    readme: Annotated[
        Path | None, typer.Option(help="Rewrite the configuration block of this README")
    ] = None,
) -> None:
    """Print every setting (variable, default, meaning) as Markdown tables."""
    if readme is None:
        typer.echo(markdown_table())
        return
    readme.write_text(with_table(readme.read_text()))
    typer.echo(f"updated the configuration block of {readme}")
