"use strict";
// SN Performance dashboard: sign in with an API token, drill MPS → borough → cluster → ward,
// see which wards need attention and why, act on alerts, and follow live updates.

const GROUPS = { violence: "Violence (KPI 1)", property: "Property (KPI 4)", asb: "ASB (KPI 5)" };
const PERIODS = { fytd: "Financial year to date", rolling_12m: "Rolling 12 months" };
const state = { token: sessionStorage.getItem("snt-token"), me: null, live: null, refresh: null,
  seq: 0 };
const $ = (id) => document.getElementById(id);
// Fill an element the view still has (a live update may re-render the view meanwhile).
function put(id, html) { const found = $(id); if (found) found.innerHTML = html; }

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function num(v) { return v === null || v === undefined ? "n/a" : Number(v).toLocaleString("en-GB", { maximumFractionDigits: 1 }); }
function pct(v) { return v === null || v === undefined ? "n/a" : (v > 0 ? "+" : v < 0 ? "−" : "") + Math.abs(v).toFixed(1) + "%"; }
function share(v) { return v === null || v === undefined ? "n/a" : (100 * v).toFixed(1) + "%"; }

class ApiError extends Error { constructor(status, detail) { super(detail); this.status = status; } }

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${state.token}` } });
  if (response.status === 401) { signOut("Your sign-in is no longer valid: " + (await detail(response))); throw new ApiError(401, "signed out"); }
  if (!response.ok) throw new ApiError(response.status, await detail(response));
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}
async function detail(response) {
  try { const body = await response.json(); return typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? body); }
  catch { return response.statusText; }
}

function statusBadge(cell) {
  const s = cell.status;
  return `<span class="status status-${s.key}" title="${esc(s.explanation)}">${esc(s.symbol)} ${esc(s.label)}<span class="visually-hidden">: ${esc(s.explanation)}</span></span>`;
}
function spcBadge(cell) {
  const c = cell.spc;
  return `<span class="spc-${c.key}" title="${esc(c.explanation)}">${esc(c.symbol)} ${esc(c.label)}</span>`;
}
function significance(figure) {
  const v = (figure.vs_last_year || {}).verdict;
  const p = (figure.vs_last_year || {}).p_value;
  const words = { significant_worse: "▲ significantly up", significant_better: "▼ significantly down", not_significant: "no significant change" }[v] || "n/a";
  const tip = p === undefined || p === null ? "" : `Exact Poisson test against last year: p = ${p.toFixed(4)}`;
  return `<span title="${esc(tip)}">${esc(words)}</span>`;
}

// ---- sign in / out -------------------------------------------------------------------------
async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/api/me");
  } catch (error) {
    state.token = null;
    throw error;
  }
  sessionStorage.setItem("snt-token", token);
  $("sign-in").hidden = true;
  $("view").hidden = false;
  $("who").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = `${state.me.name} (${state.me.role.replace("_", " ")})`;
  startLive();
  if (!location.hash || location.hash === "#") location.hash = home();
  else route();
}
function signOut(message) {
  state.token = null; state.me = null;
  sessionStorage.removeItem("snt-token");
  if (state.live) state.live.abort();
  $("view").hidden = true; $("view").innerHTML = "";
  $("sign-in").hidden = false; $("who").hidden = true; $("sign-out").hidden = true;
  $("sign-in-error").textContent = message || "";
  $("token").value = "";
  $("token").focus();
}
function home() {
  if (state.me.mps) return "#/mps";
  return state.me.boroughs.length ? `#/borough/${state.me.boroughs[0].code}` : "#/none";
}

// ---- routing ----------------------------------------------------------------------------------
function crumbs(items) {
  return `<nav class="crumbs" aria-label="Breadcrumb"><ol>${items.map(([href, label], i) =>
    i === items.length - 1 ? `<li><span aria-current="page">${esc(label)}</span></li>` : `<li><a href="${href}">${esc(label)}</a></li>`).join("")}</ol></nav>`;
}

// Every navigation or live refresh draws at once; a draw that a newer one overtook stops at
// its next step (so an older, slower draw never covers a newer one, nor holds it up).
async function route() {
  if (!state.me) return;
  const seq = ++state.seq;
  await draw(seq);
}
function overtaken(seq) { return seq !== state.seq; }

