"""MOPAC Public Attitude Survey borough dashboard export → survey aggregates.

Each row is one borough's figure for a quarter-end date and measure, plus the London-wide
(``MPS``) figure, which repeats on every borough row: it becomes one aggregate per date and
measure (area ``MPS``). The file does not say what period a figure covers; MOPAC publishes
rolling 12-month figures labelled by quarter end, so every aggregate says ``rolling_12m``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Final

from services.ingest.domain.intake import Origin, SurveyIntake
from services.ingest.importers.csvfile import CsvFile, count_data_lines
from services.ingest.importers.errors import ImportFormatError, RowError
from services.ingest.importers.pas_fields import PasRow, read_row
from services.ingest.importers.rejects import Item, Rejector, source_name
from shared.contracts import RejectReason, SurveyAggregateV1
from shared.contracts.survey import Survey, SurveyPeriod
from shared.reference import LondonReference, load_reference

FORMAT: Final = "pas-borough-csv"
SOURCE: Final = "import:pas-borough-csv"
COLUMNS: Final = ("Date", "Survey", "Borough", "Measure", "Proportion", "MPS")
PERIOD: Final = SurveyPeriod.ROLLING_12M
MPS: Final = "MPS"


def parse(
    path: Path, *, source: str | None = None, reference: LondonReference | None = None
) -> Iterator[Item]:
    """A borough aggregate per row and one MPS aggregate per (date, measure)."""
    rejector = Rejector(source_name(source, SOURCE), "pas")
    boroughs = reference if reference is not None else load_reference()
    london: dict[tuple[date, str], float] = {}
    with CsvFile(path, rejector) as file:
        header = file.header()
        _check_header(path, header)
        for fields in file.rows(len(header)):
            if not isinstance(fields, list):
                yield fields
                continue
            try:
                row = read_row(fields, boroughs)
            except RowError as error:
                yield rejector.from_error(error, file.line, file.original())
                continue
            yield _aggregate(row.borough_code, row, row.proportion, rejector.source, file.line)
            yield from _london(row, london, rejector, file)


def count_rows(path: Path) -> int:
    return count_data_lines(path)


def _london(
    row: PasRow, seen: dict[tuple[date, str], float], rejector: Rejector, file: CsvFile
) -> Iterator[Item]:
    key = (row.period_end, row.measure)
    earlier = seen.get(key)
    if earlier is None:
        seen[key] = row.mps
        yield _aggregate(MPS, row, row.mps, rejector.source, file.line)
    elif earlier != row.mps:
        text = f"is {row.mps:g}, but an earlier row gave {earlier:g} for this date and measure"
        yield rejector.reject(
            file.line, RejectReason.SCHEMA_VIOLATION, MPS, text, file.original(),
            _event_id(MPS, row),
        )  # fmt: skip


def _aggregate(area: str, row: PasRow, proportion: float, source: str, line: int) -> SurveyIntake:
    aggregate = SurveyAggregateV1(
        survey=Survey.PAS, area_code=area, measure=row.measure, period_end=row.period_end,
        period=PERIOD, n=None, proportion=proportion,
    )  # fmt: skip
    return SurveyIntake(Origin(_event_id(area, row), 1, source, None, line), aggregate)


def _event_id(area: str, row: PasRow) -> str:
    return f"pas:{area}:{row.period_end.isoformat()}:{row.measure}"


def _check_header(path: Path, header: list[str]) -> None:
    if tuple(header[: len(COLUMNS)]) != COLUMNS or any(header[len(COLUMNS) :]):
        raise ImportFormatError.columns(path, FORMAT, [*COLUMNS, "(empty columns)"], header)
