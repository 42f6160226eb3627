// The run client: one WebSocket to /ws/runs/ speaking the run protocol (docs/live-runs.md):
// run, stop, autorun, compare and grid out; run.started / run.events / run.finished /
// loop.step / grid.finished / run.rejected in. Each run streams into a response card with a
// live status line. Every run names its working copy and the active value set, so the
// server sends the request with its placeholders filled and links the exchange back.

import { store } from "./state.js";
import { h, clear } from "./dom.js";
import { StreamView, renderFinalBlock } from "./render.js";
import { toolCallsPanel, toolUses } from "./toolloop.js";
import { hasErrors, findings, validateNow, showEmptyFindings } from "./findings.js";
import { currentCopy } from "./copies.js";
import { activeVariables, valueSets } from "./variables.js";
import { summary } from "./compare.js";
import { editsBetween, applyEdits, keepingFocus } from "./keepedits.js";

let socket = null;
let opening = null;
let current = null; // {id, kind, columns: Map, ...}
let hooks = {};

export function initRun(h0) {
  hooks = h0;
  const area = document.getElementById("response-area");
  document.getElementById("conversation").addEventListener("focusin", () => { if (!current) pin(false); });
  // Only the user scrolls the box up: growing content (a new auto-run step) leaves it away
  // from the bottom too, until the next follow(), and must not stop the following.
  area.addEventListener("scroll", () => {
    const fromBottom = area.scrollHeight - area.scrollTop - area.clientHeight;
    if (fromBottom <= 40) area.dataset.userScrolled = "false";
    else if (area.scrollTop < followedTo - 4) area.dataset.userScrolled = "true";
  });
}
export function isRunning() { return !!current; }

