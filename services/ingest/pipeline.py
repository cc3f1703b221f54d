"""The ingest pipeline: one unit of work per batch of intakes — de-duplicate, decide, store
the new states and the events to publish (the outbox) in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, NamedTuple

from services.ingest.domain.canonical import OutEvent, cell_counted, record_counted
from services.ingest.domain.cells import cell_change
from services.ingest.domain.deadletter import Original, dead_letter_event, parked_original, redact
from services.ingest.domain.intake import (
    AmendmentIntake,
    CountIntake,
    CrimeIntake,
    DutyIntake,
    IncidentIntake,
    Intake,
    ResponseIntake,
    RowRejection,
    SurveyIntake,
)
from services.ingest.domain.process import (
    Context,
    amended_state,
    crime_state,
    duty_event,
    incident_state,
    published_cell,
    response_event,
    survey_event,
)
from services.ingest.domain.records import RecordState, apply_version
from services.ingest.domain.rejection import RejectionError
from services.ingest.domain.releases import ReleaseScope
from services.ingest.store.base import CellValue, IngestStore, IngestUnit, Key
from shared.contracts import FieldProblem, RejectReason

Status = Literal["accepted", "duplicate", "superseded", "parked", "unchanged", "rejected", "held"]
CellKind = Literal["new", "revised", "retracted", "held"]


class CellEffect(NamedTuple):
    """What a published cell did: its kind of change, its KPI group, and its delta (for a
    held cell, its published value, which is not applied). A named tuple: one per cell."""

    kind: CellKind
    group: str
    delta: int


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    event_id: str | None
    event_type: str
    published: tuple[str, ...] = ()
    reason: RejectReason | None = None
    problems: tuple[FieldProblem, ...] = ()
    settled: tuple[Outcome, ...] = ()
    """Parked amendments this input settled (its crime arrived): applied or rejected."""
    effect: CellEffect | None = None
    """For a published cell that changed or was held."""


@dataclass
class Submission:
    """An intake (or a row already rejected) with what is needed for a dead letter."""

    item: Intake | RowRejection
    event_type: str
    original: Original = ""
    source_position: dict[str, Any] | None = None
    digest: str | None = None
    """Digest of a live event's content: the same id and version with another is a conflict."""


@dataclass
class _Batch:
    unit: IngestUnit
    ctx: Context
    scope: ReleaseScope | None = None
    retracting: bool = False
    events: list[OutEvent] = field(default_factory=list)


