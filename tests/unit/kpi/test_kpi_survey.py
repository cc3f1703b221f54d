"""Survey figures from weighted responses: quarter windows and labels, Kish's effective
sample size with the design effect, the white / minority-ethnic gap, the +1 point target,
exactly-once folding and restarts; published figures where no responses are held."""

from __future__ import annotations

import json
from datetime import date

import pytest

from services.kpi.domain.days import month_index
from services.kpi.domain.state import KpiState
from services.kpi.domain.stats.proportions import newcombe_difference, two_proportion_test, wilson
from services.kpi.domain.survey import DesignEffects, Quarter, SurveyBook, quarter_ending_by
from services.kpi.domain.survey_figures import MeasureSpec, SurveyConfig, survey_figure
from services.kpi.fold import Folder
from services.kpi.store.sql import SqlKpiStore, create_schema
from shared.contracts import parse_event
from shared.contracts.examples import example_event
from shared.db import make_engine
from tests.unit.kpi.conftest import BOROUGH, record

SATISFIED = MeasureSpec("uss", "satisfied", "KPI 7", kpi=7, target_points=1.0)
DEFF = DesignEffects.uniform(1.5)
CONFIG = SurveyConfig("test", DEFF, {"uss": 600.0}, (SATISFIED,), {}, "none")
Q4 = quarter_ending_by(date(2025, 3, 31))


@pytest.mark.parametrize(
    ("as_of", "end", "label", "start"),
    [(date(2008, 12, 31), date(2008, 12, 31), "Q3 2008/09", date(2008, 1, 1)),
     (date(2023, 6, 30), date(2023, 6, 30), "Q1 2023/24", date(2022, 7, 1)),
     (date(2023, 5, 15), date(2023, 3, 31), "Q4 2022/23", date(2022, 4, 1)),
     (date(2024, 1, 1), date(2023, 12, 31), "Q3 2023/24", date(2023, 1, 1))],
)  # fmt: skip
def test_quarters_are_rolling_12_months_labelled_as_in_seed_001(
    as_of: date, end: date, label: str, start: date
) -> None:
    quarter = quarter_ending_by(as_of)
    assert (quarter.end, quarter.label, quarter.start) == (end, label, start)
    assert quarter.months[1] - quarter.months[0] == 11


def response(n: str, on: str, *, positive: bool, weight: float, ethnicity: str | None) -> bytes:
    event = example_event("survey.recorded", event_id=f"survey:test:{n}")
    event["payload"].update(survey="uss", measure="satisfied", borough_code=BOROUGH,
                            interviewed_on=on, positive=positive, weight=weight,
                            ethnicity_group=ethnicity)  # fmt: skip
    raw = json.dumps(event)
    parse_event(raw)
    return raw.encode()


RESPONSES = [
    *(response(f"w{i}", "2024-06-01", positive=i < 8, weight=1.0, ethnicity="white")
      for i in range(10)),
    *(response(f"m{i}", "2025-02-01", positive=i < 6, weight=2.0, ethnicity="black")
      for i in range(10)),
    *(response(f"l{i}", "2023-09-01", positive=i < 5, weight=1.0, ethnicity=None)
      for i in range(10)),  # last year: 50%
    response("old", "2023-03-01", positive=True, weight=9.0, ethnicity="white"),  # no window
]  # fmt: skip


def folder_on(url: str) -> Folder:
    engine = make_engine(url)
    create_schema(engine)
    folder = Folder(SqlKpiStore(engine), KpiState(), survey=SurveyBook(DEFF, {"uss": 600.0}))
    folder.load()
    return folder


