"""The dashboard and the packs on the embedded stack, with the real 2024–25 MPS ward file's
Lewisham rows imported through ingest and folded by kpi:

- the Borough SN Performance Pack (`snt pack`) ward tables equal the KPI API's figures, and
  its PDF renders with extractable text; the dashboard serves it to the borough lead only;
- every meeting pack lists the API's most significant performers;
- in headless Chromium (Debian's /usr/bin/chromium): a borough lead signs in, sees only their
  borough, drills to a ward, acknowledges an alert and sees a live update arrive; basic
  accessibility (headings, labels, keyboard, never colour alone). Screenshots are saved
  under test-artifacts/dashboard/.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from shared.auth.admin import create_token, open_engine
from shared.contracts.examples import example_event
from snt.config import SERVICES
from tests.e2e.test_embedded_stack import free_port_run, snt, state

pytestmark = pytest.mark.e2e
WARD_FILE = "mps_recorded_crime/ward_most_recent_24m_202401-202512.csv"
BOROUGH, OTHER = "E09000023", "E09000033"  # Lewisham; Westminster
AS_OF = "2025-12-31"
GROUPS = ("violence", "property", "asb")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory,
          shared_data: Path) -> Iterator[dict[str, Any]]:  # fmt: skip
    data_dir = tmp_path_factory.mktemp("dashboard") / "var"
    env = {**os.environ, "SNT_STACK_DATA_DIR": str(data_dir),
           "SNT_STACK_BROKER_PORT": str(free_port_run(1)),
           "SNT_STACK_HTTP_BASE_PORT": str(free_port_run(len(SERVICES))),
           "SNT_KPI_UPDATE_INTERVAL_S": "0.5", "SNT_ALERTS_GROUP_INTERVAL_S": "0",
           "SNT_ALERTS_TICK_INTERVAL_S": "1",
           "SNT_INGEST_PSEUDONYMISATION_KEY": "dashboard-e2e-key-" + "d" * 24}  # fmt: skip
    started = snt("up", "--detach", env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        rows = data_dir.parent / "lewisham-wards.csv"
        rows.write_text(_borough_rows((shared_data / WARD_FILE).read_text(encoding="utf-8-sig"),
                                      "Lewisham"), encoding="utf-8")  # fmt: skip
        imported = snt("import", "mps-ward-csv", str(rows), env=env, timeout=300)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        stored = int(re.search(r"events stored (\d+)", imported.stdout).group(1))  # type: ignore[union-attr]
        urls = {name: info["url"] for name, info in state(data_dir)["services"].items()}
        wait_for(lambda: _applied(urls["kpi"]) >= stored, timeout_s=300)
        tokens = open_engine(f"sqlite:///{data_dir / 'auth.db'}")
        made = {name: create_token(tokens, name=name, role=role, boroughs=boroughs).plain_token
                for name, role, boroughs in [
                    ("central.unit", "central", ()), ("cris-feed", "system", ()),
                    ("lewisham.lead", "borough_lead", (BOROUGH,)),
                    ("westminster.lead", "borough_lead", (OTHER,))]}  # fmt: skip
        yield {"env": env, "urls": urls, "tokens": made, "data_dir": data_dir}
    finally:
        snt("down", env=env)


def _borough_rows(document: str, borough: str) -> str:
    """The header and the borough's rows of the published ward file, as published."""
    lines = document.splitlines(keepends=True)
    column = next(csv.reader(lines[:1])).index("LookUp_BoroughName")
    kept = [line for line in lines[1:] if next(csv.reader([line]))[column] == borough]
    assert len(kept) == 534  # 19 wards x their offence categories
    return lines[0] + "".join(kept)


def _applied(kpi_url: str) -> float:
    metrics = httpx.get(f"{kpi_url}/metrics", timeout=5).text
    found = re.search(r'snt_kpi_events_total\{outcome="applied"\} ([0-9.e+]+)', metrics)
    return float(found.group(1)) if found else 0.0


def wait_for(check: Callable[[], bool], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.5)


def api(stack: dict[str, Any], service: str, path: str, who: str = "central.unit",
        **params: Any) -> Any:  # fmt: skip
    found = httpx.get(f"{stack['urls'][service]}{path}", params=params, timeout=30,
                      headers={"Authorization": f"Bearer {stack['tokens'][who]}"})  # fmt: skip
    assert found.status_code == 200, found.text
    return found.json()


