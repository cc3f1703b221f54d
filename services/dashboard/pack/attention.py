"""Attention lists that discriminate: a movement of the whole scope is said once, and the
areas listed are those that differ from it.

On the MPS page the MPS's own figures are said once ("Violence (KPI 1): London-wide +7.7%,
off trajectory"); the boroughs listed are those whose change on last year differs
significantly from London's (the kpi service's ``vs_mps`` test: overdispersion allowed for,
Benjamini–Hochberg across the boroughs), and those off trajectory, or with an SPC concern,
where London is not. A borough page does the same for its wards, against the borough's own
figures (and London's trend). Areas are ranked by the statistics (the smallest adjusted
p-value of their reasons first), at most ``limit`` listed, with how many more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from services.dashboard.pack.status import GROUP_NAMES, pct, spc_class, trajectory_status

DEFAULT_LIMIT: Final = 10
"""Areas an attention panel lists before "and N more" (the dashboard's setting)."""
Figures = Mapping[str, Mapping[str, Any]]
"""KPI group → figure (a kpi API figure body)."""


@dataclass(frozen=True)
class Reason:
    text: str
    q_value: float | None
    """The adjusted p-value behind it (None: an SPC rule, ranked after any test)."""


def by_group(figures: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {f["kpi_group"]: f for f in figures}


def movement(figures: Figures, where: str) -> list[str]:
    """What the scope's own figures say, once: "Violence (KPI 1): London-wide +7.7%, off
    trajectory" (only what is significant, or a special cause)."""
    said = []
    for group, f in figures.items():
        words = _significant_words(f)
        if spc_class(f.get("spc")).key == "concern":
            words.append("special cause of concern")
        if words:
            said.append(f"{GROUP_NAMES[group]}: {where} {pct(f.get('pct_change'))}, "
                        f"{', '.join(words)}")  # fmt: skip
    return said


def reasons(figures: Figures, parent: Figures | None = None) -> list[Reason]:
    """Why an area needs attention beyond its scope's own movement (``parent``: the scope's
    figures by group; None when not known)."""
    found = []
    for group, f in figures.items():
        name = GROUP_NAMES[group]
        trend = f.get("vs_mps") or {}
        if trend.get("verdict") == "significant_worse":
            london = pct(100.0 * (float(trend["null_ratio"]) - 1.0))
            found.append(Reason(f"{name}: {pct(f.get('pct_change'))} against London's {london}, "
                                "significantly worse than the MPS trend",
                                trend.get("q_value")))  # fmt: skip
            continue
        above = (parent or {}).get(group)
        status = trajectory_status(f)
        if status.needs_attention and (above is None or not _breach(above)):
            test = f.get("vs_target") or f.get("vs_last_year") or {}
            found.append(
                Reason(f"{name}: {status.label}", test.get("q_value", test.get("p_value")))
            )
        spc = spc_class(f.get("spc"))
        if spc.key == "concern" and (above is None or spc_class(above.get("spc")).key != "concern"):
            found.append(Reason(f"{name}: {spc.label}", None))
    return found


def ranked(rows: Sequence[Mapping[str, Any]], limit: int) -> dict[str, Any]:
    """The rows needing attention, most significant first, at most ``limit``; and how many
    more there are."""
    needing = sorted((r for r in rows if r["attention"]),
                     key=lambda r: (_order(r["attention_q"]), r["name"]))  # fmt: skip
    return {"areas": [{"code": r["code"], "name": r["name"], "attention": r["attention"]}
                      for r in needing[:limit]],
            "more": max(0, len(needing) - limit), "limit": limit}  # fmt: skip


def strongest(found: Sequence[Reason]) -> float | None:
    tested = [r.q_value for r in found if r.q_value is not None]
    return min(tested) if tested else (1.0 if found else None)


def _order(q: float | None) -> float:
    return 2.0 if q is None else q


def _breach(f: Mapping[str, Any]) -> bool:
    return trajectory_status(f).needs_attention


def _significant_words(f: Mapping[str, Any]) -> list[str]:
    status = trajectory_status(f)
    if status.key == "breach":
        return ["off trajectory" if f.get("trajectory") is not None else "up significantly"]
    if status.key == "improving":
        return ["significantly down"]
    return []