class Pipeline:
    def __init__(
        self, *, store: IngestStore, context: Callable[[], Context],
        observe: Callable[[Outcome], None] = lambda _o: None,
    ) -> None:  # fmt: skip
        self._store = store
        self._context = context
        self._observe = observe

    @property
    def store(self) -> IngestStore:
        return self._store

    def now(self) -> datetime:
        """The time as the pipeline's context sees it (injected in tests)."""
        return self._context().now

    def submit(
        self, submissions: Sequence[Submission], scope: ReleaseScope | None = None
    ) -> list[Outcome]:
        """Process a batch in one transaction; every submission gets an outcome. Published
        cells of a release are taken in within its ``scope``."""
        ctx = self._context()
        with self._store.unit() as unit:
            unit.prefetch([s.item for s in submissions])
            batch = _Batch(unit, ctx, scope)
            outcomes = [self._one(batch, s) for s in submissions]
            unit.append(batch.events, ctx.now)
        self._report(outcomes)
        return outcomes

    def retract(self, scope: ReleaseScope, cell_ids: Sequence[str]) -> list[Outcome]:
        """Bring stored cells the release no longer has to zero, in one transaction."""
        ctx = self._context()
        with self._store.unit() as unit:
            zeros = [replace(s.intake, count=0) for s in unit.stored_cells(cell_ids).values()]
            unit.prefetch(zeros)
            batch = _Batch(unit, ctx, scope, retracting=True)
            outcomes = [self._one(batch, Submission(z, _count_type(z))) for z in zeros]
            unit.append(batch.events, ctx.now)
        self._report(outcomes)
        return outcomes

    def _report(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self._observe(outcome)
            for settled in outcome.settled:
                self._observe(settled)

    def _one(self, batch: _Batch, sub: Submission) -> Outcome:
        item = sub.item
        if isinstance(item, RowRejection):
            return self._reject(batch, sub, item.reason, item.problems)
        if isinstance(item, CountIntake):
            return self._guarded(batch, sub, item)
        key = (item.origin.event_id, item.origin.version)
        if key in batch.unit.seen([key]):
            return self._again(batch, sub, key)
        outcome = self._guarded(batch, sub, item)
        batch.unit.remember(key, outcome.status)
        if sub.digest is not None:
            batch.unit.remember_digest(key, sub.digest)
        return outcome

    def _again(self, batch: _Batch, sub: Submission, key: Key) -> Outcome:
        """A duplicate, or a conflict when the content differs from what was received."""
        kept = batch.unit.digest(key) if sub.digest is not None else None
        if kept is None or kept == sub.digest:
            return Outcome("duplicate", key[0], sub.event_type)
        return self._reject(batch, sub, RejectReason.CONFLICTING_DUPLICATE, (FieldProblem(
            field="version", problem=f"version {key[1]} of this event_id was received with other "
            "content; send a changed record as a new version"),))  # fmt: skip

    def _guarded(self, batch: _Batch, sub: Submission, item: Intake) -> Outcome:
        try:
            return self._decide(batch, item, sub.event_type)
        except RejectionError as exc:
            return self._reject(batch, sub, exc.reason, exc.problems)

    def _reject(
        self, batch: _Batch, sub: Submission, reason: RejectReason,
        problems: tuple[FieldProblem, ...],
    ) -> Outcome:  # fmt: skip
        origin = getattr(sub.item, "origin", None)
        event_id = origin.event_id if origin and origin.event_id else None
        original = redact(sub.original, batch.ctx.pseudonymise)
        batch.events.append(dead_letter_event(
            origin, sub.event_type, reason, problems, original, sub.source_position,
            batch.ctx.now, uuid.uuid4().hex,
        ))  # fmt: skip
        return Outcome("rejected", event_id, sub.event_type, (), reason, problems)

    def _decide(self, batch: _Batch, item: Intake, event_type: str) -> Outcome:
        if isinstance(item, CrimeIntake):
            return self._record(batch, crime_state(item, batch.ctx), item.origin.event_id,
                                event_type)  # fmt: skip
        if isinstance(item, IncidentIntake):
            return self._record(batch, incident_state(item, batch.ctx), item.origin.event_id,
                                event_type)  # fmt: skip
        if isinstance(item, AmendmentIntake):
            return self._amend(batch, item, event_type)
        if isinstance(item, CountIntake):
            return self._cell(batch, item, event_type)
        return self._single(batch, item, event_type)

    def _record(self, batch: _Batch, new: RecordState, cause: str, event_type: str) -> Outcome:
        prev = batch.unit.records(new.kind, [new.record_id]).get(new.record_id)
        if prev is not None and prev.version >= new.version:
            return Outcome("superseded", cause, event_type)
        published = self._save(batch, prev, new, cause)
        settled = self._apply_parked(batch, new.record_id) if new.kind == "crime" else []
        return Outcome("accepted", cause, event_type, tuple(published), settled=tuple(settled))

    def _save(
        self, batch: _Batch, prev: RecordState | None, new: RecordState, cause: str
    ) -> list[str]:
        batch.unit.save_record(new)
        version = batch.ctx.resolver.reference_version
        events = [record_counted(m, version, cause) for m in apply_version(prev, new)]
        batch.events.extend(events)
        return [e.event_id for e in events]

    def _amend(self, batch: _Batch, item: AmendmentIntake, event_type: str) -> Outcome:
        prev = batch.unit.records("crime", [item.crime_id]).get(item.crime_id)
        if prev is None:
            batch.unit.park(item)
            return Outcome("parked", item.origin.event_id, event_type, (), None, (
                FieldProblem(field="payload.crime_id",
                             problem="no such crime yet; parked until it arrives"),
            ))  # fmt: skip
        new = amended_state(prev, item, batch.ctx)
        published = self._save(batch, prev, new, item.origin.event_id)
        return Outcome("accepted", item.origin.event_id, event_type, tuple(published))

    def _apply_parked(self, batch: _Batch, crime_id: str) -> list[Outcome]:
        """Apply the amendments parked for ``crime_id``; one rejected now is dead-lettered."""
        settled: list[Outcome] = []
        for amendment in batch.unit.take_parked(crime_id):
            prev = batch.unit.records("crime", [crime_id])[crime_id]
            sub = Submission(amendment, "crime.amended", parked_original(amendment))
            try:
                new = amended_state(prev, amendment, batch.ctx)
            except RejectionError as exc:
                settled.append(self._reject(batch, sub, exc.reason, exc.problems))
                continue
            published = self._save(batch, prev, new, amendment.origin.event_id)
            settled.append(Outcome("accepted", amendment.origin.event_id, sub.event_type,
                                   tuple(published)))  # fmt: skip
        return settled

    def _cell(self, batch: _Batch, item: CountIntake, event_type: str) -> Outcome:
        scope, cell_id = batch.scope, item.origin.event_id
        if scope is not None and item.month not in scope.months:
            return Outcome("superseded", cell_id, event_type)  # a newer release governs it
        stored = batch.unit.cell(cell_id)
        if (stored is None or stored.value == 0) and item.count == 0:
            return Outcome("unchanged", cell_id, event_type)
        cell = published_cell(item, batch.ctx)
        if scope is not None and scope.hold:
            batch.unit.hold_cell(scope.release_id, item)
            return Outcome("held", cell_id, event_type,
                           effect=CellEffect("held", cell.what.group, item.count))  # fmt: skip
        change = cell_change(stored.value if stored else None, stored.revision if stored else 0,
                             item.count)  # fmt: skip
        if change is None:
            return Outcome("unchanged", cell_id, event_type)
        batch.unit.save_cell(item, CellValue(item.count, change.revision))
        event = cell_counted(cell, change, batch.ctx.resolver.reference_version)
        batch.events.append(event)
        kind: CellKind = "retracted" if batch.retracting else (
            "new" if stored is None else "revised")  # fmt: skip
        effect = CellEffect(kind, cell.what.group, change.delta)
        return Outcome("accepted", cell_id, event_type, (event.event_id,), effect=effect)

    def _single(
        self, batch: _Batch, item: SurveyIntake | DutyIntake | ResponseIntake, event_type: str
    ) -> Outcome:
        if isinstance(item, SurveyIntake):
            event = survey_event(item, batch.ctx)
        elif isinstance(item, DutyIntake):
            event = duty_event(item, batch.ctx)
        else:
            event = response_event(item, batch.ctx)
        batch.events.append(event)
        return Outcome("accepted", item.origin.event_id, event_type, (event.event_id,))


def _count_type(item: CountIntake) -> str:
    return "cad.counted" if item.category.major == "Anti-social behaviour" else "crime.counted"


def now_context_factory(
    make: Callable[[datetime], Context], clock: Callable[[], datetime]
) -> Callable[[], Context]:
    return lambda: make(clock())
