// The Compare dialog: 2-4 columns, each with its own model and, optionally, its own
// temperature, thinking, system prompt and set of tools (docs/composer.md). A column sends
// only what it changes ("overrides"); the server applies them (POST /compare answers each
// column's request and its findings, the run socket applies the same overrides before the
// run), so the page never has its own idea of what a column sends.

import { store, postJSON } from "./state.js";
import { h, clear, option } from "./dom.js";
import { showEmptyFindings } from "./findings.js";

const MIN_COLUMNS = 2, MAX_COLUMNS = 4;
const DELAY_MS = 400;
let config = null;
let columns = []; // the dialog's columns, kept while the page is open
let checked = null; // the last answer of POST /compare for the columns as they are now
let timer = null, seq = 0, confirmed = false;
let runCompare = null;

function blankColumn(model, provider) {
  return { model: `${provider || ""}|${model}`, temperature: "", thinking: "", budget: "2048", ownSystem: false, system: "", tools: null };
}

function requestTools() {
  return (store.request.tools || []).filter((t) => t && typeof t.name === "string").map((t) => t.name);
}

function allModels() {
  return config.modelGroups.flatMap((g) => g.models.map((m) => [g.provider, m]));
}

function defaultColumns() {
  const current = store.request.model || "sim-1";
  const provider = store.state.provider;
  const other = allModels().find(([p, m]) => m !== current && (p || null) === (provider || null)) || allModels().find(([, m]) => m !== current) || [provider, current];
  return [blankColumn(current, provider), blankColumn(other[1], other[0])];
}

// A column's target for the run protocol: the model and only the fields it changes.
export function targetOf(col) {
  const [provider, model] = col.model.split("|", 2);
  const overrides = {};
  if (col.temperature.trim() !== "") overrides.temperature = Number(col.temperature);
  if (col.thinking === "off") overrides.thinking = null;
  else if (col.thinking === "enabled") overrides.thinking = { type: "enabled", budget_tokens: Number.parseInt(col.budget, 10) };
  else if (col.thinking) overrides.thinking = { type: col.thinking };
  if (col.ownSystem) overrides.system = col.system || null;
  if (col.tools) {
    const names = requestTools().filter((n) => col.tools.has(n));
    if (names.length !== requestTools().length) overrides.tools = names;
  }
  return { model, provider: provider || null, overrides };
}

function systemText(system) {
  if (typeof system === "string") return system;
  if (Array.isArray(system)) return system.map((b) => (b && typeof b.text === "string" ? b.text : "")).join("\n");
  return "";
}

// One line saying what a column sends: its model, then temperature, thinking, system and
// tools, the ones the column changes marked as such.
export function summary(request, overrides) {
  const changed = (key) => Object.prototype.hasOwnProperty.call(overrides || {}, key);
  const part = (key, text) => h("span", { class: changed(key) ? "param override" : "param", title: changed(key) ? "this column's own value" : "as in the request" }, text);
  const t = request.thinking;
  const thinking = !t ? "thinking off" : t.type === "enabled" ? `thinking ${t.budget_tokens}` : `thinking ${t.type}`;
  const system = systemText(request.system);
  const tools = (request.tools || []).map((tool) => tool && tool.name).filter(Boolean);
  const parts = [
    part("temperature", request.temperature === undefined ? "temperature default" : `temperature ${request.temperature}`),
    part("thinking", thinking),
    part("system", system ? `system “${system.length > 40 ? system.slice(0, 40) + "…" : system}”` : "no system"),
    part("tools", tools.length ? `tools ${tools.join(", ")}` : "no tools"),
  ];
  const line = h("span", { class: "column-params", "data-testid": "column-params" });
  parts.forEach((p, i) => { if (i) line.append(" · "); line.append(p); });
  return line;
}

function markThinking(select, model) {
  const rules = config.modelRules[model] || null;
  const accepted = rules ? ["disabled", ...rules.thinking] : null;
  for (const opt of select.options) {
    if (!opt.dataset.label) opt.dataset.label = opt.textContent;
    const rejected = accepted && ["enabled", "adaptive", "disabled"].includes(opt.value) && !accepted.includes(opt.value);
    opt.textContent = rejected ? `${opt.dataset.label} (not for ${model})` : opt.dataset.label;
  }
}

