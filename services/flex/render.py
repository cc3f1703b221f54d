"""The monthly SNT abstraction report as CSV and as an HTML page (hours to one decimal; KPI 9,
the authorised ward flex share, last)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator

from services.flex.domain.ledger import ABSTRACTIONS
from services.flex.domain.report import ABSENCES, Report, Row

COLUMNS = (
    "code", "name", "staffing_model", "planned_h", "on_ward_h", "flexed_out_h",
    "flexed_out_unauthorised_h", "flexed_out_authorised_h", "flexed_in_h",
    *(f"abstracted_{k}_h" for k in ABSTRACTIONS), "abstracted_h", "abstraction_share_pct",
    "flex_share_pct", *(f"{k}_h" for k in ABSENCES), "days_below_minimum_staffing",
    "kpi9_authorised_flex_share_pct",
)  # fmt: skip


def cells(row: Row) -> list[str]:
    def h(minutes: int) -> str:
        return f"{minutes / 60:.1f}"

    def pct(share: float | None) -> str:
        return "" if share is None else f"{100 * share:.1f}"

    return [
        row.code, row.name, row.model, h(row.planned), h(row.on_ward), h(row.flexed_out),
        h(row.flexed_out_unauthorised), h(row.flexed_out - row.flexed_out_unauthorised),
        h(row.flexed_in), *(h(row.abstracted.get(k, 0)) for k in ABSTRACTIONS),
        h(row.abstracted_total), pct(row.abstraction_share), pct(row.flex_share),
        *(h(row.absent.get(k, 0)) for k in ABSENCES), str(row.days_below_minimum),
        pct(row.authorised_flex_share),
    ]  # fmt: skip


def _rows(report: Report) -> Iterator[Row]:
    yield from report.rows
    yield report.total


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in _rows(report):
        writer.writerow(cells(row))
    return out.getvalue()


def to_html(report: Report, title: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in cells(row)) + "</tr>"
        for row in _rows(report)
    )
    caption = f"SNT abstraction report {report.year}-{report.month:02d}: {html.escape(title)}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{caption}</title><style>table{{border-collapse:collapse}}"
        "td,th{border:1px solid #999;padding:2px 6px;text-align:right}</style></head>"
        f"<body><h1>{caption}</h1><table><caption>{caption}</caption><thead><tr>{head}</tr>"
        f"</thead><tbody>{body}</tbody></table>"
        "<p>Hours are SN duty hours from CARM3; shares are of planned SN hours. Flexed out "
        "without authorisation means no authorisation by a superintendent or above. KPI 9 "
        "(Use of Resources, SNT Flex) is the share of planned SN hours that was Authorised "
        "Ward Flex: flexed out to another ward with that authorisation. Unauthorised flex "
        "and the abstractions are not KPI 9. A day is below the minimum staffing model when, "
        "for a role, fewer officers were on duty on the ward (its own on ward duty and those "
        "flexed in; not those on a rest day, leave, sick, abstracted or flexed out).</p>"
        "</body></html>"
    )