async function draw(seq) {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  const view = $("view");
  view.setAttribute("aria-busy", "true");
  try {
    if (parts[0] === "mps") await mpsView(view, seq);
    else if (parts[0] === "alerts") await alertsView(view, null, seq);
    else if (parts[0] === "borough" && parts[2] === "alerts") await alertsView(view, parts[1], seq);
    else if (parts[0] === "borough" && parts[2] === "flex") await flexView(view, parts[1], seq);
    else if (parts[0] === "borough" && parts[2] === "cluster") await boroughView(view, parts[1], parts[3], seq);
    else if (parts[0] === "borough") await boroughView(view, parts[1], null, seq);
    else if (parts[0] === "ward") await wardView(view, parts[1], seq);
    else location.hash = home();
  } catch (error) {
    if (error.status !== 401 && !overtaken(seq)) view.innerHTML = `<h1>Could not show this page</h1><p class="error" role="alert">${esc(error.message)}</p>`;
  } finally {
    view.removeAttribute("aria-busy");
  }
}

function periodSelect(current) {
  return `<div><label for="period">Period</label><select id="period">${Object.entries(PERIODS).map(([k, v]) =>
    `<option value="${k}"${k === current ? " selected" : ""}>${esc(v)}</option>`).join("")}</select></div>`;
}
// The period in words as the kpi service states it ("FYTD 2025-26 to December 2025"): it says
// which month the figures run to; the bare period name when no figure carries it.
function periodWords(rows, period) {
  for (const row of rows) {
    for (const cell of Object.values((row && row.cells) || {})) {
      if (cell.figure && cell.figure.period_label) return cell.figure.period_label;
    }
  }
  return PERIODS[period] || period;
}
function currentPeriod() { return sessionStorage.getItem("snt-period") || "fytd"; }
function bindPeriod() {
  const select = $("period");
  if (select) select.addEventListener("change", () => { sessionStorage.setItem("snt-period", select.value); route(); });
}

function attentionBlock(rows, what) {
  const needing = rows.filter((r) => r.attention.length);
  if (!needing.length) return `<div class="ok"><p>✓ No ${what} is significantly off trajectory or showing a special cause of concern.</p></div>`;
  return `<div class="attention"><ul>${needing.map((r) =>
    `<li><a href="${r.href}"><strong>${esc(r.name)}</strong></a>: ${r.attention.map(esc).join("; ")}</li>`).join("")}</ul></div>`;
}
// The scope's own movement said once, then the areas that differ from it (most significant
// first, at most the configured number) and how many more are in the table below.
function attentionPanel(summary, what, hrefOf) {
  const said = (summary.movement || []).length
    ? `<div class="movement"><p><strong>${esc(what.scope)} as a whole:</strong></p><ul>${summary.movement.map((m) => `<li>${esc(m)}</li>`).join("")}</ul></div>` : "";
  const found = summary.attention || { areas: [], more: 0 };
  const areas = found.areas;
  if (!areas.length) return `${said}<div class="ok"><p>✓ No ${esc(what.area)} differs significantly from ${esc(what.trend)}, or is off trajectory or showing a special cause of concern where ${esc(what.scope)} is not.</p></div>`;
  const more = found.more ? `<p class="more">… and ${num(found.more)} more (see the table below).</p>` : "";
  return `${said}<div class="attention"><ul>${areas.map((a) =>
    `<li><a href="${hrefOf(a.code)}"><strong>${esc(a.name)}</strong></a>: ${a.attention.map(esc).join("; ")}</li>`).join("")}</ul>${more}</div>`;
}
// A table scrolls inside its own frame when it is wider than the screen (a phone), so the
// page itself never scrolls sideways; the first column stays in view.
// Its caption is said above the frame (so it stays in view) and, for screen readers, in it.
function framed(table, caption) {
  const captioned = table.replace(/^(<table[^>]*>)/, `$1<caption class="visually-hidden">${esc(caption)}</caption>`);
  return `<p class="help table-note" aria-hidden="true">${esc(caption)}</p><div class="table-wrap" role="region" tabindex="0" aria-label="${esc(caption)}">${captioned}</div>`;
}
// A cell with no data of its KPI group loaded (e.g. ASB while no ASB source is): it says so
// instead of showing a count of zero.
const noSource = (cell) => cell && cell.status.key === "no_source";
function noSourceCell(cell, span, rows = 1) {
  return `<td class="no-source name" colspan="${span}"${rows > 1 ? ` rowspan="${rows}"` : ""} title="${esc(cell.status.explanation)}">${esc(cell.status.symbol)} ${esc(cell.status.label)}<span class="visually-hidden">: ${esc(cell.status.explanation)}</span></td>`;
}
function kpiTable(rows, caption, linkOf) {
  const groups = Object.keys(GROUPS);
  // a KPI group with no data loaded in any row is one column saying so, not four of zeros
  const absent = groups.filter((g) => rows.length && rows.every((r) => noSource(r.cells[g])));
  const head = groups.map((g) => absent.includes(g) ? `<th scope="col" rowspan="2">${esc(GROUPS[g])}</th>` : `<th scope="col" colspan="4">${esc(GROUPS[g])}</th>`).join("");
  const sub = groups.filter((g) => !absent.includes(g)).map(() => `<th scope="col">Count</th><th scope="col">vs last year</th><th scope="col" class="name">Status</th><th scope="col" class="name">SPC</th>`).join("");
  const cell = (r, g, i) => {
    const c = r.cells[g];
    if (absent.includes(g)) return i === 0 ? noSourceCell(c, 1, rows.length) : "";
    if (!c) return "<td colspan=4>n/a</td>";
    if (noSource(c)) return noSourceCell(c, 4);
    return `<td class="value">${num(c.figure.value)}</td><td>${pct(c.figure.pct_change)}</td><td class="name">${statusBadge(c)}</td><td class="name">${spcBadge(c)}</td>`;
  };
  const body = rows.map((r, i) => `<tr data-area="${esc(r.code)}"><th scope="row" class="name">${linkOf ? `<a href="${linkOf(r)}">${esc(r.name)}</a>` : esc(r.name)}</th>${
    groups.map((g) => cell(r, g, i)).join("")}</tr>`).join("");
  return framed(`<table class="kpi"><thead><tr><th scope="col" rowspan="2" class="name">Area</th>${head}</tr><tr>${sub}</tr></thead><tbody>${body}</tbody></table>`, caption);
}
// What the page's figures cover and rest on, in words (the dashboard's basis of the figures).
function basisBlock(basis, also = "", lead = "") {
  if (!basis || !basis.period) return lead ? `<div class="basis" id="basis">${lead}</div>` : "";
  const simulated = basis.simulated ? `<p class="simulated"><strong>Simulated data:</strong> some figures here include simulated records, generated for demonstration; they are not real police data.</p>` : "";
  return `<div class="basis" id="basis">${lead}<p><strong>Period:</strong> ${esc(basis.period)}${also ? " " + esc(also) : ""}</p>
    <p><strong>What the figures rest on:</strong> ${basis.sources.map(esc).join(" ")}</p>${simulated}</div>`;
}