function modelSelect(col, n) {
  const select = h("select", { "aria-label": `Model of column ${n}`, "data-testid": "compare-model" });
  for (const group of config.modelGroups) {
    const optgroup = h("optgroup", { label: group.label });
    for (const model of group.models) optgroup.append(option(`${group.provider || ""}|${model}`, model));
    select.append(optgroup);
  }
  if (![...select.options].some((o) => o.value === col.model)) select.append(option(col.model, col.model.split("|", 2)[1] || "(no model)"));
  select.value = col.model;
  return select;
}

function columnEditor(col, index) {
  const n = index + 1;
  const changed = () => { confirmed = false; schedule(); };
  const model = modelSelect(col, n);
  const thinking = h("select", { "aria-label": `Thinking of column ${n}`, "data-testid": "compare-thinking" },
    option("", "as the request"), option("off", "off"), option("enabled", "enabled"), option("adaptive", "adaptive"), option("disabled", "disabled"));
  thinking.value = col.thinking;
  const budget = h("input", { type: "number", min: "1024", step: "256", class: "num", value: col.budget, "aria-label": `Thinking budget of column ${n}`, "data-testid": "compare-budget" });
  const budgetField = h("label", { class: "field" }, h("span", { class: "label" }, "budget_tokens"), budget);
  budgetField.hidden = col.thinking !== "enabled";
  const temperature = h("input", { type: "number", min: "0", max: "1", step: "0.05", class: "num", value: col.temperature,
    placeholder: store.request.temperature === undefined ? "as request" : String(store.request.temperature), "aria-label": `Temperature of column ${n}`, "data-testid": "compare-temperature" });
  const ownSystem = h("input", { type: "checkbox", checked: col.ownSystem, "data-testid": "compare-own-system" });
  const system = h("textarea", { rows: 3, class: "wide", value: col.system, "aria-label": `System prompt of column ${n}`, "data-testid": "compare-system", placeholder: "no system prompt" });
  system.hidden = !col.ownSystem;
  const names = requestTools();
  const tools = names.length
    ? h("fieldset", { class: "compare-tools" }, h("legend", {}, "tools"), names.map((name) => {
      const box = h("input", { type: "checkbox", value: name, checked: !col.tools || col.tools.has(name), "data-testid": "compare-tool" });
      box.addEventListener("change", () => {
        col.tools = new Set([...box.closest("fieldset").querySelectorAll("input:checked")].map((b) => b.value));
        changed();
      });
      return h("label", { class: "choice" }, box, ` ${name}`);
    }))
    : h("p", { class: "muted" }, "No tools in the request.");
  markThinking(thinking, col.model.split("|", 2)[1]);
  model.addEventListener("change", () => { col.model = model.value; markThinking(thinking, col.model.split("|", 2)[1]); changed(); });
  temperature.addEventListener("input", () => { col.temperature = temperature.value; changed(); });
  thinking.addEventListener("change", () => { col.thinking = thinking.value; budgetField.hidden = col.thinking !== "enabled"; changed(); });
  budget.addEventListener("input", () => { col.budget = budget.value; changed(); });
  ownSystem.addEventListener("change", () => {
    col.ownSystem = ownSystem.checked;
    if (col.ownSystem && !col.system) col.system = systemText(store.request.system);
    system.value = col.system;
    system.hidden = !col.ownSystem;
    changed();
  });
  system.addEventListener("input", () => { col.system = system.value; changed(); });
  const remove = columns.length > MIN_COLUMNS
    ? h("button", { type: "button", class: "icon", "aria-label": `Remove column ${n}`, title: "Remove this column", onclick: () => { columns.splice(index, 1); render(); schedule(); } }, "✕")
    : null;
  return h("fieldset", { class: "compare-col", "data-testid": `compare-col-${index}` },
    h("legend", {}, `Column ${n}`, " ", remove),
    h("label", { class: "field" }, h("span", { class: "label" }, "model"), model),
    h("div", { class: "row" },
      h("label", { class: "field" }, h("span", { class: "label" }, "temperature"), temperature),
      h("label", { class: "field" }, h("span", { class: "label" }, "thinking"), thinking),
      budgetField),
    h("label", { class: "choice" }, ownSystem, " own system prompt"),
    system,
    tools,
    h("div", { class: "compare-findings", "data-testid": `compare-findings-${index}`, "aria-live": "polite" }));
}

