"""The London date of an event's time: looked up by its hour, equal to the exact conversion
for every time, offset and form — around the clock changes too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from services.kpi.codec import london_day
from services.kpi.domain.days import LONDON, day_index, month_index

OFFSETS = [timedelta(hours=h) for h in (-5, -1, 0, 1, 2, 14)] + [timedelta(hours=5, minutes=30)]


def exact(at: datetime) -> tuple[int, int]:
    local = at.astimezone(LONDON).date()
    return day_index(local), month_index(local)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(moment=st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2027, 12, 31)),
       offset=st.sampled_from(OFFSETS), micros=st.booleans(), zulu=st.booleans())  # fmt: skip
def test_the_hour_lookup_equals_the_exact_date(moment: datetime, offset: timedelta,
                                               micros: bool, zulu: bool) -> None:  # fmt: skip
    at = moment.replace(tzinfo=UTC).astimezone(timezone(offset))
    if not micros:
        at = at.replace(microsecond=0)
    text = at.isoformat()
    if zulu and offset == timedelta(0):
        text = text.replace("+00:00", "Z")
    assert london_day(text) == exact(at)


def test_the_minutes_around_the_clock_changes_and_midnight() -> None:
    # 2025-03-30 01:00 UTC clocks go forward; 2025-10-26 01:00 UTC they go back
    for start in (datetime(2025, 3, 29, 22, tzinfo=UTC), datetime(2025, 10, 25, 22, tzinfo=UTC),
                  datetime(2025, 6, 30, 22, tzinfo=UTC)):  # fmt: skip
        for minute in range(0, 6 * 60, 7):
            at = start + timedelta(minutes=minute, seconds=59)
            for offset in OFFSETS:
                shown = at.astimezone(timezone(offset))
                assert london_day(shown.isoformat()) == exact(at), shown.isoformat()


def test_a_midsummer_time_just_before_midnight_utc_is_the_next_london_day() -> None:
    assert london_day("2025-06-30T23:30:00+00:00") == exact(datetime(2025, 7, 1, 0, 30,
                                                                     tzinfo=LONDON))  # fmt: skip
    assert london_day("2025-06-30T23:30:00Z")[0] == day_index(date(2025, 7, 1))
    assert london_day("2025-12-31T23:30:00+00:00")[0] == day_index(date(2025, 12, 31))