// ---- MPS -------------------------------------------------------------------------------------
async function mpsView(view, seq) {
  const period = currentPeriod();
  view.innerHTML = `${crumbs([["#/mps", "MPS"]])}<h1>Metropolitan Police Service</h1><p>Loading…</p>`;
  const [summary, group] = [await api(`/summary/mps?period=${period}`), sessionStorage.getItem("snt-group") || "violence"];
  if (overtaken(seq)) return;
  summary.areas.forEach((r) => { r.href = `#/borough/${r.code}`; });
  view.innerHTML = `${crumbs([["#/mps", "MPS"]])}<h1>Metropolitan Police Service</h1>
    ${basisBlock(summary.basis)}
    <div class="controls">${periodSelect(period)}</div>
    <p class="pages">See also: <a href="#/alerts">all open alerts</a>.</p>
    <h2 id="needs">Boroughs needing attention, and why</h2>${attentionPanel(summary, { scope: "London", area: "borough", trend: "the MPS trend" }, (c) => `#/borough/${c}`)}
    <h2>Crime KPIs by borough (${esc(periodWords([summary.mps, ...summary.areas], period))})</h2>
    ${kpiTable([summary.mps, ...summary.areas], "Counts against the same period last year; status against the target trajectory (KPI 5: against last year).", (r) => r.code === "MPS" ? "#/mps" : `#/borough/${r.code}`)}
    <h2>Map</h2>${mapControls(group)}<div class="panel" id="map"></div>
    <h2>Corporate meeting packs</h2>${meetingLinks(null)}`;
  bindPeriod();
  bindMap(() => `/maps/mps.svg?period=${period}&group=`, (code) => `#/borough/${code}`);
  bindDownloads(view);
}

