"""The real MOPAC PAS borough export through ingest and the kpi fold: for several boroughs
and quarters the stored proportions and the MPS column equal the file, and each figure is
judged with the sample size the configuration assumes (the export publishes none) over its
design effect; `snt kpi
verify` finds the stored survey figures equal to a recomputation, and a tampered one."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from services.ingest.bulk import run_import
from services.ingest.store.sql import SqlIngestStore
from services.kpi.domain.state import KpiState
from services.kpi.domain.stats.proportions import two_proportion_test, wilson
from services.kpi.domain.survey import MPS_AREA, SurveyBook, quarter_ending_by
from services.kpi.domain.survey_figures import SurveyConfig, survey_figure
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.survey_config import load_survey_config
from services.kpi.survey_views import survey_body
from shared.db import make_engine
from shared.reference import load_reference
from snt.ingest_setup import bulk_pipeline
from snt.kpi_tools import verify

pytestmark = pytest.mark.integration
PAS = "pas/PAS_TandC_dashboard_borough_2014-12_to_2023-12.csv"
KEY = "kpi-survey-key-" + "k" * 24
NAMES = {"City of Westminster": "E09000033", "Richmond Upon Thames": "E09000027",
         "Richmond upon Thames": "E09000027", "Camden": "E09000007",
         "Barking and Dagenham": "E09000002", "Hackney": "E09000012"}  # fmt: skip
MEASURES = {'"Good Job" local': "good_job", "Trust MPS": "trust_mps",
            "Informed local": "informed_local"}  # fmt: skip
QUARTERS = [date(2015, 3, 31), date(2019, 9, 30), date(2023, 3, 31), date(2023, 12, 31)]


@pytest.fixture(scope="module")
def published(shared_data: Path) -> dict[tuple[str, str, date], float]:
    """(area, measure, quarter end) → proportion, read from the file with the csv module."""
    out: dict[tuple[str, str, date], float] = {}
    with (shared_data / PAS).open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            code, measure = NAMES.get(row["Borough"]), MEASURES.get(row["Measure"])
            if code is None or measure is None:
                continue
            day, month, year = (int(x) for x in row["Date"].split("/"))
            end = date(year, month, day)
            out[(code, measure, end)] = float(row["Proportion"].replace(",", "."))
            out[(MPS_AREA, measure, end)] = float(row["MPS"].replace(",", "."))
    return out


@pytest.fixture(scope="module")
def held(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SurveyBook, SurveyConfig]:
    tmp = tmp_path_factory.mktemp("survey-real")
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, reference = bulk_pipeline(None, env)
    run_import(pipeline, "pas-borough-csv", shared_data / PAS, reference)
    config = load_survey_config([b.code for b in load_reference().boroughs()])
    engine = make_engine(f"sqlite:///{tmp / 'kpi.db'}")
    create_schema(engine)
    folder = Folder(SqlKpiStore(engine), KpiState(),
                    survey=SurveyBook(config.design_effect, config.assumed_n))  # fmt: skip
    store = SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))
    seq = 0
    while events := store.events(seq, 5000):
        result = folder.fold([Record(e.topic, 0, e.seq, e.envelope.encode()) for e in events])
        assert result.bad == ()
        seq = events[-1].seq
    restarted = Folder(SqlKpiStore(engine), KpiState(),
                       survey=SurveyBook(config.design_effect, config.assumed_n))  # fmt: skip
    restarted.load()  # the figures below come from the stored state
    report = verify(store, SqlKpiStore(engine))
    # every borough row, and one MPS figure per quarter and measure (Trust MPS from 2016)
    assert (report.survey_compared, report.survey_differences) == (9_312 + 37 * 8 - 5, 0)
    with engine.begin() as conn:
        conn.execute(text("UPDATE kpi_survey_published SET proportion = 0.5 "
                          "WHERE area = 'MPS' AND measure = 'trust_mps' "
                          "AND period_end = '2023-12-31'"))  # fmt: skip
    assert verify(store, SqlKpiStore(engine)).survey_differences == 1
    return restarted.survey, config


@pytest.mark.parametrize("end", QUARTERS, ids=str)
def test_borough_and_mps_proportions_equal_the_file(
    held: tuple[SurveyBook, SurveyConfig], published: dict, end: date
) -> None:
    book, config = held
    quarter = quarter_ending_by(end)
    assert quarter.end == end
    mine = {k: v for k, v in published.items() if k[2] == end}
    # 5 boroughs and the MPS, 3 measures (Trust MPS only from 2016)
    assert len(mine) == (12 if end.year == 2015 else 18)
    for (area, measure, _), proportion in mine.items():
        spec = config.measure(measure)
        assert spec is not None
        found = survey_figure(book, config, spec, area, quarter)
        assert found is not None, (area, measure, end)
        assert found.estimate.proportion == proportion
        assert (found.estimate.source, found.estimate.assumed_n) == ("published", True)
        interviews = 400 * 32 if area == MPS_AREA else 400
        deff = config.design_effect.of("pas", area)
        assert found.estimate.effective_n == pytest.approx(interviews / deff)
        if area != MPS_AREA:
            assert found.vs_mps is not None
            assert found.vs_mps.proportion == published[(MPS_AREA, measure, end)]


def test_kpi_6_is_judged_against_last_year_the_mps_and_its_target(
    held: tuple[SurveyBook, SurveyConfig], published: dict
) -> None:
    book, config = held
    spec = config.measure("good_job")
    assert spec is not None
    assert spec.kpi == 6
    westminster, end, before = "E09000033", date(2023, 3, 31), date(2022, 3, 31)
    found = survey_figure(book, config, spec, westminster, quarter_ending_by(end))
    assert found is not None
    now = published[(westminster, "good_job", end)]
    then = published[(westminster, "good_job", before)]
    n_eff = 400 / config.design_effect.of("pas", westminster)  # assumed interviews ÷ deff
    test = two_proportion_test(now, n_eff, then, n_eff)
    assert found.vs_last_year is not None
    assert found.vs_last_year.difference_points == pytest.approx(100 * (now - then))
    assert found.vs_last_year.p_value == pytest.approx(test.p_value)
    assert found.target == pytest.approx(then + 0.01)
    interval = wilson(now, n_eff)
    body = survey_body(found, config)
    assert body["quarter"] == "Q4 2022/23"
    assert (body["interval"]["low"], body["interval"]["high"]) == (
        round(100 * interval.low, 2), round(100 * interval.high, 2))  # fmt: skip
    assert body["peer_rule"] == "ons_inner_outer_london"
    assert found.vs_peers is not None
    assert len(found.peers) == 12  # the other inner London boroughs
