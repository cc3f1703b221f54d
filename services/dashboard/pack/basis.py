"""What a page's figures cover and rest on, in words: the period (as the kpi service states
it, with its dates and last year's) and, per KPI group, the source under the counts — the
MPS's monthly published counts, event-level records, simulated records, or no data of that
group loaded at all (read from each figure's ``sources``, see docs/figures.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from services.dashboard.pack.status import DATA_NAMES, GROUP_NAMES, SOURCE_NAMES, held

Figure = Mapping[str, Any]


def period_sentence(figure: Figure) -> str:
    """'FYTD 2025-26 to December 2025: 1 April 2025 to 31 December 2025, against 1 April
    2024 to 31 December 2024.'"""
    label = figure.get("period_label") or figure.get("period", "")
    now = _dates(figure.get("period_start"), figure.get("period_end"))
    then = _dates(figure.get("last_year_start"), figure.get("last_year_end"))
    if not now:
        return f"{label}."
    return f"{label}: {now}" + (f", against the same period last year ({then})." if then else ".")


def source_sentences(figures: Sequence[Figure]) -> list[str]:
    """One sentence per distinct source, naming the KPI groups that rest on it."""
    said: dict[str, list[str]] = {}
    for f in figures:
        said.setdefault(_source_words(f), []).append(GROUP_NAMES.get(f["kpi_group"],
                                                                     f["kpi_group"]))  # fmt: skip
    return [f"{_and(groups)}: {words}." for words, groups in said.items()]


def basis(figures: Sequence[Figure]) -> dict[str, Any]:
    """The period and the sources of an area's figures (one body's ``figures``)."""
    if not figures:
        return {"period": "", "sources": [], "simulated": False, "no_data": []}
    first = next((f for f in figures if held(f)), figures[0])
    return {"period": period_sentence(first), "sources": source_sentences(figures),
            "simulated": any(_simulated(f) for f in figures),
            "no_data": [f["kpi_group"] for f in figures if not held(f)]}  # fmt: skip


def _source_words(f: Figure) -> str:
    sources = f.get("sources") or {}
    now, then = sources.get("this_year") or {}, sources.get("last_year") or {}
    if not held(f):
        group = f["kpi_group"]
        return (f"no {DATA_NAMES.get(group, group)} data loaded (no "
                f"{SOURCE_NAMES.get(group, 'source')} for this period)")  # fmt: skip
    words = _kind(now)
    if not now.get("complete", True):
        words += ", held for part of the period only"
    if then and not then.get("held", True):
        words += "; none held for last year's period, so there is no like-for-like comparison"
    elif then and _kind(then) != _kind(now):
        words += f"; last year's from {_kind(then)}"
    return words


def _kind(source: Mapping[str, Any]) -> str:
    monthly = source.get("resolution") == "published_monthly"
    area = "borough totals" if source.get("area") == "published_borough_totals" else "counts"
    words = (f"monthly published {area} (whole months)" if monthly
             else "event-level records dated to the day")  # fmt: skip
    if source.get("simulated"):
        words += ", including simulated records (not real police data)"
    return words


def _simulated(f: Figure) -> bool:
    sources = f.get("sources") or {}
    return any(bool((sources.get(k) or {}).get("simulated")) for k in ("this_year", "last_year"))


def _dates(first: Any, last: Any) -> str:
    if not first or not last:
        return ""
    a, b = date.fromisoformat(str(first)), date.fromisoformat(str(last))
    return f"{_day(a)} to {_day(b)}"


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