// ---- borough / cluster -----------------------------------------------------------------------
async function boroughView(view, code, clusterId, seq) {
  const period = currentPeriod();
  const node = (state.me.boroughs || []).find((b) => b.code === code);
  if (!node) { view.innerHTML = `<h1>Not in your scope</h1><p class="error" role="alert">Borough ${esc(code)} is not in your scope.</p>`; return; }
  const cluster = clusterId ? node.clusters.find((c) => c.id === clusterId) : null;
  const path = [["#/mps", "MPS"], [`#/borough/${code}`, node.name]];
  if (!state.me.mps) path.shift();
  if (cluster) path.push([`#/borough/${code}/cluster/${cluster.id}`, cluster.name]);
  const title = cluster ? `${cluster.name} cluster (${node.name})` : node.name;
  view.innerHTML = `${crumbs(path)}<h1>${esc(title)}</h1><p>Loading…</p>`;
  const summary = await api(`/summary/boroughs/${code}?period=${period}`);
  if (overtaken(seq)) return;
  let rows = summary.areas;
  if (cluster) rows = rows.filter((r) => cluster.wards.includes(r.code));
  rows.forEach((r) => { r.href = `#/ward/${r.code}`; });
  const group = sessionStorage.getItem("snt-group") || "violence";
  const clusters = !cluster && node.clusters.length ? `<h2>Clusters</h2><ul>${node.clusters.map((c) => `<li><a href="#/borough/${code}/cluster/${c.id}">${esc(c.name)}</a></li>`).join("")}</ul>` : "";
  const tableRows = summary.borough && !cluster ? [...rows, summary.borough] : rows;
  view.innerHTML = `${crumbs(path)}<h1>${esc(title)}</h1>
    ${basisBlock(summary.basis)}
    <div class="controls">${periodSelect(period)}</div>
    <p class="pages">See also: <a href="#/borough/${esc(code)}/alerts">all open alerts in ${esc(node.name)}</a>${node.whole_borough ? ` · <a href="#/borough/${esc(code)}/flex">flex and abstraction report</a>` : ""}.</p>
    <h2 id="needs">Wards needing attention, and why</h2>${cluster ? attentionBlock(rows, "ward") : attentionPanel(summary, { scope: node.name, area: "ward", trend: "the MPS trend" }, (c) => `#/ward/${c}`)}
    <h2>Crime KPIs by ward (${esc(periodWords(tableRows, period))})</h2>
    ${kpiTable(tableRows, "Counts against the same period last year; status against the target trajectory (KPI 5, a baseline KPI: against last year). Hover or focus a status for what it means.", (r) => r.code.startsWith("E05") ? `#/ward/${r.code}` : `#/borough/${code}`)}
    ${clusters}
    <h2>Map</h2>${mapControls(group)}<div class="panel" id="map"></div>
    <h2 id="alerts-title">Alerts</h2><div id="alerts"></div>
    ${node.whole_borough ? `<h2>Flex and abstraction (KPI 9)</h2><div id="flex"></div>` : ""}
    ${node.whole_borough ? `<h2>Performance packs</h2>${packControls(code)}${meetingLinks(code, clusterId)}` : ""}`;
  bindPeriod();
  bindMap(() => `/maps/boroughs/${code}.svg?period=${period}&group=`, (ward) => `#/ward/${ward}`);
  await alertsPanel($("alerts"), { borough_code: code }, cluster ? cluster.wards : null);
  if (node.whole_borough) await flexPanel($("flex"), code);
  bindDownloads(view);
}