function render() {
  const box = clear(document.getElementById("compare-columns"));
  columns.forEach((col, i) => box.append(columnEditor(col, i)));
  document.getElementById("compare-add").disabled = columns.length >= MAX_COLUMNS;
  showChecked();
}

function findingLine(f) {
  return h("div", { class: `finding-inline finding-${f.severity}`, role: f.severity === "error" ? "alert" : null },
    h("strong", {}, f.severity === "error" ? "✖ " : "⚠ "), f.message, " ", h("span", { class: "muted mono" }, f.path));
}

// The findings of each column (or the server's refusal of one column's settings), inline.
function showChecked() {
  const boxes = [...document.querySelectorAll("#compare-columns .compare-findings")];
  for (const box of boxes) clear(box);
  const error = document.getElementById("compare-error");
  error.hidden = true;
  const runButton = document.getElementById("compare-run");
  runButton.textContent = "Run comparison";
  if (!checked) return;
  if (checked.error) {
    const box = boxes[checked.error.column ?? -1];
    if (box) box.append(h("div", { class: "inline-error", role: "alert", "data-testid": "compare-refused" }, checked.error.message));
    else { error.textContent = checked.error.message; error.hidden = false; }
    return;
  }
  checked.columns.forEach((column, i) => { if (boxes[i]) boxes[i].append(...column.findings.map(findingLine)); });
  if (confirmed && columnErrors()) runButton.textContent = "Run anyway";
}

function columnErrors() {
  return checked && checked.columns ? checked.columns.reduce((n, c) => n + c.findings.filter((f) => f.severity === "error").length, 0) : 0;
}

async function check() {
  clearTimeout(timer);
  const mine = ++seq;
  const headers = store.state.headers["anthropic-beta"] ? { "anthropic-beta": store.state.headers["anthropic-beta"] } : {};
  const targets = columns.map(targetOf);
  const { ok, data } = await postJSON("/compare", { request: store.request, targets }, headers);
  if (mine !== seq) return null; // a newer check is on its way
  checked = ok ? { columns: data.columns, targets } : { error: (data && data.error) || { message: "the columns could not be checked" } };
  showChecked();
  return checked;
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(check, DELAY_MS);
}

let starting = false;

async function start() {
  if (starting) return; // a second click while the columns are being checked
  starting = true;
  try {
    showEmptyFindings();
    const answer = await check();
    if (!answer || answer.error) return;
    // Like Run: a column the validator rejects is sent only once asked a second time.
    if (columnErrors() && !confirmed) { confirmed = true; showChecked(); return; }
    document.getElementById("compare-dialog").close();
    runCompare(answer.targets, answer.columns.map((c) => c.request));
  } finally {
    starting = false;
  }
}

export function initCompare(cfg, run) {
  config = cfg;
  runCompare = run;
  const dialog = document.getElementById("compare-dialog");
  document.getElementById("compare-button").addEventListener("click", () => {
    if (!columns.length) columns = defaultColumns();
    const names = new Set(requestTools());
    for (const col of columns) if (col.tools) col.tools = new Set([...col.tools].filter((n) => names.has(n)));
    checked = null;
    confirmed = false;
    render();
    dialog.showModal();
    check();
  });
  document.getElementById("compare-add").addEventListener("click", () => {
    if (columns.length >= MAX_COLUMNS) return;
    const last = columns[columns.length - 1];
    columns.push({ ...last, tools: last.tools ? new Set(last.tools) : null });
    render();
    schedule();
  });
  document.getElementById("compare-close").addEventListener("click", () => dialog.close());
  document.getElementById("compare-run").addEventListener("click", start);
}
