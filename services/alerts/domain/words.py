"""Alerts in the words a borough lead reads: areas by name (Harrow Road, Westminster), the KPI
and the period in words, one format for figures, plurals right. Codes stay in the alert's
fields; only titles and summaries are prose."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

KPI_NAMES: Final = {1: "violent crime", 4: "property crime", 5: "ASB incidents",
                    6: "confidence in local policing", 7: "victim satisfaction",
                    9: "SNT abstraction"}  # fmt: skip
ROLE_NAMES: Final = {"ps": ("PS", "PS"), "pc": ("PC", "PCs"), "pcso": ("PCSO", "PCSOs"),
                     "inspector": ("inspector", "inspectors")}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Names:
    """Area codes → names (None: unknown, the code is shown)."""

    ward: Callable[[str], str | None] = lambda code: None
    borough: Callable[[str], str | None] = lambda code: None

    def area(self, level: str, code: str, borough_code: str | None) -> str:
        """'Harrow Road, Westminster', 'Westminster', 'the MPS'."""
        if level == "mps":
            return "the MPS"
        if level == "borough":
            return self.borough(code) or f"borough {code}"
        ward = self.ward(code) or f"ward {code}"
        borough = None if borough_code is None else self.borough(borough_code)
        return ward if borough is None else f"{ward}, {borough}"


def plural(n: float, one: str, many: str | None = None) -> str:
    """'1 duty', '3 duties', '1.5 hours'."""
    word = one if n == 1 else (many or f"{one}s")
    return f"{number(n)} {word}"


def number(value: Any) -> str:
    """A count without '.0', other figures to one decimal place; 'n/a' when missing."""
    if not isinstance(value, int | float):
        return "n/a"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def percent(value: Any) -> str:
    """A proportion (0.769) as '76.9 %': the one format of survey figures."""
    return "n/a" if not isinstance(value, int | float) else f"{100 * value:.1f} %"


def kpi_words(kpi: int | None) -> str:
    return "KPI" if kpi is None else f"KPI {kpi} {KPI_NAMES.get(kpi, '')}".rstrip()


def month_words(day: date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


def day_words(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def days_words(days: Sequence[date]) -> str:
    """'on 6 of 31 days in March 2025', 'on 1 day, 4 March 2025', 'on 9 days from 28 March
    to 5 April 2025'."""
    first, last = min(days), max(days)
    if len(days) == 1:
        return f"on {day_words(first)}"
    if (first.year, first.month) == (last.year, last.month):
        length = calendar.monthrange(first.year, first.month)[1]
        return f"on {len(days)} of {length} days in {month_words(first)}"
    start = f"{first.day} {calendar.month_name[first.month]}"
    start += "" if first.year == last.year else f" {first.year}"
    return f"on {len(days)} days from {start} to {day_words(last)}"


def shortfall_words(figures: dict[str, float]) -> str:
    """The worst shortfall of a staffing day: '1 PCSO of 3' (the role furthest below its
    minimum); several roles short: 'PC 1 of 2, PCSO 1 of 3'."""
    roles = [k[: -len("_available")] for k in figures if k.endswith("_available")]
    parts = []
    for role in sorted(roles, key=lambda r: _share(figures, r)):
        available, required = figures[f"{role}_available"], figures.get(f"{role}_required", 0)
        one, many = ROLE_NAMES.get(role, (role.upper(), role.upper() + "s"))
        parts.append(f"{number(available)} {one if available == 1 else many} of "
                     f"{number(required)}")  # fmt: skip
    return ", ".join(parts) or "n/a"


def shortfall(figures: dict[str, float]) -> float:
    """How short the day was: the lowest share of a role's minimum available (lower: worse)."""
    roles = [k[: -len("_available")] for k in figures if k.endswith("_available")]
    return min((_share(figures, r) for r in roles), default=1.0)


def _share(figures: dict[str, float], role: str) -> float:
    required = figures.get(f"{role}_required") or 0
    return figures[f"{role}_available"] / required if required else 1.0