def test_weighted_responses_give_kpi_7_with_its_gap_target_and_tests(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/kpi.db"
    first = folder_on(url)
    first.fold([record(r, topic="snt.survey.v1") for r in RESPONSES[:15]])
    again = first.fold([record(r, topic="snt.survey.v1") for r in RESPONSES[10:]])
    assert (again.applied, again.duplicates) == (16, 5)
    assert again.surveyed == frozenset({BOROUGH})
    for folder in (first, folder_on(url)):  # live, and after a restart
        found = survey_figure(folder.survey, CONFIG, SATISFIED, BOROUGH, Q4)
        assert found is not None
        assert found.estimate.proportion == pytest.approx(20 / 30)  # (8 + 2·6) / (10 + 2·10)
        assert found.estimate.respondents == 20
        assert found.estimate.effective_n == pytest.approx(30**2 / 50 / 1.5)  # Kish ÷ deff
        assert found.last_year is not None
        assert found.last_year.proportion == pytest.approx(0.5)
        assert found.target == pytest.approx(0.51)
        assert found.gap_to_target_points == pytest.approx(100 * (20 / 30 - 0.51))
        test = two_proportion_test(20 / 30, 12.0, 0.5, 10 / 1.5)
        assert found.vs_last_year is not None
        assert found.vs_last_year.p_value == pytest.approx(test.p_value)
        assert found.vs_last_year.verdict == "not_significant"  # 20 people: too few to tell
        gap = found.gap
        assert gap is not None
        assert gap.points == pytest.approx(20.0)  # white 80%, minority ethnic 60%
        expected = newcombe_difference(0.8, 10 / 1.5, 0.6, 400 / 40 / 1.5)
        assert gap.interval_points.low == pytest.approx(100 * expected.low)
        assert gap.interval_points.high == pytest.approx(100 * expected.high)


def test_published_figures_serve_where_no_responses_are_held() -> None:
    book = SurveyBook(DesignEffects.uniform(1.0), {"pas": 400.0})
    from services.kpi.domain.survey import Published

    key = ("uss", "satisfied", BOROUGH, "all", Q4.end)
    book.apply_published([Published("p1", key, 0.71, 650)])
    found = book.estimate("uss", "satisfied", BOROUGH, "all", Q4)
    assert found is not None
    assert (found.proportion, found.respondents, found.source) == (0.71, 650, "published")
    assert book.estimate("uss", "satisfied", BOROUGH, "all", Quarter(date(2024, 12, 31))) is None


def test_the_survey_data_date_is_the_latest_day_held_never_after_today() -> None:
    from services.kpi.domain.survey import Published

    book = SurveyBook()
    assert book.data_date(date(2025, 5, 1)) == date(2025, 5, 1)  # nothing held
    for end in (date(2024, 12, 31), date(2025, 3, 31), date(2025, 6, 30)):
        book.apply_published([Published("p", ("pas", "good_job", "MPS", "all", end), 0.6, None)])
    assert book.data_date(date(2025, 5, 1)) == date(2025, 3, 31)
    may = month_index(date(2025, 5, 1))
    book.apply_sums({("pas", "good_job", BOROUGH, "white", may): (1, 1.0, 1.0, 1.0)})
    assert book.data_date(date(2025, 5, 20)) == date(2025, 5, 20)
    assert book.data_date(date(2025, 7, 2)) == date(2025, 6, 30)
    assert quarter_ending_by(book.data_date(date(2025, 5, 20))).end == date(2025, 3, 31)


def test_kpi_updates_carry_the_interviews_while_the_tests_use_the_effective_sample() -> None:
    from services.kpi.domain.survey import Published
    from services.kpi.survey_updates import survey_payloads

    book = SurveyBook(DEFF, {"uss": 600.0})
    key = ("uss", "satisfied", BOROUGH, "all", Q4.end)
    book.apply_published([Published("p1", key, 0.7, None)])  # no n published: 600 assumed
    found = book.estimate("uss", "satisfied", BOROUGH, "all", Q4)
    assert found is not None
    assert (found.effective_n, found.design_effect, found.assumed_n) == (400.0, 1.5, True)
    [(measure, payload)] = survey_payloads(book, CONFIG, BOROUGH, Q4.end)
    assert (measure, payload["n"]) == ("satisfied", 600)
    interval = wilson(0.7, 400.0)
    assert (payload["interval"]["low"], payload["interval"]["high"]) == (interval.low,
                                                                         interval.high)  # fmt: skip