function wsURL() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/runs/`;
}

function connect() {
  if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const ws = new WebSocket(wsURL());
    ws.addEventListener("open", () => { socket = ws; opening = null; resolve(ws); });
    ws.addEventListener("message", (ev) => { try { onFrame(JSON.parse(ev.data)); } catch (e) { console.error(e); } });
    ws.addEventListener("close", () => {
      socket = null; opening = null;
      if (current) failCurrent("The connection to the server closed during the run.");
      reject(new Error("closed"));
    });
    ws.addEventListener("error", () => { opening = null; reject(new Error("could not connect")); });
  });
  return opening;
}

// While a run streams, the response area is pinned to the bottom of the window (its own
// scroll box), so the answer stays in view however long the conversation above it.
function pin(on) {
  const area = document.getElementById("response-area");
  area.classList.toggle("pinned", on);
}

// Keep the newest output in view inside the pinned area, unless the user scrolled it up.
let followedTo = 0; // where follow() last put the box's scrollTop
function follow() {
  const area = document.getElementById("response-area");
  if (!area.classList.contains("pinned")) return;
  if (area.dataset.userScrolled !== "true") {
    area.scrollTop = area.scrollHeight;
    followedTo = area.scrollTop;
  }
}

function setButtons(running) {
  // The result stays pinned after the run (where the user was looking) until they go back
  // to editing the conversation.
  if (running) pin(true);
  document.getElementById("run-button").disabled = running;
  document.getElementById("compare-button").disabled = running;
  document.getElementById("grid-button").disabled = running;
  document.getElementById("stop-button").disabled = !running;
}

function fmt(n, digits = 0) { return n === null || n === undefined ? "–" : Number(n).toFixed(digits); }

// One column: a status line and a StreamView. Runs have one; compare has 2-4.
function makeColumn(parent, title) {
  const status = h("div", { class: "run-status", "data-testid": "run-status" });
  const badge = h("span", { class: "badge badge-streaming", "data-testid": "run-outcome" }, "streaming");
  const head = h("div", { class: "run-head" }, badge, h("strong", { class: "mono" }, ` ${title} `), status);
  const box = h("div", { class: "run-column" }, head);
  parent.append(box);
  const view = new StreamView(box);
  const col = { box, head, badge, status, view, started: performance.now(), firstAt: null, link: null, result: null };
  renderStatus(col);
  return col;
}

function renderStatus(col, fin) {
  const u = col.view.usage || {};
  const parts = [];
  const ttft = fin ? fin.ttft_ms : col.firstAt ? col.firstAt - col.started : null;
  const out = col.view.outputTokens();
  const stopped = fin && fin.outcome === "client_cancelled";
  if (stopped) parts.push(`stopped by you after ${fmt(fin.duration_ms ?? performance.now() - col.started)} ms`);
  parts.push(`TTFT ${fmt(ttft)} ms`);
  if (fin && fin.tokens_per_s != null && !stopped) parts.push(`${fmt(fin.tokens_per_s, 1)} tok/s`);
  else if (col.firstAt !== null && out.n) {
    // Live speed while streaming (and for a stopped run): tokens so far over time since the first.
    const seconds = ((fin ? col.finishedAt : performance.now()) - col.firstAt) / 1000;
    if (seconds > 0.05) parts.push(`${out.estimate ? "~" : ""}${fmt(out.n / seconds, 1)} tok/s`);
  }
  parts.push(`in ${u.input_tokens ?? "–"} · out ${out.estimate ? "~" : ""}${out.n || (fin ? "–" : 0)}`);
  if (u.cache_read_input_tokens) parts.push(`cache read ${u.cache_read_input_tokens}`);
  if (fin) parts.push(`cost ${fin.cost_usd == null ? "–" : "$" + Number(fin.cost_usd).toFixed(6)}`);
  if (fin && fin.duration_ms != null && !stopped) parts.push(`time ${fmt(fin.duration_ms)} ms`);
  const stop = fin ? fin.stop_reason : col.view.stopReason;
  if (stop) parts.push(`stop_reason ${stop}`);
  clear(col.status).append(parts.join(" · "));
  if (col.link) col.status.append(" · ", h("a", { href: col.link, "data-testid": "exchange-link" }, "recorded exchange"));
}

function responseCard(title) {
  const area = clear(document.getElementById("response-area"));
  area.dataset.userScrolled = "false";
  followedTo = 0;
  const card = h("div", { class: "card response", "data-testid": "response" }, h("h3", {}, title));
  area.append(card);
  card.scrollIntoView({ block: "nearest" });
  return card;
}

function newRunId() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }

// Sending a request the validator rejects stays possible, after a clear warning. The check
// runs on the request as it is now (the live check is debounced and may lag a keystroke).
async function confirmSend(proceed) {
  const box = document.getElementById("send-warning");
  showEmptyFindings();
  await validateNow();
  if (current) return;
  if (!hasErrors()) { box.hidden = true; proceed(); return; }
  const errors = findings.filter((f) => f.severity === "error");
  clear(box).append(
    h("strong", { class: "finding-error" }, `The validator rejects this request (${errors.length} error${errors.length > 1 ? "s" : ""}): `),
    errors[0].message, h("br"),
    h("span", { class: "muted" }, "The API will most likely answer with an error. Send it anyway to see the API's own answer? "),
    h("button", { type: "button", class: "primary", "data-testid": "send-anyway", onclick: () => { box.hidden = true; proceed(); } }, "Send anyway"), " ",
    h("button", { type: "button", onclick: () => { box.hidden = true; } }, "Cancel"));
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

async function send(message) {
  try {
    const ws = await connect();
    ws.send(JSON.stringify(message));
  } catch {
    failCurrent("Could not open the run connection (WebSocket /ws/runs/).");
  }
}

function baseMessage(action) {
  const copy = currentCopy();
  const msg = { action, run_id: newRunId(), request: structuredClone(store.request), provider: store.state.provider, headers: { ...store.state.headers } };
  if (copy) msg.copy = copy.id;
  if (action !== "grid") msg.variables = activeVariables();
  return msg;
}

let starting = false;

async function guarded(fn) {
  if (current || starting) return;
  starting = true;
  try { await fn(); } finally { starting = false; }
}

export function run() {
  return guarded(() => confirmSend(() => {
    const msg = { ...baseMessage("run"), thread: null };
    const card = responseCard(`Response · ${msg.request.model}`);
    current = { id: msg.run_id, kind: "run", request: msg.request, card, columns: new Map([[0, makeColumn(card, msg.request.model || "")]]) };
    setButtons(true);
    send(msg);
  }));
}

export function autorun(request, maxSteps) {
  if (current) return;
  store.replaceRequest(request, "load");
  const msg = { ...baseMessage("autorun"), mocks: structuredClone(store.state.mocks), max_steps: maxSteps, thread: null };
  const card = responseCard(`Auto-run · up to ${maxSteps} steps`);
  // `loaded`: the conversation last put in the form, to tell the user's edits from the loop's.
  current = { id: msg.run_id, kind: "autorun", request: msg.request, card, columns: new Map(), steps: new Map(), loaded: structuredClone(store.request) };
  setButtons(true);
  send(msg);
}

// Compare: 2-4 columns, each its own model and parameters (compare.js). The dialog has
// already checked every column's request with the validator and asked before sending one
// it rejects; `requests` are the columns' requests as the server will send them.
export function compare(targets, requests) {
  return guarded(async () => {
    const msg = { ...baseMessage("compare"), targets, thread: null };
    const card = responseCard(`Compare · ${targets.length} columns`);
    // Columns take the width their content needs and scroll sideways rather than squeeze.
    const grid = h("div", { class: "compare-grid", "data-testid": "compare-grid" });
    const hint = h("span", { class: "muted compare-hint", "data-testid": "compare-hint", hidden: true }, " · scroll sideways for every column");
    card.querySelector("h3").append(hint);
    card.append(grid);
    new ResizeObserver(() => { hint.hidden = grid.scrollWidth <= grid.clientWidth + 1; }).observe(grid);
    const columns = new Map(targets.map((t, i) => {
      const col = makeColumn(grid, t.model);
      col.head.append(summary(requests[i] || {}, t.overrides));
      return [i, col];
    }));
    current = { id: msg.run_id, kind: "compare", request: msg.request, card, columns, pending: targets.length };
    setButtons(true);
    send(msg);
  });
}

// The evaluation grid: the request once per value set, one row each (the server runs a few
// at a time, each a recorded exchange), answers streaming into their rows.
export function grid() {
  return guarded(() => {
    const sets = valueSets();
    if (!sets.length) {
      const card = responseCard("Evaluation grid");
      card.append(h("p", { class: "inline-error", "data-testid": "grid-empty" }, "Add value sets on the Variables tab first: the grid runs the request once per set."));
      return;
    }
    const msg = { ...baseMessage("grid"), sets, thread: null };
    const card = responseCard(`Evaluation grid · ${sets.length} value set${sets.length > 1 ? "s" : ""} · ${msg.request.model}`);
    const table = h("div", { class: "eval-grid", "data-testid": "eval-grid" });
    card.append(table);
    const rows = new Map(sets.map((set, i) => {
      const row = h("div", { class: "eval-row", dataset: { testid: "grid-row", valueSet: set.name } }, h("div", { class: "eval-set mono" }, set.name));
      table.append(row);
      return [i, makeColumn(row, "")];
    }));
    current = { id: msg.run_id, kind: "grid", request: msg.request, card, columns: rows };
    setButtons(true);
    send(msg);
  });
}

export function stop() {
  if (!current || !socket) return;
  socket.send(JSON.stringify({ action: "stop", run_id: current.id }));
}

function columnFor(frame) {
  if (current.kind === "compare") return current.columns.get(frame.column ?? 0);
  if (current.kind === "grid") return current.columns.get(frame.row ?? 0);
  if (current.kind === "autorun") {
    const step = frame.step ?? 1;
    if (!current.steps.has(step)) {
      const section = h("div", { class: "loop-step" }, h("h4", {}, `Step ${step}`));
      current.card.append(section);
      current.steps.set(step, makeColumn(section, current.request.model || ""));
      follow(); // the live step is always the one shown
    }
    return current.steps.get(step);
  }
  return current.columns.get(0);
}

function done() {
  current = null;
  setButtons(false);
}

function failCurrent(message) {
  if (!current) return;
  const col = [...(current.steps || current.columns).values()].pop() || makeColumn(current.card, "");
  col.view.showError({ type: "connection_error", message }, null);
  col.badge.className = "badge badge-interrupted";
  col.badge.textContent = "interrupted";
  done();
}

function onFrame(frame) {
  if (!current || frame.run_id !== current.id) return;
  switch (frame.type) {
    case "run.started": {
      const col = columnFor(frame);
      col.link = frame.exchange_url;
      renderStatus(col);
      break;
    }
    case "run.events": {
      const col = columnFor(frame);
      if (col.firstAt === null && frame.events.some((e) => e.event === "content_block_delta")) col.firstAt = performance.now();
      col.view.handleEvents(frame.events);
      renderStatus(col);
      follow();
      break;
    }
    case "run.finished": finished(frame); break;
    case "loop.step": loopStep(frame); break;
    case "grid.finished": done(); break;
    case "run.rejected": {
      const col = columnFor(frame) || columnFor({});
      col.view.showError(frame.error || {}, null);
      // A refused compare runs no column at all.
      const refused = current.kind === "compare" ? [...current.columns.values()].filter((c) => !c.result) : [col];
      for (const c of refused) {
        c.badge.className = "badge badge-rejected";
        c.badge.textContent = "rejected";
      }
      done();
      break;
    }
    default: break;
  }
}

function finished(frame) {
  const col = columnFor(frame);
  col.finishedAt = performance.now();
  col.view.finish(frame.message);
  col.result = frame;
  const stopped = frame.outcome === "client_cancelled";
  // A run the user stopped is not a failure: neutral, with how far it got.
  col.badge.className = `badge badge-${frame.outcome}`;
  col.badge.textContent = stopped ? "stopped" : frame.outcome;
  col.badge.title = frame.outcome;
  col.box.classList.toggle("run-stopped", stopped);
  if (frame.error && !stopped) col.view.showError(frame.error, frame.request_id);
  renderStatus(col, frame);
  if (stopped || frame.error) col.box.scrollIntoView({ block: "nearest" });
  if (current.kind === "compare") {
    if (--current.pending <= 0) done();
    return;
  }
  if (current.kind === "grid") return; // grid.finished ends it
  if (current.kind === "autorun") return; // the final loop.step ends it
  const request = current.request;
  done();
  remember(col, frame);
  if (frame.outcome === "completed" && frame.stop_reason === "tool_use" && toolUses(frame.message).length) {
    col.box.append(toolCallsPanel(request, frame.message, hooks));
  } else if (frame.outcome === "completed" && frame.stop_reason === "pause_turn") {
    // A paused server-tool turn continues when the conversation is resent with it appended unchanged.
    col.box.append(h("div", { class: "row" }, h("button", { type: "button", class: "primary", "data-testid": "resume", onclick: () => {
      const next = structuredClone(request);
      next.messages = [...(next.messages || []), { role: "assistant", content: structuredClone(frame.message.content || []) }];
      hooks.continueWith(next, true);
    } }, "Continue the paused turn")));
  } else if (frame.outcome === "completed" && frame.message && (frame.message.content || []).length) {
    col.box.append(h("div", { class: "row" }, h("button", { type: "button", "data-testid": "append-reply", onclick: (ev) => {
      const next = structuredClone(request);
      next.messages = [...(next.messages || []), { role: "assistant", content: structuredClone(frame.message.content) }, { role: "user", content: [{ type: "text", text: "" }] }];
      store.replaceRequest(next, "load");
      ev.target.disabled = true;
    } }, "Append reply and continue the conversation")));
  }
}

function loopStep(frame) {
  const request = applyEdits(structuredClone(frame.request), editsBetween(current.loaded, store.request));
  current.loaded = structuredClone(frame.request);
  const messages = request.messages || [];
  if (frame.final && frame.reason !== "missing_mock" && messages.length && messages[messages.length - 1].role === "assistant") {
    // The loop is over: the next thing the user writes is their own turn, not a prefill.
    messages.push({ role: "user", content: [{ type: "text", text: "" }] });
  }
  keepingFocus(() => store.replaceRequest(request, "load"));
  if (!frame.final) return;
  const reasons = { end_turn: "finished: the model ended its turn", max_steps: "stopped at the step limit", error: "stopped on an error", missing_mock: "stopped: a tool has no mock", cancelled: "stopped" };
  const note = h("p", { class: "loop-end", "data-testid": "loop-end" }, `Auto-run ${reasons[frame.reason] || frame.reason} after ${frame.step} step(s).`);
  if (frame.missing_tools && frame.missing_tools.length) note.append(` Needs an answer: ${frame.missing_tools.join(", ")}.`);
  current.card.append(note);
  follow(); // how the loop ended is the last thing it shows
  const lastCol = [...current.steps.values()].pop();
  const last = lastCol && lastCol.result;
  done();
  if (frame.reason === "missing_mock" && last && last.message) {
    // The final request already ends with the assistant turn: answer from the form's copy.
    const request = structuredClone(frame.request);
    request.messages.pop();
    lastCol.box.append(toolCallsPanel(request, last.message, hooks));
  }
}

// The last response of each open request (working copy) survives a reload: kept in this
// browser's storage, shown again when the page opens.
function storageKey() {
  const copy = currentCopy();
  return copy ? `composer.last-response.${copy.id}` : null;
}

function remember(col, frame) {
  const key = storageKey();
  if (!key || !frame.message) return;
  try {
    localStorage.setItem(key, JSON.stringify({ model: current?.request?.model || frame.message.model || "", message: frame.message,
      outcome: col.badge.textContent, outcomeClass: col.badge.className, status: col.status.textContent, link: col.link }));
  } catch { /* storage full or refused: the response just does not come back */ }
}

export function restoreLastResponse() {
  const key = storageKey();
  if (!key) return;
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch { saved = null; }
  if (!saved || !saved.message || !Array.isArray(saved.message.content)) return;
  const area = clear(document.getElementById("response-area"));
  const body = h("div", { class: "response-blocks" }, saved.message.content.map((b, i) => renderFinalBlock(b, i)));
  const status = h("div", { class: "run-status", "data-testid": "run-status" }, saved.status || "");
  const link = saved.link && saved.link.startsWith("/") ? h("a", { href: saved.link, "data-testid": "exchange-link" }, "recorded exchange") : null;
  area.append(h("div", { class: "card response", "data-testid": "response", dataset: { restored: "true" } },
    h("h3", {}, `Last response · ${saved.model}`),
    h("div", { class: "run-head" }, h("span", { class: saved.outcomeClass || "badge", "data-testid": "run-outcome" }, saved.outcome || ""), " ", status, link ? " · " : null, link),
    body));
}
