"""Live updates reach only the pages whose user may see the area, carry no personal data,
and a page that falls behind is told to reload rather than shown a partial picture."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from services.dashboard.live import LiveHub, decode, project
from shared.auth import Principal, Role

LEAD = Principal("t1", "lewisham.lead", Role.BOROUGH_LEAD, frozenset({"E09000023"}))
INSPECTOR = Principal("t2", "insp", Role.CLUSTER_INSPECTOR, wards=frozenset({"E05013715"}))
CENTRAL = Principal("t3", "central", Role.CENTRAL)
BOROUGH_OF = {"E05013715": "E09000023", "E05013806": "E09000033"}.get


def kpi(area: str, borough: str | None, value: float = 1) -> dict[str, object]:
    return {"type": "kpi", "area_code": area, "borough_code": borough, "kpi": 1,
            "period": "fytd", "value": value}  # fmt: skip


def test_events_are_projected_without_personal_fields() -> None:
    envelope = {"event_type": "alert.updated", "payload": {
        "alert_id": "a1", "area_code": "E05013715", "borough_code": "E09000023", "state": "firing",
        "title": "KPI 1", "fired_by": [{"event_id": "x"}], "summary": "s",
        "victim_id": "V-1"}}  # fmt: skip
    assert project(envelope) == {"type": "alert", "alert_id": "a1", "area_code": "E05013715",
                                 "borough_code": "E09000023", "state": "firing",
                                 "title": "KPI 1"}  # fmt: skip
    flex = {"event_type": "flex.exception", "payload": {"ward_code": "E05013715", "kind": "x",
                                                        "duty_ids": ["d"]}}  # fmt: skip
    assert project(flex) == {"type": "flex", "ward_code": "E05013715", "kind": "x",
                             "area_code": "E05013715"}  # fmt: skip
    assert project({"event_type": "crime.counted", "payload": {}}) is None
    assert decode(b"not json") is None
    assert decode(orjson.dumps(envelope)) == project(envelope)


async def test_each_page_gets_only_what_its_user_may_see() -> None:
    hub = LiveHub(BOROUGH_OF, queue_size=10)
    pages = {p.name: hub.subscribe(p) for p in (LEAD, INSPECTOR, CENTRAL)}
    hub.publish([kpi("E05013715", "E09000023"), kpi("E05013806", "E09000033"),
                 kpi("E09000023", "E09000023"), kpi("MPS", None)])  # fmt: skip
    got = {name: [pages[name].queue.get_nowait()["area_code"]
                  for _ in range(pages[name].queue.qsize())] for name in pages}  # fmt: skip
    assert got == {"lewisham.lead": ["E05013715", "E09000023"], "insp": ["E05013715"],
                   "central": ["E05013715", "E05013806", "E09000023", "MPS"]}  # fmt: skip


async def test_a_page_that_falls_behind_is_told_to_reload() -> None:
    hub = LiveHub(BOROUGH_OF, queue_size=3)
    page = hub.subscribe(LEAD)
    hub.publish([kpi("E05013715", "E09000023", v) for v in range(5)])
    assert [page.queue.get_nowait() for _ in range(page.queue.qsize())] == [{"type": "resync"}]
    assert hub.resyncs == 1


async def test_the_stream_is_server_sent_events_and_ends_with_the_page() -> None:
    hub = LiveHub(BOROUGH_OF, queue_size=10)
    page = hub.subscribe(LEAD)
    stream = hub.stream(page)
    assert await anext(stream) == b"retry: 2000\nevent: hello\ndata: {}\n\n"
    hub.publish([kpi("E05013715", "E09000023", 61)])
    chunk = await asyncio.wait_for(anext(stream), 1)
    assert chunk == (b'event: kpi\ndata: {"area_code":"E05013715","borough_code":"E09000023",'
                     b'"kpi":1,"period":"fytd","value":61}\n\n')  # fmt: skip
    assert hub.open_pages == 1
    await stream.aclose()
    assert hub.open_pages == 0


@pytest.mark.parametrize("area", ["E05013806", "E09000033"])
async def test_a_lead_sees_nothing_of_another_borough(area: str) -> None:
    hub = LiveHub(BOROUGH_OF, queue_size=10)
    page = hub.subscribe(LEAD)
    hub.publish([kpi(area, "E09000033")])
    assert page.queue.empty()