// ---- ward ------------------------------------------------------------------------------------
async function wardView(view, code, seq) {
  const summary = await api(`/summary/wards/${code}`);
  if (overtaken(seq)) return;
  const node = (state.me.boroughs || []).find((b) => b.code === summary.borough_code);
  const path = [["#/mps", "MPS"], [`#/borough/${summary.borough_code}`, summary.borough_name], [`#/ward/${code}`, summary.name]];
  if (!state.me.mps) path.shift();
  const group = sessionStorage.getItem("snt-chart-group") || "violence";
  const rows = Object.keys(GROUPS).map((g) => {
    const f = summary.fytd.cells[g], r = summary.rolling_12m.cells[g];
    if (noSource(f)) return `<tr data-group="${g}"><th scope="row" class="name">${esc(GROUPS[g])}</th>${noSourceCell(f, 12)}</tr>`;
    return `<tr data-group="${g}"><th scope="row" class="name">${esc(GROUPS[g])}</th><td class="value">${num(f.figure.value)}</td><td>${num(f.figure.last_year)}</td><td>${pct(f.figure.pct_change)}</td><td>${num(f.figure.trajectory)}</td><td>${num(f.figure.gap_to_trajectory)}</td><td class="name">${statusBadge(f)}</td><td class="name">${significance(f.figure)}</td><td class="name">${spcBadge(f)}</td><td>${f.figure.rank_in_borough ?? ""}</td><td>${num(r.figure.value)}</td><td>${num(r.figure.last_year)}</td><td>${pct(r.figure.pct_change)}</td></tr>`;
  }).join("");
  const f0 = summary.fytd.cells.violence.figure;
  view.innerHTML = `${crumbs(path)}<h1>${esc(summary.name)} <span class="help">(${esc(code)})</span></h1>
    ${basisBlock(summary.basis.fytd, summary.basis.rolling_12m.period ? `Rolling 12 months: ${summary.basis.rolling_12m.period}` : "")}
    <h2 id="needs">Does this ward need attention?</h2>${attentionBlock([{ ...summary.fytd, href: "#needs" }], "KPI of this ward")}
    <h2>KPIs</h2>
    ${framed(`<table class="kpi"><thead><tr><th scope="col" class="name" rowspan="2">KPI</th><th scope="col" colspan="9">Financial year to date</th><th scope="col" colspan="3">Rolling 12 months</th></tr>
    <tr><th scope="col">Count</th><th scope="col">Last year</th><th scope="col">Change</th><th scope="col">Trajectory</th><th scope="col">Gap</th><th scope="col" class="name">Status</th><th scope="col" class="name">Significance</th><th scope="col" class="name">SPC</th><th scope="col">Rank in borough</th><th scope="col">Count</th><th scope="col">Last year</th><th scope="col">Change</th></tr></thead>
    <tbody>${rows}</tbody></table>`, `Financial year to date ${f0.period_start} to ${f0.period_end} and rolling 12 months, against the same period last year.`)}
    <h2>Charts</h2>
    <div class="controls"><div><label for="chart-group">KPI</label><select id="chart-group">${Object.entries(GROUPS).map(([k, v]) => `<option value="${k}"${k === group ? " selected" : ""}>${esc(v)}</option>`).join("")}</select></div></div>
    <div class="grid"><div class="panel" id="trajectory-chart"></div><div class="panel" id="spc-chart"></div></div>
    <h2>What is behind it: offence categories (FYTD)</h2><div id="categories"></div>
    <h2 id="alerts-title">Alerts</h2><div id="alerts"></div>
    <h2>Flex and abstraction (KPI 9)</h2><div id="flex"></div>`;
  const chartGroup = $("chart-group");
  const drawCharts = async () => {
    const g = chartGroup.value;
    sessionStorage.setItem("snt-chart-group", g);
    const [t, s, c] = await Promise.all([api(`/charts/wards/${code}/trajectory.svg?group=${g}`), api(`/charts/wards/${code}/spc.svg?group=${g}`),
      api(`/api/kpi/v1/kpi/wards/${code}/categories?group=${g}&as_of=${f0.period_end}`)]);
    put("trajectory-chart", t); put("spc-chart", s);
    const entries = Object.entries(c.categories);
    const loaded = !noSource(summary.fytd.cells[g]);
    put("categories", entries.length ? framed(`<table><thead><tr><th scope="col" class="name">Category</th><th scope="col">Count</th></tr></thead><tbody>${
      entries.map(([k, v]) => `<tr><td class="name">${esc(k)}</td><td>${num(v)}</td></tr>`).join("")}</tbody></table>`, `${GROUPS[g]}, ${c.period_start} to ${c.period_end}`)
      : loaded ? "<p>No crimes recorded in this group this year.</p>" : `<p>${esc(summary.fytd.cells[g].status.label)}: ${esc(summary.fytd.cells[g].status.explanation)}</p>`);
  };
  chartGroup.addEventListener("change", drawCharts);
  await drawCharts();
  await alertsPanel($("alerts"), { borough_code: summary.borough_code }, [code]);
  const kpi9 = await api(`/api/flex/v1/flex/wards/${code}/kpi9`);
  put("flex", kpi9Text(kpi9));
}

// ---- panels ----------------------------------------------------------------------------------
function mapControls(group) {
  return `<div class="controls"><div><label for="map-group">KPI on the map</label><select id="map-group">${Object.entries(GROUPS).map(([k, v]) =>
    `<option value="${k}"${k === group ? " selected" : ""}>${esc(v)}</option>`).join("")}</select></div></div>
    <p class="legend help"><span>▲! significant breach (red, hatched)</span><span>▲ above trajectory (amber, dotted)</span><span>✓ on trajectory (light green)</span><span>▼✓ significantly down (green)</span></p>`;
}
function bindMap(urlOf, linkOf) {
  const select = $("map-group");
  const draw = async () => {
    sessionStorage.setItem("snt-group", select.value);
    const svg = await api(urlOf() + select.value);
    const map = $("map");
    if (!map) return;  // the page moved on while the map was drawn
    map.innerHTML = svg;
    map.querySelectorAll("[data-ward], [data-borough]").forEach((g) => {
      const target = linkOf(g.dataset.ward || g.dataset.borough);
      g.style.cursor = "pointer";
      g.addEventListener("click", () => { location.hash = target; });
      g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); location.hash = target; } });
    });
  };
  select.addEventListener("change", draw);
  draw().catch((e) => put("map", `<p class="error">${esc(e.message)}</p>`));
}

