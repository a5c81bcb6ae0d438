// The dashboard: one self-contained page (no CDN, no external file) served at /. It polls
// /api/state once a second and draws queue depth, event rate and handler latency on canvases,
// and tables of positions, open orders and recent errors. When a poll has filled the page,
// <body data-ready="1">; the browser test waits for that.
#pragma once

#include <string_view>

namespace tradebus {

inline constexpr std::string_view kDashboardPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tradebus</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #0f1419; color: #d8dee9; }
  header { padding: 10px 18px; background: #1b2129; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header .kpi { color: #9aa5b1; } header .kpi b { color: #e5e9f0; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 14px; padding: 14px; }
  section { background: #1b2129; border-radius: 6px; padding: 10px 12px; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #9aa5b1; margin: 0 0 8px; }
  canvas { width: 100%; height: 160px; display: block; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #2a323c; }
  th { color: #9aa5b1; font-weight: 500; }
  .legend span { margin-right: 12px; font-size: 12px; }
  .critical { color: #ff6b6b; } .error { color: #f0a35e; } .muted { color: #66707b; }
  #status.down { color: #ff6b6b; }
</style>
</head>
<body data-ready="0">
<header>
  <h1 id="title">tradebus</h1>
  <span class="kpi">events/s <b id="eps">-</b></span>
  <span class="kpi">dispatched <b id="events">-</b></span>
  <span class="kpi">equity <b id="equity">-</b></span>
  <span class="kpi">cash <b id="cash">-</b></span>
  <span class="kpi">realized <b id="pnl">-</b></span>
  <span class="kpi" id="status">connecting</span>
</header>
<main>
  <section><h2>Queue depth</h2><canvas id="depth" data-points="0"></canvas><div class="legend" id="depth-legend"></div></section>
  <section><h2>Events per second</h2><canvas id="rate" data-points="0"></canvas></section>
  <section><h2>Handler latency p99, microseconds</h2><canvas id="latency" data-points="0"></canvas><div class="legend" id="latency-legend"></div></section>
  <section><h2>Positions</h2><table id="positions"><thead><tr><th>symbol</th><th>quantity</th><th>last</th><th>realized</th><th>unrealized</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Open orders</h2><table id="orders"><thead><tr><th>id</th><th>symbol</th><th>side</th><th>type</th><th>quantity</th><th>price</th><th>status</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Recent errors</h2><table id="errors"><thead><tr><th>time</th><th>component</th><th>message</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
"use strict";
const HISTORY = 120;
const COLORS = ["#88c0d0", "#a3be8c", "#ebcb8b", "#b48ead", "#d08770", "#5e81ac", "#bf616a"];
const series = { depth: {}, rate: { "events/s": [] }, latency: {} };

function push(group, name, value) {
  const s = (series[group][name] = series[group][name] || []);
  s.push(value);
  if (s.length > HISTORY) s.shift();
}

function draw(id, group, legendId) {
  const canvas = document.getElementById(id);
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 400, h = canvas.clientHeight || 160;
  canvas.width = w * ratio; canvas.height = h * ratio;
  const g = canvas.getContext("2d");
  g.scale(ratio, ratio);
  g.clearRect(0, 0, w, h);
  const names = Object.keys(series[group]);
  let max = 1, points = 0;
  for (const n of names) for (const v of series[group][n]) max = Math.max(max, v);
  g.strokeStyle = "#2a323c"; g.fillStyle = "#66707b"; g.font = "11px sans-serif";
  for (let i = 0; i <= 4; i++) {
    const y = h - 16 - (h - 24) * i / 4;
    g.beginPath(); g.moveTo(40, y); g.lineTo(w, y); g.stroke();
    g.fillText(formatNumber(max * i / 4), 2, y + 4);
  }
  names.forEach((n, k) => {
    const s = series[group][n];
    g.strokeStyle = COLORS[k % COLORS.length]; g.lineWidth = 1.5; g.beginPath();
    s.forEach((v, i) => {
      const x = 40 + (w - 44) * i / (HISTORY - 1);
      const y = h - 16 - (h - 24) * v / max;
      i ? g.lineTo(x, y) : g.moveTo(x, y);
      points++;
    });
    g.stroke();
  });
  canvas.dataset.points = String(points);
  if (legendId) {
    document.getElementById(legendId).innerHTML = names.map((n, k) =>
      `<span style="color:${COLORS[k % COLORS.length]}">&#9632; ${escapeHtml(n)}</span>`).join("");
  }
}

function formatNumber(v) {
  if (v >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (v >= 1e3) return (v / 1e3).toFixed(1) + "k";
  return v >= 10 ? v.toFixed(0) : v.toFixed(1);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function rows(tableId, items, cells, empty) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.innerHTML = items.length
    ? items.map(it => "<tr>" + cells(it).map(c => `<td>${c}</td>`).join("") + "</tr>").join("")
    : `<tr><td class="muted" colspan="7">${empty}</td></tr>`;
}

async function poll() {
  try {
    const res = await fetch("api/state", { cache: "no-store" });
    const st = await res.json();
    document.getElementById("title").textContent = st.title || "tradebus";
    document.getElementById("eps").textContent = formatNumber(st.events_per_second);
    document.getElementById("events").textContent = st.events_dispatched;
    if (st.equity !== undefined) {
      document.getElementById("equity").textContent = st.equity + " " + st.currency;
      document.getElementById("cash").textContent = st.cash;
      document.getElementById("pnl").textContent = st.realized_pnl;
    }
    for (const q of st.queues) push("depth", q.queue, q.depth);
    push("rate", "events/s", st.events_per_second);
    for (const h of st.handlers) if (h.samples > 0) push("latency", h.handler, h.p99_us);
    draw("depth", "depth", "depth-legend");
    draw("rate", "rate");
    draw("latency", "latency", "latency-legend");
    rows("positions", st.positions, p => [escapeHtml(p.symbol), p.quantity, p.last_price, p.realized_pnl, p.unrealized_pnl], "no positions");
    rows("orders", st.open_orders, o => [escapeHtml(o.id), escapeHtml(o.symbol), o.side, o.type, o.quantity, o.price, o.status], "no open orders");
    rows("errors", st.errors.slice().reverse(), e => [new Date(e.time_ns / 1e6).toISOString().slice(11, 19), escapeHtml(e.component), `<span class="${e.severity}">${escapeHtml(e.message)}</span>`], "no errors");
    const status = document.getElementById("status");
    status.textContent = "live"; status.className = "kpi";
    document.body.dataset.ready = "1";
  } catch (e) {
    const status = document.getElementById("status");
    status.textContent = "disconnected"; status.className = "kpi down";
  }
}

poll();
setInterval(poll, 1000);
</script>
</body>
</html>
)html";

}  // namespace tradebus
