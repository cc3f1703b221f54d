"""Query values read exactly as written, and the window of dates a service answers for.

A date is ``YYYY-MM-DD`` and nothing else (``as_of=0`` is not 1970-01-01), a month
``YYYY-MM``; a date outside the configured window (before ``earliest``, or more than
``days_ahead`` past today) is refused with 422 and the reason ``date_out_of_range`` rather
than answered with figures of a period no record can be in (or a server error).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Final

from pydantic import BeforeValidator, StringConstraints

from shared.api.errors import ApiError

DATE_TEXT: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTH_PATTERN: Final = r"^\d{4}-(0[1-9]|1[0-2])$"


def _iso_date(value: object) -> object:
    """Only ``YYYY-MM-DD`` text (or a date already made) becomes a date."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not DATE_TEXT.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"must be a real date written YYYY-MM-DD ({exc})") from exc


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A date on the wire, ``YYYY-MM-DD`` only: no number or timestamp is taken for a date."""
IsoMonth = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]
"""A calendar month, ``YYYY-MM``."""


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The dates a service's read API answers for: ``earliest`` to ``days_ahead`` past
    ``today()``."""

    earliest: date
    days_ahead: int
    today: Callable[[], date]

    def latest(self) -> date:
        return self.today() + timedelta(days=self.days_ahead)

    def check(self, value: date | None, name: str = "as_of") -> date | None:
        """``value`` (None passes), or 422 ``date_out_of_range``."""
        if value is not None and not self.earliest <= value <= self.latest():
            raise self._refusal(name, value.isoformat())
        return value

    def month(self, text: str, name: str = "month") -> tuple[int, int]:
        """The year and month of a ``YYYY-MM`` text whose month lies in the window, or 422."""
        year, number = (int(part) for part in text.split("-"))
        first, latest = (self.earliest.year, self.earliest.month), self.latest()
        if not first <= (year, number) <= (latest.year, latest.month):
            raise self._refusal(name, text)
        return year, number

    def _refusal(self, name: str, text: str) -> ApiError:
        return ApiError(422, "date_out_of_range",
                        f"{name} {text} is outside the dates answered for: "
                        f"{self.earliest.isoformat()} to {self.latest().isoformat()} "
                        f"({self.days_ahead} days past today)")  # fmt: skip