async function alertsPanel(panel, params, onlyAreas) {
  // a page's worth, most severe first, and "and N more" (the rest are in the alerts API)
  const paged = !onlyAreas;
  const query = new URLSearchParams({ ...params, open_only: "true", ...(paged ? { paged: "true" } : {}) }).toString();
  const body = await api(`/api/alerts/v1/alerts?${query}`);
  let alerts = body.alerts.filter((a) => a.state !== "resolved");
  if (onlyAreas) alerts = alerts.filter((a) => onlyAreas.includes(a.area_code));
  const size = body.page_size || alerts.length;
  const more = paged ? (body.more || 0) : Math.max(alerts.length - size, 0);
  alerts = alerts.slice(0, size);
  if (!alerts.length) { panel.innerHTML = "<p>No open alerts.</p>"; return; }
  panel.innerHTML = alerts.map((a) => `<div class="alert-item" data-alert="${esc(a.alert_id)}">
      <p><strong>${a.recognition ? "★ Recognition" : a.severity === "critical" ? "⚠ Critical" : "⚠ Warning"}: ${esc(a.title)}</strong>
      <span class="status-text">(${esc(a.state)}${a.history ? ", history" : ""}${a.acknowledged_by ? ` by ${esc(a.acknowledged_by)}: ${esc(a.acknowledgement_note)}` : ""})</span></p>
      <p>${esc(a.summary)}</p>
      ${a.state === "firing" ? `<form class="ack"><label for="note-${esc(a.alert_id)}">Acknowledgement note</label>
        <input id="note-${esc(a.alert_id)}" name="note" required maxlength="500" placeholder="What is being done">
        <button type="submit" class="primary">Acknowledge</button></form>` : ""}
      <form class="silence"><label for="hours-${esc(a.alert_id)}">Silence for (hours)</label>
        <input id="hours-${esc(a.alert_id)}" name="hours" type="number" min="1" max="744" value="24" required>
        <label for="reason-${esc(a.alert_id)}">Reason</label>
        <input id="reason-${esc(a.alert_id)}" name="reason" required maxlength="300" placeholder="e.g. planned public-order event">
        <button type="submit">Silence</button></form>
      <p class="result" role="status"></p></div>`).join("")
    + (more ? `<p class="alerts-more">and ${more} more</p>` : "");
  panel.querySelectorAll(".alert-item").forEach((item) => {
    const alert = alerts.find((a) => a.alert_id === item.dataset.alert);
    const result = item.querySelector(".result");
    const ack = item.querySelector("form.ack");
    if (ack) ack.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const done = await api(`/api/alerts/v1/alerts/${encodeURIComponent(alert.alert_id)}/acknowledge`, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ note: ack.note.value }) });
        item.querySelector(".status-text").textContent = `(${done.state} by ${done.acknowledged_by}: ${done.acknowledgement_note})`;
        ack.remove();
        result.textContent = "Acknowledged: no more repeats or escalation for this alert.";
      } catch (error) { result.textContent = "Not acknowledged: " + error.message; }
    });
    item.querySelector("form.silence").addEventListener("submit", async (e) => {
      e.preventDefault();
      const form = e.target;
      try {
        const made = await api("/api/alerts/v1/silences", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ hours: Number(form.hours.value), reason: form.reason.value, rule_id: alert.rule_id, area_code: alert.area_code, borough_code: alert.borough_code || alert.area_code }) });
        result.textContent = `Silenced until ${made.ends}.`;
      } catch (error) { result.textContent = "Not silenced: " + error.message; }
    });
  });
}

function kpi9Text(body) {
  if (body.periods.every((p) => !p.planned_minutes)) return `<p>KPI 9: no planned Safer Neighbourhoods hours are held for this month or the financial year to date (no duty roster loaded), so there is no share to give.</p>`;
  return `<p>${body.periods.map((p) => `${p.period === "month" ? "This month" : "Financial year to date"}: ${share(p.share)} of planned SN hours was authorised ward flex, KPI 9 (last year ${share(p.last_year_share)})`).join("; ")}.</p>`;
}
async function flexPanel(panel, code) {
  const kpi9 = await api(`/api/flex/v1/flex/boroughs/${code}/kpi9`);
  const month = kpi9.periods[0].period_start.slice(0, 7);
  const report = await api(`/api/flex/v1/flex/boroughs/${code}/report?month=${month}`);
  const rows = report.rows.map((r) => `<tr><th scope="row" class="name"><a href="#/ward/${r.code}">${esc(r.name)}</a></th><td>${esc(r.model)}</td><td>${num(r.planned / 60)}</td><td>${num(r.abstracted_total / 60)}</td><td>${share(r.abstraction_share)}</td><td>${num(r.flexed_out / 60)}</td><td>${num(r.flexed_out_unauthorised / 60)}</td><td>${r.days_below_minimum}</td></tr>`).join("");
  panel.innerHTML = kpi9Text(kpi9) + framed(`<table><thead><tr><th scope="col" class="name">Ward</th><th scope="col">Model</th><th scope="col">Planned</th><th scope="col">Abstracted</th><th scope="col">Share</th><th scope="col">Flexed out</th><th scope="col">Unauthorised</th><th scope="col">Days below minimum</th></tr></thead><tbody>${rows}</tbody></table>`, `SNT abstraction report, ${report.month} (hours)`);
  return { kpi9, report };
}

