"""Bad input: a wrong header raises; every bad row or cell is a specific RowRejection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.ingest.domain.intake import CountIntake, CrimeIntake, IncidentIntake, RowRejection
from services.ingest.importers import (
    FORMATS,
    ImportFormatError,
    mps_borough_csv,
    mps_ward_csv,
    pas_borough_csv,
    police_uk_csv,
)
from services.ingest.importers.rejects import Item
from shared.contracts import RejectReason
from shared.reference import LondonReference

Write = Callable[[str, str | bytes], Path]

STREET = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context\n")  # fmt: skip
MET = "Metropolitan Police Service"
CRIME = (
    "{id},2023-01," + MET + "," + MET + ",-0.1,51.5,On or near X,E01000001,"
    "City of London 001A,Burglary,,\n"
)
ASB = CRIME.format(id="").replace("Burglary", "Anti-social behaviour")
WARD = "MajorText,MinorText,WardName,WardCode,LookUp_BoroughName,202403,202404,202405\r\n"
WARD_ROW = "BURGLARY,RES BURGLARY OF A HOME,Abbey,E05014053,Barking and Dagenham,{cells}\r\n"
PAS = "Date,Survey,Borough,Measure,Proportion,MPS,,,,\n"
PAS_ROW = '{date},PAS,{borough},{measure},"0,56","{mps}",,,,\n'


def rejections(items: list[Item]) -> list[RowRejection]:
    return [item for item in items if isinstance(item, RowRejection)]


def only_rejection(items: list[Item]) -> RowRejection:
    [rejection] = rejections(items)
    return rejection


def where(rejection: RowRejection) -> tuple[RejectReason, str, int | None]:
    [problem] = rejection.problems
    return rejection.reason, problem.field, rejection.origin.line


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [("police-uk-csv", "Crime ID,Month\n", "'Crime type'"),
     ("mps-ward-csv", "MajorText,MinorText,BoroughName,202401\n", "'WardCode'"),
     ("mps-borough-csv", WARD, "'BoroughName'"),
     ("pas-borough-csv", "Date,Survey,Borough,Measure,Value\n", "'Proportion'")],
)  # fmt: skip
def test_a_wrong_header_raises_naming_expected_and_found(
    write: Write, fmt: str, content: str, expected: str
) -> None:
    path = write("wrong.csv", content)
    with pytest.raises(ImportFormatError, match="expected columns") as raised:
        list(FORMATS[fmt].parse(path))
    found = content.split(",")[1]
    assert expected in str(raised.value)
    assert f"'{found.strip()}'" in str(raised.value)
    assert "wrong.csv" in str(raised.value)


def test_month_columns_must_be_months(write: Write) -> None:
    path = write("w.csv", WARD.replace("202405", "Total"))
    with pytest.raises(ImportFormatError, match="YYYYMM"):
        list(mps_ward_csv.parse(path))


@pytest.mark.parametrize("content", ["", "\ufeff"])
def test_an_empty_file_raises(write: Write, content: str) -> None:
    with pytest.raises(ImportFormatError, match=r"empty|expected columns"):
        list(police_uk_csv.parse(write("empty.csv", content)))


def test_a_non_integer_cell_is_rejected_and_the_rest_of_the_row_counts(write: Write) -> None:
    items = list(mps_ward_csv.parse(write("w.csv", WARD + WARD_ROW.format(cells="1,x2,3"))))
    rejection = only_rejection(items)
    assert where(rejection) == (RejectReason.SCHEMA_VIOLATION, "202404", 1)
    assert "whole number" in rejection.problems[0].problem
    assert rejection.origin.event_id.startswith("mps-ward:E05014053:barking-and-dagenham:202404:")
    assert rejection.original == WARD_ROW.format(cells="1,x2,3").rstrip()
    assert [i.count for i in items if isinstance(i, CountIntake)] == [1, 3]


@pytest.mark.parametrize(("cell", "text"), [("-4", "negative"), ("", "empty"), ("2.5", "whole")])
def test_negative_empty_and_decimal_cells_are_rejected(write: Write, cell: str, text: str) -> None:
    items = list(mps_ward_csv.parse(write("w.csv", WARD + WARD_ROW.format(cells=f"0,{cell},7"))))
    rejection = only_rejection(items)
    assert where(rejection) == (RejectReason.SCHEMA_VIOLATION, "202404", 1)
    assert text in rejection.problems[0].problem


def test_zero_cells_only_with_include_zero(write: Write) -> None:
    path = write("w.csv", WARD + WARD_ROW.format(cells="0,2,0"))
    assert [i.count for i in mps_ward_csv.parse(path) if isinstance(i, CountIntake)] == [2]
    everything = list(mps_ward_csv.parse(path, include_zero=True))
    assert [i.count for i in everything if isinstance(i, CountIntake)] == [0, 2, 0]


def test_a_bad_ward_code_or_empty_category_rejects_the_row(write: Write) -> None:
    bad_code = WARD_ROW.format(cells="1,2,3").replace("E05014053", "Abbey")
    no_minor = WARD_ROW.format(cells="1,2,3").replace("RES BURGLARY OF A HOME", "")
    items = list(mps_ward_csv.parse(write("w.csv", WARD + bad_code + no_minor)))
    assert [where(r) for r in rejections(items)] == [
        (RejectReason.SCHEMA_VIOLATION, "WardCode", 1),
        (RejectReason.SCHEMA_VIOLATION, "MinorText", 2),
    ]
    assert len(items) == 2


def test_a_truncated_row_is_rejected(write: Write) -> None:
    truncated = CRIME.format(id="a" * 64)[:138] + "\n"
    items = list(police_uk_csv.parse(write("s.csv", STREET + truncated + CRIME.format(id="b"))))
    rejection = rejections(items)[0]
    assert where(rejection) == (RejectReason.SCHEMA_VIOLATION, "(row)", 1)
    assert rejection.problems[0].problem == "has 6 fields, expected 12"
    assert rejection.original == truncated.rstrip()
    assert isinstance(items[1], CrimeIntake)


def test_a_line_that_is_not_utf8_rejects_only_its_row(write: Write) -> None:
    bad = CRIME.format(id="a").encode().replace(b"On or near X", b"On or near \xff")
    content = STREET.encode() + bad + CRIME.format(id="b").encode()
    items = list(police_uk_csv.parse(write("s.csv", content)))
    assert where(only_rejection(items)) == (RejectReason.BAD_ENCODING, "(row)", 1)
    assert "\ufffd" in only_rejection(items).original
    assert isinstance(items[1], CrimeIntake)
    assert items[1].origin.line == 2


def test_a_byte_order_mark_is_ignored(write: Write) -> None:
    items = list(police_uk_csv.parse(write("s.csv", "\ufeff" + STREET + CRIME.format(id="c"))))
    assert isinstance(items[0], CrimeIntake)


@pytest.mark.parametrize(
    ("row", "field"),
    [(CRIME.format(id="a").replace("2023-01", "2023-13"), "Month"),
     (CRIME.format(id="a").replace("2023-01", "Jan 2023"), "Month"),
     (CRIME.format(id=""), "Crime ID"),
     (CRIME.format(id="a b"), "Crime ID"),
     (CRIME.format(id="a").replace("-0.1,51.5", "-0.1,"), "Latitude"),
     (CRIME.format(id="a").replace("-0.1,51.5", "east,51.5"), "Longitude"),
     (CRIME.format(id="a").replace("-0.1,51.5", "-0.1,95"), "Latitude"),
     (CRIME.format(id="a").replace("Burglary", ""), "Crime type")],
)  # fmt: skip
def test_bad_street_fields_are_named(write: Write, row: str, field: str) -> None:
    items = list(police_uk_csv.parse(write("s.csv", STREET + row)))
    assert where(only_rejection(items)) == (RejectReason.SCHEMA_VIOLATION, field, 1)


def test_identical_asb_rows_stay_distinct_and_stable(write: Write) -> None:
    path = write("s.csv", STREET + ASB + ASB + CRIME.format(id="d") + ASB)
    first = [i.origin.event_id for i in police_uk_csv.parse(path)]
    second = [i.origin.event_id for i in police_uk_csv.parse(path)]
    assert first == second
    assert len(set(first)) == 4
    alone = write("t.csv", STREET + ASB)
    assert [i.origin.event_id for i in police_uk_csv.parse(alone)] == first[:1]


def test_a_repeated_crime_id_gets_a_numbered_id(write: Write) -> None:
    path = write("s.csv", STREET + CRIME.format(id="e") * 3)
    crimes = [i for i in police_uk_csv.parse(path) if isinstance(i, CrimeIntake)]
    assert [c.crime_id for c in crimes] == ["e", "e:2", "e:3"]
    assert [c.origin.event_id for c in crimes] == ["police-uk:e", "police-uk:e:2", "police-uk:e:3"]


def test_blank_lines_are_skipped(write: Write) -> None:
    items = list(police_uk_csv.parse(write("s.csv", STREET + "\n" + ASB + "\n")))
    assert len(items) == 1
    assert isinstance(items[0], IncidentIntake)
    assert items[0].origin.line == 2


def test_the_original_is_truncated(write: Write) -> None:
    row = CRIME.format(id="a").replace("On or near X", "x" * 5000)
    items = list(police_uk_csv.parse(write("s.csv", STREET + row.replace("2023-01", "2023"))))
    assert len(only_rejection(items).original) == 2000


@pytest.mark.parametrize(
    ("row", "reason", "field"),
    [(PAS_ROW.format(date="31/13/2015", borough="Barnet", measure="Trust MPS", mps="0,6"),
      RejectReason.SCHEMA_VIOLATION, "Date"),
     (PAS_ROW.format(date="2015-03-31", borough="Barnet", measure="Trust MPS", mps="0,6"),
      RejectReason.SCHEMA_VIOLATION, "Date"),
     (PAS_ROW.format(date="31/3/2015", borough="Barnet", measure="Feel safe", mps="0,6"),
      RejectReason.UNKNOWN_CATEGORY, "Measure"),
     (PAS_ROW.format(date="31/3/2015", borough="Gotham", measure="Trust MPS", mps="0,6"),
      RejectReason.UNRESOLVABLE_LOCATION, "Borough"),
     (PAS_ROW.format(date="31/3/2015", borough="Barnet", measure="Trust MPS", mps="1,2"),
      RejectReason.SCHEMA_VIOLATION, "MPS"),
     (PAS_ROW.format(date="31/3/2015", borough="Barnet", measure="Trust MPS", mps="n/a"),
      RejectReason.SCHEMA_VIOLATION, "MPS"),
     (PAS_ROW.format(date="31/3/2015", borough="Barnet", measure="Trust MPS", mps="0,6")
      .replace(",PAS,", ",USS,"), RejectReason.SCHEMA_VIOLATION, "Survey"),
     (PAS_ROW.format(date="31/3/2015", borough="", measure="Trust MPS", mps="0,6"),
      RejectReason.SCHEMA_VIOLATION, "Borough"),
     ('31/3/2015,PAS,Barnet,"0,5"\n', RejectReason.SCHEMA_VIOLATION, "(row)")],
)  # fmt: skip
def test_bad_pas_rows_are_rejected_with_a_specific_reason(
    write: Write, reference: LondonReference, row: str, reason: RejectReason, field: str
) -> None:
    items = list(pas_borough_csv.parse(write("p.csv", PAS + row), reference=reference))
    assert where(only_rejection(items)) == (reason, field, 1)
    assert len(items) == 1


def test_pas_mps_values_that_disagree_reject_the_later_row(
    write: Write, reference: LondonReference
) -> None:
    rows = [PAS_ROW.format(date="31/3/2015", borough=b, measure="Trust MPS", mps=m)
            for b, m in (("Barnet", "0,6"), ("Bexley", "0,6"), ("Brent", "0,7"))]  # fmt: skip
    items = list(pas_borough_csv.parse(write("p.csv", PAS + "".join(rows)), reference=reference))
    assert [type(i).__name__ for i in items] == [*["SurveyIntake"] * 4, "RowRejection"]
    rejection = only_rejection(items)
    assert where(rejection) == (RejectReason.SCHEMA_VIOLATION, "MPS", 3)
    assert rejection.origin.event_id == "pas:MPS:2015-03-31:trust_mps"
    assert "0.6" in rejection.problems[0].problem


def test_a_source_can_be_named_but_must_be_valid(write: Write) -> None:
    path = write("s.csv", STREET + ASB)
    [item] = police_uk_csv.parse(path, source="import:backfill-2023")
    assert item.origin.source == "import:backfill-2023"
    with pytest.raises(ValueError, match="source"):
        list(mps_borough_csv.parse(path, source="Not A Source"))


@pytest.mark.parametrize(
    ("name", "found"),
    [("2023-01-metropolitan-stop-and-search.csv", "'Object of search'"),
     ("2023-01-metropolitan-outcomes_BURGLARY_ONLY.csv", "'Outcome type'")],
)  # fmt: skip
def test_other_police_uk_files_are_refused_as_a_whole(
    data_dir: Path, name: str, found: str
) -> None:
    """Stop-and-search and outcomes files are not street-crime files: nothing is imported."""
    with pytest.raises(ImportFormatError, match="is not a police-uk-csv file") as raised:
        list(FORMATS["police-uk-csv"].parse(data_dir / "police_uk" / "street_csv" / name))
    assert "'Crime type'" in str(raised.value)
    assert found in str(raised.value)
