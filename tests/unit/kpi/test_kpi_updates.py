"""KPI updates: coalesced per flush, published only when a figure changed, contract-valid,
with ids derived from the content, and never lost when sending fails."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime

import orjson
import pytest

from services.kpi.board import Board
from services.kpi.domain.state import Unit
from services.kpi.domain.targets import Target, Targets
from services.kpi.fold import Folder
from services.kpi.updates import UpdatePublisher, Versions
from shared.contracts import KpiUpdated, parse_event
from tests.unit.kpi.conftest import BOROUGH, WARD, MakeFolder, counted, record

TARGETS = Targets("2026.1", {"violence": Target(1, "violence", -0.02),
                             "property": Target(4, "property", -0.01),
                             "asb": Target(5, "asb", None)})  # fmt: skip
VERSIONS = Versions("kpi-groups-1", "ref1-test", lambda unit: "2022")


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[bytes, bytes]] = []
        self.fail_next = False

    async def send(self, messages: Sequence[tuple[bytes, bytes]]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("broker unavailable")
        self.sent.extend(messages)


class Held:
    def __init__(self) -> None:
        self.figures: dict[tuple[str, str], bytes] = {}

    async def put(self, figures: Sequence[tuple[str, str, bytes]]) -> None:
        self.figures.update({(area, field): body for area, field, body in figures})


def publisher(folder: Folder, outbox: Outbox, held: Held | None = None) -> UpdatePublisher:
    return UpdatePublisher(
        folder, Board(folder, TARGETS), TARGETS, VERSIONS, outbox.send, held,
        periods=("fytd",), interval_s=60, today=lambda: date(2025, 3, 31),
        now=lambda: datetime(2025, 3, 31, 12, tzinfo=UTC),
    )  # fmt: skip


def fold(folder: Folder, pub: UpdatePublisher, *names: str) -> int:
    """Fold one event per name; returns the offset of the last record."""
    records = [record(counted(n)) for n in names]
    pub.touched(folder.fold(records).touched)
    return records[-1].offset


def events(outbox: Outbox) -> list[KpiUpdated]:
    parsed = [parse_event(value) for _, value in outbox.sent]
    assert all(isinstance(e, KpiUpdated) for e in parsed)
    return parsed  # type: ignore[return-value]


def test_a_flush_publishes_every_figure_of_the_touched_ward_and_its_roll_ups(
    make_folder: MakeFolder,
) -> None:
    folder, outbox, held = make_folder(), Outbox(), Held()
    pub = publisher(folder, outbox, held)
    last = fold(folder, pub, "a", "b", "c")
    assert asyncio.run(pub.flush()) == 9  # ward, borough, MPS x 3 KPI groups x FYTD
    found = events(outbox)
    assert {(e.payload.area_code, e.payload.kpi) for e in found} == {
        (code, kpi) for code in (WARD, BOROUGH, "MPS") for kpi in (1, 4, 5)
    }
    assert [key for key, _ in outbox.sent][:3] == [WARD.encode()] * 3  # keyed by area
    violence = next(e.payload for e in found if e.payload.area_code == WARD and e.payload.kpi == 1)
    assert (violence.value, violence.last_year, violence.period_end) == (3, 0, date(2024, 5, 1))
    assert violence.target_ratio == 0.98
    assert violence.rank_in_borough == 1
    assert violence.rank_in_mps == 1
    assert violence.provenance.events_counted == 3
    assert violence.provenance.target_config_version == "2026.1"
    assert [(o.topic, o.partition, o.offset) for o in violence.provenance.last_offsets] == [
        ("snt.crime.v1", 0, last)
    ]
    assert (WARD, "violence:fytd") in held.figures
    assert orjson.loads(held.figures[(WARD, "violence:fytd")])["payload"]["value"] == 3


def test_nothing_is_published_again_until_a_figure_changes(make_folder: MakeFolder) -> None:
    folder, outbox = make_folder(), Outbox()
    pub = publisher(folder, outbox)
    fold(folder, pub, "a")
    asyncio.run(pub.flush())
    assert asyncio.run(pub.flush()) == 0
    pub.touched([Unit("ward", WARD, BOROUGH)])  # touched, but no figure changed
    assert asyncio.run(pub.flush()) == 0
    outbox.sent.clear()
    fold(folder, pub, "b")
    assert asyncio.run(pub.flush()) == 3  # violence of the ward, the borough and the MPS
    assert {e.payload.kpi for e in events(outbox)} == {1}


def test_a_failed_send_keeps_the_units_for_the_next_flush(make_folder: MakeFolder) -> None:
    folder, outbox = make_folder(), Outbox()
    pub = publisher(folder, outbox)
    fold(folder, pub, "a")
    outbox.fail_next = True
    with pytest.raises(ConnectionError):
        asyncio.run(pub.flush())
    assert outbox.sent == []
    assert asyncio.run(pub.flush()) == 9


def test_the_same_figure_has_the_same_event_id_after_a_restart(make_folder: MakeFolder) -> None:
    folder, first = make_folder(), Outbox()
    pub = publisher(folder, first)
    fold(folder, pub, "a", "b")
    asyncio.run(pub.flush())
    restarted, again = make_folder(), Outbox()
    pub2 = publisher(restarted, again)
    pub2.touch_all()
    asyncio.run(pub2.flush())
    assert sorted(e.event_id for e in events(first)) == sorted(e.event_id for e in events(again))


def test_only_the_kpi_group_that_changed_is_recomputed_and_published(
    make_folder: MakeFolder,
) -> None:
    folder, outbox = make_folder(), Outbox()
    pub = publisher(folder, outbox)
    result = folder.fold([record(counted("asb-1", asb=True, group="asb"))])
    assert {g for _, g in result.touched_groups} == {"asb"}
    pub.touched(result.touched_groups)
    assert asyncio.run(pub.flush()) == 3  # ward, borough, MPS x KPI 5 only
    assert {e.payload.kpi for e in events(outbox)} == {5}


def test_fytd_figures_go_out_first_and_a_failed_second_phase_resends_only_the_rest(
    make_folder: MakeFolder,
) -> None:
    folder, outbox = make_folder(), Outbox()
    pub = UpdatePublisher(
        folder, Board(folder, TARGETS), TARGETS, VERSIONS, outbox.send, None,
        periods=("month", "fytd"), interval_s=60, today=lambda: date(2025, 3, 31),
        now=lambda: datetime(2025, 3, 31, 12, tzinfo=UTC),
    )  # fmt: skip
    pub.touched(folder.fold([record(counted("p1", at="2025-03-10T10:00:00+00:00"))]).touched_groups)
    assert asyncio.run(pub.flush()) == 6  # ward, borough, MPS x violence x 2 periods
    assert [e.payload.period for e in events(outbox)] == ["fytd"] * 3 + ["month"] * 3
    outbox.sent.clear()
    pub.touched(folder.fold([record(counted("p2", at="2025-03-11T10:00:00+00:00"))]).touched_groups)

    async def fail_second(messages: Sequence[tuple[bytes, bytes]]) -> None:
        if any(b'"period":"month"' in v for _, v in messages):
            raise ConnectionError("broker unavailable")
        outbox.sent.extend(messages)

    pub._send = fail_second  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        asyncio.run(pub.flush())
    pub._send = outbox.send  # type: ignore[method-assign]
    assert asyncio.run(pub.flush()) == 3  # only the month figures are left to send
    assert [e.payload.period for e in events(outbox)] == ["fytd"] * 3 + ["month"] * 3


def test_a_ward_touched_during_a_long_flush_has_its_fytd_figure_sent_before_the_rest(
    make_folder: MakeFolder,
) -> None:
    folder, outbox = make_folder(), Outbox()
    wards = [f"E0501{3800 + i}" for i in range(12)]  # Westminster's 2022 wards
    pub = UpdatePublisher(
        folder, Board(folder, TARGETS), TARGETS, VERSIONS, outbox.send, None,
        periods=("fytd", "month"), interval_s=60, today=lambda: date(2025, 3, 31),
        now=lambda: datetime(2025, 3, 31, 12, tzinfo=UTC),
    )  # fmt: skip
    batch = [record(counted(f"w{i}", ward=w, at="2025-03-10T10:00:00+00:00"))
             for i, w in enumerate(wards[:-1])]  # fmt: skip
    pub.touched(folder.fold(batch).touched_groups)
    late = wards[-1]
    sends: list[list[tuple[str, str]]] = []

    async def send(messages: Sequence[tuple[bytes, bytes]]) -> None:
        sent = [parse_event(v).payload for _, v in messages]  # type: ignore[attr-defined]
        sends.append([(p.area_code, p.period) for p in sent])
        if len(sends) == 2:  # an event arrives while the other periods are being sent
            event = record(counted("late", ward=late, at="2025-03-10T10:00:00+00:00"))
            pub.touched(folder.fold([event]).touched_groups)

    pub._send = send  # type: ignore[method-assign]
    published = asyncio.run(pub.flush())
    assert sends[0] == [(w, "fytd") for w in wards[:-1]] + [
        ("E09000033", "fytd"), ("MPS", "fytd")]  # fmt: skip
    assert all(period == "month" for _, period in sends[1])
    # the late ward's FYTD figure (and its borough's and the MPS's) go next, before the
    # remaining month figures
    assert sends[2] == [(late, "fytd"), ("E09000033", "fytd"), ("MPS", "fytd")]
    months = [a for s in sends[3:] for a, period in s if period == "month"]
    assert set(months) | {a for a, _ in sends[1]} == {*wards, "E09000033", "MPS"}
    assert published == sum(len(s) for s in sends)