// ---- alerts and flex pages -------------------------------------------------------------------
function scopePath(code, node, last) {
  const path = [["#/mps", "MPS"], ...(code ? [[`#/borough/${code}`, node.name]] : []), last];
  if (!state.me.mps) path.shift();
  return crumbs(path);
}
function dayWords(iso) {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}
async function alertsView(view, code, seq) {
  const node = code ? (state.me.boroughs || []).find((b) => b.code === code) : null;
  if (code && !node) { view.innerHTML = `<h1>Not in your scope</h1><p class="error" role="alert">Borough ${esc(code)} is not in your scope.</p>`; return; }
  if (!code && !state.me.mps) { location.hash = home(); return; }
  const name = node ? node.name : "the MPS";
  const top = `${scopePath(code, node, [code ? `#/borough/${code}/alerts` : "#/alerts", "Alerts"])}<h1>Open alerts: ${esc(node ? node.name : "MPS")}</h1>`;
  view.innerHTML = `${top}<p>Loading…</p>`;
  // the figures the alerts judge rest on what the area's figures rest on (a cluster
  // inspector, who may not see the whole borough, is told without them)
  const basis = await api(code ? `/basis/boroughs/${code}` : "/basis/mps").catch(() => null);
  if (overtaken(seq)) return;
  view.innerHTML = `${top}
    ${basisBlock(basis, "", `<p><strong>What this shows:</strong> the alerts open now in ${esc(name)} (firing, acknowledged or silenced), most severe first, as the alerts service holds them. Each alert names the KPI, the area and the period it judges.</p>
    <p><strong>What the alerts rest on:</strong> the alerts service judges every KPI figure as it changes (significantly off trajectory, a significant change on last year, SPC special causes) and the flex exceptions (minimum staffing, unauthorised flex); the KPI figures are these:</p>`)}
    <h2 id="alerts-title">Open alerts</h2><div id="alerts"></div>`;
  await alertsPanel($("alerts"), code ? { borough_code: code } : {}, null);
}
async function flexView(view, code, seq) {
  const node = (state.me.boroughs || []).find((b) => b.code === code);
  if (!node || !node.whole_borough) { view.innerHTML = `<h1>Not in your scope</h1><p class="error" role="alert">The flex report of borough ${esc(code)} is not in your scope.</p>`; return; }
  const top = `${scopePath(code, node, [`#/borough/${code}/flex`, "Flex"])}<h1>Flex and abstraction: ${esc(node.name)}</h1>`;
  view.innerHTML = `${top}<div id="flex-basis"></div><h2>KPI 9 and the SNT abstraction report</h2><div id="flex"><p>Loading…</p></div>`;
  const found = await flexPanel($("flex"), code);
  if (overtaken(seq)) return;
  const [month, year] = found.kpi9.periods;
  const simulated = found.kpi9.simulated || found.report.simulated ? `<p class="simulated"><strong>Simulated data:</strong> these duty records include simulated ones, generated for demonstration; they are not real police data.</p>` : "";
  put("flex-basis", `<div class="basis" id="basis"><p><strong>Period:</strong> KPI 9 for this month (${esc(dayWords(month.period_start))} to ${esc(dayWords(month.period_end))}) and the financial year to date (${esc(dayWords(year.period_start))} to ${esc(dayWords(year.period_end))}), each against the same period last year; the abstraction report covers the month ${esc(found.report.month)}.</p>
    <p><strong>What the figures rest on:</strong> duty records, each dated to the day: the planned Safer Neighbourhoods duties of the roster and the duty changes (flex and abstraction) recorded in CARM3, as the flex service holds them.${found.kpi9.periods.every((p) => !p.planned_minutes) ? " None are held for this period: the zeros of the report are no count." : ""}</p>${simulated}</div>`);
}

