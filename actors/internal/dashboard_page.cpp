#include "actors/internal/dashboard_page.hpp"

namespace faust::internal {

namespace {

constexpr std::string_view page = R"page(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>faust-cpp worker</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d232a; background: #f6f7f9; }
  h1 { font-size: 1.4em; margin: 0 0 .2em; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  .sub { color: #5b6470; }
  .cards { display: flex; gap: 1em; flex-wrap: wrap; margin-top: 1em; }
  .card { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: .6em 1em; min-width: 9em; }
  .card b { display: block; font-size: 1.5em; }
  table { border-collapse: collapse; background: #fff; min-width: 30em; }
  th, td { border: 1px solid #dde1e6; padding: .25em .7em; text-align: right; }
  th { background: #eef0f3; } td.name { text-align: left; }
  .state { display: inline-block; padding: .1em .6em; border-radius: 1em; background: #d8f0dc; }
  .state.warn { background: #fbe7c6; } .state.bad { background: #f7d4d4; }
  tr.paused td { background: #fff4dc; }
  .empty { color: #8a929c; font-style: italic; }
  progress { width: 14em; }
  ul { margin: .2em 0; padding-left: 1.2em; }
  li.error, li.critical { color: #a11; }
</style>
</head>
<body>
<h1 id="app">faust-cpp worker</h1>
<div class="sub">worker <span id="worker"></span> &middot; <span id="state" class="state">loading</span> &middot; updated <span id="updated">never</span></div>
<div class="cards">
  <div class="card">events/s<b id="events_s">-</b></div>
  <div class="card">messages/s<b id="messages_s">-</b></div>
  <div class="card">events<b id="events_total">-</b></div>
  <div class="card">in flight<b id="active">-</b></div>
  <div class="card">rebalances<b id="rebalances">-</b></div>
  <div class="card">errors<b id="errors">-</b></div>
</div>
<h2>Lag per partition</h2>
<table id="lag"><thead><tr><th>topic</th><th>partition</th><th>read</th><th>committed</th><th>end</th><th>lag</th><th>in flight</th><th>paused</th></tr></thead><tbody></tbody></table>
<h2>Assignment</h2>
<div id="assignment" class="empty">-</div>
<h2>Recovery</h2>
<div id="recoveries" class="empty">nothing being recovered</div>
<h2>Tables</h2>
<table id="tables"><thead><tr><th>table</th><th>partitions here</th><th>keys (est.)</th><th>store bytes (est.)</th><th>read</th><th>set</th><th>deleted</th></tr></thead><tbody></tbody></table>
<h2>Last errors</h2>
<ul id="problems"><li class="empty">none</li></ul>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
// Every request of this page answers 200 while the worker runs: a failed
// one would be a console error.
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells, nameCells) {
  const tr = document.createElement("tr");
  cells.forEach((c, i) => tr.appendChild(el("td", c, i < nameCells ? "name" : "")));
  return tr;
}
function fill(tbody, rows, emptyText, width) {
  tbody.replaceChildren(...rows);
  if (!rows.length) {
    const td = el("td", emptyText, "empty");
    td.colSpan = width;
    const tr = document.createElement("tr");
    tr.appendChild(td);
    tbody.appendChild(tr);
  }
}
const fmt = (n) => typeof n === "number" ? (Number.isInteger(n) ? n.toLocaleString("en") : n.toFixed(1)) : "-";
const offset = (n) => n >= 0 ? n : "-";
function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}
function showMonitor(m) {
  $("app").textContent = m.app;
  document.title = m.app + " - faust-cpp";
  const state = $("state");
  state.textContent = m.state;
  state.className = "state" + (m.state === "running" ? "" : m.state === "broker unreachable" ? " bad" : " warn");
  $("events_s").textContent = fmt(m.events_s);
  $("messages_s").textContent = fmt(m.messages_s);
  $("events_total").textContent = fmt(m.events_total);
  $("active").textContent = fmt(m.messages_active);
  $("rebalances").textContent = fmt(m.rebalances);
  $("errors").textContent = fmt(m.decode_errors_total + m.agent_errors_total);
  const lagRows = m.partitions.map((p) => {
    const tr = row([p.topic, p.partition, offset(p.read_offset), offset(p.committed_offset),
                    offset(p.end_offset), p.lag >= 0 ? p.lag : "-", p.in_flight, p.paused ? "paused" : ""], 1);
    tr.dataset.topic = p.topic;
    tr.dataset.partition = p.partition;
    tr.dataset.lag = p.lag;
    if (p.paused) tr.className = "paused";
    return tr;
  });
  fill($("lag").tBodies[0], lagRows, "no partitions assigned", 8);
  const rec = $("recoveries");
  if (!m.recoveries.length) {
    rec.className = "empty";
    rec.textContent = "nothing being recovered";
  } else {
    rec.className = "";
    rec.replaceChildren(...m.recoveries.map((r) => {
      const d = el("div");
      d.dataset.table = r.table;
      d.dataset.partition = r.partition;
      const bar = el("progress");
      bar.max = Math.max(1, r.total);
      bar.value = r.read;
      d.append(el("span", r.table + "[" + r.partition + "] "), bar,
               el("span", " " + fmt(r.read) + " / " + fmt(r.total) +
                  (r.seconds_left >= 0 ? ", ~" + r.seconds_left.toFixed(1) + " s left" : "")));
      return d;
    }));
  }
  const tableRows = Object.entries(m.tables).map(([name, t]) =>
    row([name, t.partitions_here, fmt(t.keys), bytes(t.bytes), fmt(t.keys_retrieved),
         fmt(t.keys_updated), fmt(t.keys_deleted)], 1));
  fill($("tables").tBodies[0], tableRows, "no tables", 7);
  const problems = m.last_errors.slice().reverse().map((p) =>
    el("li", new Date(p.time_ms).toISOString().replace("T", " ").slice(0, 19) + " " + p.level + ": " + p.message, p.level));
  if (!problems.length) problems.push(el("li", "none", "empty"));
  $("problems").replaceChildren(...problems);
}
function showAssignment(a) {
  const box = $("assignment");
  box.className = "";
  const list = (title, parts) => {
    const d = el("div");
    d.appendChild(el("b", title + ": "));
    const names = Object.entries(parts).map(([t, ps]) => t + " [" + ps.join(", ") + "]");
    d.appendChild(el("span", names.length ? names.join("; ") : "none"));
    return d;
  };
  box.replaceChildren(list("active", a.actives || {}), list("standby", a.standbys || {}));
}
async function getJson(path) {
  const r = await fetch(path, {cache: "no-store"});
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}
let kafka = false;
async function refresh() {
  try {
    const m = await getJson("/");
    kafka = m.transport === "kafka";
    showMonitor(m);
    $("updated").textContent = new Date().toLocaleTimeString("en-GB");
    document.body.dataset.ready = "1";
  } catch (e) {
    const state = $("state");
    state.textContent = "worker unreachable";
    state.className = "state bad";
  }
  if (!kafka) return; // a memory:// app has no assignment
  try {
    showAssignment(await getJson("/assignment/"));
  } catch (e) {
    const box = $("assignment");
    box.className = "empty";
    box.textContent = "not available (" + e.message + ")";
  }
}
$("worker").textContent = location.host;
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)page";

} // namespace

std::string_view dashboard_page() {
  return page;
}

} // namespace faust::internal