def ward_rows(document: str, group: str) -> dict[str, list[str]]:
    """The pack's ward table of one KPI group: ward code → the cell texts."""
    start = document.index(f'id="table-{group}"')
    table = document[start : document.index("</table>", start)]
    rows = {}
    for code, body in re.findall(r'<tr data-ward="(E05\d{6})">(.*?)</tr>', table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        rows[code] = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return rows


def number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%".replace("-", "−")


def _breach(figure: dict[str, Any]) -> bool:
    """Significantly off trajectory (a baseline KPI: significantly up on last year)."""
    return bool((figure["vs_target"] or figure["vs_last_year"])["verdict"] == "significant_worse")


def test_the_borough_pack_ward_tables_equal_the_kpi_api_and_the_pdf_renders(
    stack: dict[str, Any],
    tmp_path: Path,
) -> None:
    made = snt("pack", "--borough", BOROUGH, "--as-of", AS_OF, "--out", str(tmp_path),
               "--token", stack["tokens"]["lewisham.lead"], env=stack["env"])  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    document = (tmp_path / f"sn-pack-{BOROUGH}-{AS_OF}.html").read_text()
    wards = api(stack, "dashboard", "/api/me", "lewisham.lead")["boroughs"][0]["wards"]
    assert len(wards) == 19
    # the pack lists the wards that differ significantly from the MPS trend, and those off
    # trajectory where the borough is not (the borough's own movement is said once)
    borough = api(stack, "kpi", f"/v1/kpi/boroughs/{BOROUGH}", period="fytd", as_of=AS_OF)
    attention, not_loaded = set(), []
    for group in GROUPS:
        if not _figure(borough, group)["sources"]["this_year"]["held"]:
            # no source of this KPI group is loaded: the pack says so instead of zeros
            start = document.index(f'id="table-{group}"')
            said = document[start : document.index("</p>", start)]
            assert "data is loaded for FYTD" in said, said
            assert "not a zero" in said, said
            not_loaded.append(group)
            continue
        rows = ward_rows(document, group)
        assert set(rows) == {w["code"] for w in wards}
        for ward in wards:
            fytd = _figure(api(stack, "kpi", f"/v1/kpi/wards/{ward['code']}", period="fytd",
                               as_of=AS_OF), group)  # fmt: skip
            r12 = _figure(api(stack, "kpi", f"/v1/kpi/wards/{ward['code']}",
                              period="rolling_12m", as_of=AS_OF), group)  # fmt: skip
            cells = rows[ward["code"]]
            assert cells[:6] == [ward["name"], number(fytd["value"]), number(fytd["last_year"]),
                                 percent(fytd["pct_change"]), number(fytd["trajectory"]),
                                 number(fytd["gap_to_trajectory"])], (ward, group)  # fmt: skip
            assert cells[8] == str(fytd["rank_in_borough"] or "")
            assert cells[9:] == [number(r12["value"]), number(r12["last_year"]),
                                 percent(r12["pct_change"])], (ward, group)  # fmt: skip
            differs = (fytd.get("vs_mps") or {}).get("verdict") == "significant_worse"
            if differs or (_breach(fytd) and not _breach(_figure(borough, group))):
                attention.add(ward["name"])
    assert not_loaded == ["asb"]  # the crime files hold no ASB; no CAD source is loaded here
    assert attention, "the real 2025 figures have a ward that differs from the trend (Evelyn)"
    listed = document[document.index('id="attention"') : document.index('id="crime"')]
    assert set(re.findall(r"<strong>(.*?)</strong>", listed)) >= {html.escape(n) for n in attention}
    assert "What changed since the last pack (30 November 2025)" in document

    from pypdf import PdfReader

    pdf = PdfReader(tmp_path / f"sn-pack-{BOROUGH}-{AS_OF}.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= 6
    for heading in ("Borough SN Performance Pack: Lewisham", "Wards needing attention",
                    "Repeat victims and ASB callers", "Public Attitude Survey",
                    "Use of flex", "What changed since the last pack"):  # fmt: skip
        assert heading in text, heading
    # (text extraction may split a kerned pair, "T elegraph Hill": compare without spaces)
    squashed = re.sub(r"\s+", "", text)
    assert [w["name"] for w in wards if re.sub(r"\s+", "", w["name"]) not in squashed] == []


def test_the_dashboard_serves_the_pack_to_its_borough_only(stack: dict[str, Any]) -> None:
    url = f"{stack['urls']['dashboard']}/packs/boroughs/{BOROUGH}"
    lead, other_lead = (stack["tokens"][n] for n in ("lewisham.lead", "westminster.lead"))
    own = httpx.get(url, params={"as_of": AS_OF, "format": "pdf"}, timeout=120,
                    headers={"Authorization": f"Bearer {lead}"})  # fmt: skip
    assert own.status_code == 200, own.text
    assert own.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    assert "Lewisham" in PdfReader(io.BytesIO(own.content)).pages[0].extract_text()
    other = httpx.get(url, params={"as_of": AS_OF}, timeout=60,
                      headers={"Authorization": f"Bearer {other_lead}"})  # fmt: skip
    assert other.status_code == 403
    assert "not in your scope" in other.json()["detail"]


MEETINGS = [  # (meeting, borough, who, as of)
    ("cluster_weekly", BOROUGH, "lewisham.lead", AS_OF),
    ("tactical_fortnightly", BOROUGH, "lewisham.lead", AS_OF),
    ("strategic_monthly", BOROUGH, "lewisham.lead", "2025-06-30"),
    ("strategic_monthly", None, "central.unit", AS_OF),
    ("key_performance_quarterly", None, "central.unit", "2025-06-30"),
]
MONTHLY_ONLY = ("cluster_weekly", "tactical_fortnightly")
"""Meetings whose periods the monthly ward file cannot support (weeks)."""


def test_each_meeting_pack_lists_exactly_the_most_significant_performers(
    stack: dict[str, Any],
    tmp_path: Path,
) -> None:
    listed = 0
    for n, (meeting, borough, who, as_of) in enumerate(MEETINGS):
        out = tmp_path / str(n)
        scope = ["--borough", borough] if borough else []
        token = stack["tokens"][who]
        made = snt("pack", "--meeting", meeting, *scope, "--as-of", as_of, "--out", str(out),
                   "--format", "html", "--token", token, env=stack["env"])  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
        [path] = out.glob("meeting-*.html")
        document = html.unescape(path.read_text())
        path_of = f"/v1/kpi/boroughs/{borough}/meetings/{meeting}" if borough else \
            f"/v1/kpi/mps/meetings/{meeting}"  # fmt: skip
        expected = api(stack, "kpi", path_of, who, as_of=as_of)
        names = {w["code"]: w["name"] for b in api(stack, "dashboard", "/api/me", who)["boroughs"]
                 for w in b["wards"]}  # fmt: skip
        sections = document.split("<section")[1:]
        assert len(sections) == 4, meeting  # three crime KPIs and the open alerts
        for kpi, section in zip(expected["kpis"], sections, strict=False):
            wanted = [names[s["area_code"]] for s in kpi["poor"] + kpi["good"]]
            rows = re.findall(r'<tr><td class="name">[▲▼] \w+</td><td class="name">(.*?)</td>',
                              section)  # fmt: skip
            assert rows == wanted, (meeting, kpi["kpi_group"], rows, wanted)
            if meeting in MONTHLY_ONLY and kpi["kpi_group"] != "asb":
                assert "the data for this area are monthly" in kpi["not_available"]
                assert kpi["not_available"] in section
            elif not wanted:  # against the MPS trend, or last year where there is no trend
                basis = "the MPS trend" if kpi["basis"] == "mps_trend" else "last year"
                assert f"No ward differs significantly from {basis}." in section
            listed += len(wanted)
    # The lists name the wards that differ significantly from the trend of the MPS (here the
    # 19 Lewisham wards the stack holds), overdispersion allowed for: in the quarterly review
    # to June 2025, Evelyn's property crime (pandas: 3 months, phi 4.2 across the 19 wards).
    # (The plain Poisson test adjusted across the borough flagged 10 of 19 wards for the
    # June 2025 strategic meeting.)
    assert listed >= 1, "a meeting period has a ward differing from the trend in the real data"


def test_a_corporate_meeting_pack_is_refused_to_a_borough_lead(
    stack: dict[str, Any],
    tmp_path: Path,
) -> None:
    made = snt("pack", "--meeting", "key_performance_quarterly", "--out", str(tmp_path),
               "--token", stack["tokens"]["lewisham.lead"], env=stack["env"])  # fmt: skip
    assert made.returncode == 1
    assert "403" in made.stderr
    assert "role borough_lead may not do this" in made.stderr


def _figure(body: dict[str, Any], group: str) -> dict[str, Any]:
    return next(f for f in body["figures"] if f["kpi_group"] == group)


# ---- in the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def sign_in(page: Page, stack: dict[str, Any], who: str) -> None:
    page.goto(f"{stack['urls']['dashboard']}/")
    page.get_by_label("API token").fill(stack["tokens"][who])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#needs", timeout=30_000)


def test_a_borough_lead_signs_in_drills_to_a_ward_acknowledges_and_sees_a_live_update(
    stack: dict[str, Any],
    browser: Any,
) -> None:
    firing = _firing_ward_alert(stack)
    ward = firing["area_code"]
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(60_000)  # the stack shares two cores with the other tests
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, stack, "lewisham.lead")
    # the first screen: which of my wards need attention, and why
    assert page.locator("h1:visible").inner_text() == "Lewisham"
    summary = api(stack, "dashboard", f"/summary/boroughs/{BOROUGH}", "lewisham.lead")
    needing = [a["name"] for a in summary["areas"] if a["attention"]]
    shown = page.locator(".attention li strong").all_inner_texts()
    assert needing
    assert shown == [a["name"] for a in summary["attention"]["areas"]]
    assert shown == needing[: summary["attention"]["limit"]]
    page.screenshot(path=ARTIFACTS / "1-borough-lead-first-screen.png", full_page=True)
    # only their borough: no other borough in the tree, and another borough is refused
    me = api(stack, "dashboard", "/api/me", "lewisham.lead")
    assert [b["code"] for b in me["boroughs"]] == [BOROUGH]
    assert page.locator(f'a[href^="#/borough/"]:not([href^="#/borough/{BOROUGH}"])').count() == 0
    page.goto(f"{stack['urls']['dashboard']}/#/borough/{OTHER}")
    page.wait_for_selector("text=is not in your scope")
    # drill to the ward from the borough's KPI table
    page.goto(f"{stack['urls']['dashboard']}/#/borough/{BOROUGH}")
    page.wait_for_selector(f'tr[data-area="{ward}"] a')
    page.locator(f'tr[data-area="{ward}"] a').click()
    page.wait_for_selector("#trajectory-chart svg")
    page.wait_for_selector("#spc-chart svg")
    assert page.url.endswith(f"#/ward/{ward}")
    before = api(stack, "kpi", f"/v1/kpi/wards/{ward}", "lewisham.lead")
    count = _figure(before, "violence")["value"]
    assert page.locator('tr[data-group="violence"] td.value').inner_text() == number(count)
    page.screenshot(path=ARTIFACTS / "2-ward.png", full_page=True)
    # acknowledge the alert
    item = page.locator(f'.alert-item[data-alert="{firing["alert_id"]}"]')
    item.get_by_label("Acknowledgement note").fill("problem-solving plan 302 opened")
    item.get_by_role("button", name="Acknowledge").click()
    item.locator("text=Acknowledged: no more repeats").wait_for()
    held = api(stack, "alerts", "/v1/alerts", "lewisham.lead", borough_code=BOROUGH)
    acked = next(a for a in held["alerts"] if a["alert_id"] == firing["alert_id"])
    assert (acked["state"], acked["acknowledged_by"]) == ("acknowledged", "lewisham.lead")
    page.screenshot(path=ARTIFACTS / "3-acknowledged.png", full_page=True)
    # a live update: one more violent crime in the ward this year reaches the open page
    event = example_event("crime.recorded", event_id="cris:dashboard-e2e:1")
    event["payload"].update(crime_id="CRIS-DASH-E2E-1", recorded_at="2025-11-20T10:00:00+00:00",
                            location={"ward_code": ward})  # fmt: skip
    posted = httpx.post(f"{stack['urls']['ingest']}/v1/crimes/recorded/batch", json=[event],
                        headers={"Authorization": f"Bearer {stack['tokens']['cris-feed']}"},
                        timeout=30)  # fmt: skip
    assert posted.status_code == 200, posted.text
    page.locator("#live-log li", has_text=f"KPI 1 fytd for {ward} is now {number(count + 1)}"
                 ).wait_for(state="attached", timeout=60_000)  # fmt: skip
    page.locator(f'tr[data-group="violence"] td.value:text-is("{number(count + 1)}")').wait_for()
    page.screenshot(path=ARTIFACTS / "4-live-update.png", full_page=True)
    assert errors == []
    page.close()


def test_accessibility_basics(stack: dict[str, Any], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(60_000)
    page.goto(f"{stack['urls']['dashboard']}/")
    # the sign-in form: a heading and a labelled field
    assert page.locator("h1").all_inner_texts() == ["Sign in"]
    assert page.get_by_label("API token").count() == 1
    # a wrong token is refused with a message, not silently
    page.get_by_label("API token").fill("snt_not-a-real-token")
    page.keyboard.press("Enter")
    page.locator("#sign-in-error").get_by_text("Sign-in failed").wait_for()
    sign_in(page, stack, "lewisham.lead")
    page.wait_for_selector("#map svg")
    assert page.locator("h1:visible").all_inner_texts() == ["Lewisham"]
    assert page.locator("h2:visible").count() >= 5
    # every form control has a label
    for control in page.locator("input, select, textarea").all():
        if not control.is_visible():
            continue
        ident = control.get_attribute("id")
        assert ident
        assert page.locator(f'label[for="{ident}"]').count() == 1, ident
    # colour is never the only signal: every status and SPC class has a symbol and words,
    # every map area a symbol and a name in its tooltip
    for badge in page.locator(".status").all()[:40]:
        words = badge.inner_text()
        assert re.match(r"^\S+ \w", words), words
    areas = page.locator("#map [data-ward]")
    assert areas.count() == 19  # Lewisham: exact 2022 ward polygons
    assert all(a.get_attribute("aria-label") for a in areas.all())
    assert page.locator("#map text").count() == 19
    # keyboard: tab to the first ward link and open it with Enter
    target = page.locator(".attention a").first
    name = target.inner_text()
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.innerText") == name:
            break
    else:
        raise AssertionError("the first ward link was not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_selector("#trajectory-chart svg")
    assert page.locator("h1:visible").inner_text().startswith(name)
    # the charts and the map describe themselves to screen readers
    assert page.locator("#trajectory-chart svg title").count() == 1
    assert page.locator("#spc-chart svg desc").count() == 1
    page.screenshot(path=ARTIFACTS / "5-keyboard-ward.png", full_page=True)
    page.close()


def _firing_ward_alert(stack: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def firing() -> bool:
        body = api(stack, "alerts", "/v1/alerts", "lewisham.lead", borough_code=BOROUGH,
                   state="firing")  # fmt: skip
        found[:] = [a for a in body["alerts"] if a["level"] == "ward" and a["kpi"] == 1]
        return bool(found)

    wait_for(firing, timeout_s=120)
    return sorted(found, key=lambda a: a["area_code"])[0]


# ---- the page fits, and says what it shows ----------------------------------------------------

WIDTHS = (1366, 390)  # a laptop; a phone
NO_ASB = "No ASB data loaded"


def _pages(ward: str) -> list[tuple[str, str, str]]:
    """(name, who, page) of every kind of page."""
    return [("mps", "central.unit", "#/mps"), ("borough", "lewisham.lead", f"#/borough/{BOROUGH}"),
            ("ward", "lewisham.lead", f"#/ward/{ward}"),
            ("alerts", "lewisham.lead", f"#/borough/{BOROUGH}/alerts"),
            ("mps-alerts", "central.unit", "#/alerts"),
            ("flex", "lewisham.lead", f"#/borough/{BOROUGH}/flex")]  # fmt: skip


def _open(page: Page, stack: dict[str, Any], who: str, where: str) -> None:
    page.goto(f"{stack['urls']['dashboard']}/")
    page.evaluate("t => sessionStorage.setItem('snt-token', t)", stack["tokens"][who])
    page.goto(f"{stack['urls']['dashboard']}/{where}")
    page.reload()
    page.wait_for_selector("#basis")
    page.wait_for_function("!document.querySelector('#view[aria-busy]')")
    page.wait_for_timeout(1_000)  # the map and the charts draw after the figures


def test_every_page_fits_a_laptop_and_a_phone_and_says_what_its_figures_rest_on(
    stack: dict[str, Any],
    browser: Any,
    tmp_path: Path,
) -> None:
    ward = api(stack, "dashboard", "/api/me", "lewisham.lead")["boroughs"][0]["wards"][0]["code"]
    errors: list[str] = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.set_default_timeout(60_000)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name, who, where in _pages(ward):
            _open(page, stack, who, where)
            for path in (tmp_path / f"{name}-{width}.png", ARTIFACTS / f"fit-{name}-{width}.png"):
                page.screenshot(path=path, full_page=True)
            # the page never scrolls sideways; a table wider than a phone scrolls in its
            # own frame, and at 1,366 px every table fits without scrolling at all
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert scroll <= inner, (name, width, scroll, inner)
            frames = page.evaluate("[...document.querySelectorAll('.table-wrap')]"
                                   ".map(f => [f.scrollWidth, f.clientWidth])")  # fmt: skip
            if width == 1366:
                assert all(s <= c for s, c in frames), (name, frames)
            # what the figures cover and rest on, in words
            said = page.locator("#basis").inner_text()
            assert "Period:" in said, (name, said)
            assert "rest on" in said, (name, said)
        page.close()
    assert errors == []


def test_the_kpi_tables_say_no_asb_data_is_loaded_rather_than_zeros(
    stack: dict[str, Any],
    browser: Any,
) -> None:
    ward = api(stack, "dashboard", "/api/me", "lewisham.lead")["boroughs"][0]["wards"][0]["code"]
    summary = api(stack, "dashboard", f"/summary/boroughs/{BOROUGH}", "lewisham.lead")
    assert summary["basis"]["no_data"] == ["asb"]
    assert "FYTD 2025-26 to December 2025: 1 April 2025 to 31 December 2025" in \
        summary["basis"]["period"]  # fmt: skip
    assert summary["basis"]["sources"] == [
        "Violence (KPI 1) and Property (KPI 4): monthly published counts (whole months).",
        "ASB (KPI 5): no ASB data loaded (no CAD ASB incidents for this period).",
    ]
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(60_000)
    for who, where in [("central.unit", "#/mps"), ("lewisham.lead", f"#/borough/{BOROUGH}")]:
        _open(page, stack, who, where)
        table = page.locator("table.kpi")
        # one column for KPI 5, saying so once for every row, instead of four of zeros
        assert table.locator("td.no-source").count() == 1
        assert table.locator("td.no-source").inner_text().startswith(f"∅ {NO_ASB}")
        assert table.locator("thead th", has_text="ASB (KPI 5)").get_attribute("rowspan") == "2"
        if where != "#/mps":  # (the MPS page holds boroughs with no data: Lewisham only here)
            assert "Too few points" not in table.inner_text()
    _open(page, stack, "lewisham.lead", f"#/ward/{ward}")
    asb = page.locator('tr[data-group="asb"]')
    asb.first.wait_for()  # the ward's rows are drawn after its figures arrive
    assert asb.locator("td").count() == 1
    assert NO_ASB in asb.inner_text()
    page.close()
    # the meeting packs say their period and what their figures rest on
    meeting = httpx.get(f"{stack['urls']['dashboard']}/packs/meetings/strategic_monthly",
                        params={"borough": BOROUGH, "as_of": AS_OF, "format": "html"},
                        headers={"Authorization": f"Bearer {stack['tokens']['lewisham.lead']}"},
                        timeout=120)  # fmt: skip
    assert meeting.status_code == 200, meeting.text
    text = html.unescape(re.sub(r"<[^>]+>", "", meeting.text))
    assert "Period: December 2025, against the same period last year." in text
    assert "What the figures rest on: Violence (KPI 1) and Property (KPI 4): monthly " \
        "published counts (whole months). ASB (KPI 5): no ASB data loaded" in text  # fmt: skip