function packControls(code) {
  return `<form class="controls" id="pack-form" data-borough="${esc(code)}"><div><label for="pack-as-of">Pack as of</label><input id="pack-as-of" name="as_of" type="date"></div>
    <button type="submit" name="format" value="html">Open pack (HTML)</button><button type="submit" name="format" value="pdf">Download pack (PDF)</button></form>`;
}
function meetingLinks(code, clusterId) {
  const meetings = code ? { cluster_weekly: "Weekly cluster meeting", tactical_fortnightly: "Fortnightly tactical review", strategic_monthly: "Monthly strategic review" }
    : { strategic_monthly: "Monthly Strategic Performance Meeting", key_performance_quarterly: "Quarterly Key Performance Review" };
  return `<ul class="meetings">${Object.entries(meetings).map(([k, v]) => {
    const query = new URLSearchParams(code ? { borough: code, ...(clusterId && k === "cluster_weekly" ? { cluster: clusterId } : {}) } : {});
    return `<li>${esc(v)}: <button type="button" data-download="/packs/meetings/${k}?${query}&format=html">HTML</button> <button type="button" data-download="/packs/meetings/${k}?${query}&format=pdf">PDF</button></li>`; }).join("")}</ul>`;
}
async function download(url) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) throw new ApiError(response.status, await detail(response));
  const blob = await response.blob();
  const link = URL.createObjectURL(blob);
  if (blob.type.includes("pdf")) {
    const a = document.createElement("a");
    a.href = link; a.download = (response.headers.get("content-disposition") || "").split('filename="')[1]?.replace('"', "") || "pack.pdf";
    document.body.appendChild(a); a.click(); a.remove();
  } else {
    window.open(link, "_blank");
  }
  $("live").textContent = `Pack ready (${Math.round(blob.size / 1024)} KB).`;
}
function bindDownloads(view) {
  view.querySelectorAll("[data-download]").forEach((b) => b.addEventListener("click", () =>
    download(b.dataset.download).catch((e) => { $("live").textContent = "Pack failed: " + e.message; })));
  const form = $("pack-form");
  if (form) form.addEventListener("submit", (e) => {
    e.preventDefault();
    const format = e.submitter ? e.submitter.value : "html";
    const asOf = form.as_of.value ? `&as_of=${form.as_of.value}` : "";
    $("live").textContent = "Building the pack…";
    download(`/packs/boroughs/${form.dataset.borough}?format=${format}${asOf}`).catch((err) => { $("live").textContent = "Pack failed: " + err.message; });
  });
}

// ---- live updates (server-sent events over fetch, so the token stays in a header) --------------
async function startLive() {
  if (state.live) state.live.abort();
  const controller = new AbortController();
  state.live = controller;
  while (!controller.signal.aborted && state.token) {
    try {
      const response = await fetch("/live", { headers: { Authorization: `Bearer ${state.token}` }, signal: controller.signal });
      if (!response.ok) throw new Error(`live updates refused: ${response.status}`);
      document.body.dataset.live = "connected";
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const chunk = buffer.slice(0, end); buffer = buffer.slice(end + 2);
          const kind = (chunk.match(/^event: (.*)$/m) || [])[1];
          const data = (chunk.match(/^data: (.*)$/m) || [])[1];
          if (kind && data) onLive(kind, JSON.parse(data));
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      document.body.dataset.live = "reconnecting";
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
function onLive(kind, event) {
  if (kind === "hello") { $("live").textContent = "Live updates on."; return; }
  const shown = location.hash;
  const relevant = kind === "resync" || shown.includes(event.area_code) || (event.borough_code && shown.includes(event.borough_code)) || shown === "#/mps";
  if (!relevant) return;
  const time = new Date().toLocaleTimeString("en-GB");
  const what = kind === "kpi" ? `KPI ${event.kpi} ${event.period} for ${event.area_code} is now ${num(event.value)}`
    : kind === "alert" ? `alert ${event.state}: ${event.title}` : kind === "flex" ? `flex exception (${event.kind}) in ${event.area_code}` : "figures changed";
  const message = `Live update ${time}: ${what}.`;
  $("live").textContent = message;
  const log = $("live-log");
  const item = document.createElement("li");
  item.textContent = message;
  log.prepend(item);
  while (log.children.length > 20) log.lastElementChild.remove();
  clearTimeout(state.refresh);
  state.refresh = setTimeout(() => { if (!document.activeElement || !document.activeElement.closest("form")) route(); }, 1500);
}

// ---- start ----------------------------------------------------------------------------------
$("sign-in-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("sign-in-error").textContent = "";
  try { await signIn($("token").value.trim()); $("main").focus(); }
  catch (error) { $("sign-in-error").textContent = "Sign-in failed: " + error.message; }
});
$("sign-out").addEventListener("click", () => signOut("Signed out."));
window.addEventListener("hashchange", () => { route().then(() => $("main").focus()); });
if (state.token) signIn(state.token).catch(() => signOut(""));
