"""How far a load has got: rows through ingest, and events kpi and flex have applied.

The services say what they have consumed on their ``/metrics`` (``snt_kpi_events_total``,
``snt_flex_events_total``, by outcome, counted since the process started): the load waits
until each has consumed as many events as it stored for it, or until one has made no
progress for a while (a restarted service counts from zero again).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx
from prometheus_client.parser import text_string_to_metric_families

from snt.config import StackSettings

Note = Callable[[str], None]
EVERY_S = 5.0
STALL_S = 120.0


class Progress:
    """Counts done of a total, noted at most every ``EVERY_S`` seconds and once at the end."""

    def __init__(
        self,
        note: Note,
        what: str,
        total: int,
        unit: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.note, self.what, self.total, self.unit = note, what, total, unit
        self.clock = clock
        self.done, self.shown = 0, clock()

    def add(self, n: int) -> None:
        self.done += n
        if self.clock() - self.shown >= EVERY_S:
            self.show()

    def show(self) -> None:
        self.shown = self.clock()
        share = f"{min(self.done / self.total, 1):.0%} " if self.total else ""
        self.note(f"{self.what}: {share}({self.done:,} / {self.total:,} {self.unit})")


def consumed(url: str, service: str) -> int | None:
    """Events the service has consumed since it started (any outcome); None if it does
    not answer."""
    try:
        text = httpx.get(f"{url}/metrics", timeout=5.0).text
    except httpx.HTTPError:
        return None
    name = f"snt_{service}_events"
    return sum(
        int(sample.value)
        for family in text_string_to_metric_families(text)
        if family.name == name
        for sample in family.samples
        if sample.name == f"{name}_total"
    )


def catch_up(
    settings: StackSettings,
    expected: Mapping[str, int],
    note: Note,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Wait until every service in ``expected`` has consumed that many events."""
    urls = {s: f"http://127.0.0.1:{settings.port_of(s)}" for s, n in expected.items() if n}
    seen = dict.fromkeys(urls, -1)
    moved = time.monotonic()
    while urls:
        for service, url in list(urls.items()):
            found = consumed(url, service) or 0
            if found > seen[service]:
                seen[service], moved = found, time.monotonic()
            if found >= expected[service]:
                note(f"{service} applied {expected[service]:,} / {expected[service]:,} events")
                del urls[service]
        if urls and time.monotonic() - moved > STALL_S:
            names = ", ".join(urls)
            note(f"{names}: no progress for {STALL_S:.0f} s; not waiting (see the logs)")
            return
        if urls:
            note("; ".join(f"{s} applied {max(seen[s], 0):,} / {expected[s]:,}" for s in urls))
            sleep(EVERY_S)
