// The Variables tab: `{{name}}` placeholders in any text field of the request, filled from
// named value sets saved with the request (state.variables = {sets: [{name, values}],
// active}). The placeholders and where they are come from the server (POST /variables,
// the same parser a run resolves with); the table has one column per value set, one row
// per variable, and marks the placeholders the set has no value for. An empty cell is "no
// value". Runs send the active set (activeVariables); the evaluation grid sends them all.

import { store, postJSON } from "./state.js";
import { h, clear } from "./dom.js";

let used = {}; // placeholder name -> [paths], from the last check
let added = []; // variables added by hand and not in any set yet (this page only)

function vars() { return store.state.variables; }

export function activeSet() {
  const { sets, active } = vars();
  return sets.find((s) => s.name === active) || sets[0] || null;
}

// What a run message carries: null when the request has no value sets (sent as written).
export function activeVariables() {
  const set = activeSet();
  return set ? { set: set.name, values: { ...set.values } } : null;
}

export function valueSets() { return vars().sets.map((s) => ({ name: s.name, values: { ...s.values } })); }

// Findings for placeholders without a value, from the server's check of the request.
export async function checkVariables() {
  // No "{{" anywhere: no placeholder, so no need to send a request of megabytes again.
  if (!JSON.stringify(store.request).includes("{{")) {
    if (Object.keys(used).length) { used = {}; renderVariables(); }
    return [];
  }
  const { ok, data } = await postJSON("/variables", { request: store.request, variables: vars() });
  if (!ok || !data) return [];
  const next = data.placeholders || {};
  // Redraw only when the placeholders changed: a redraw would take the focus from a cell.
  if (JSON.stringify(next) !== JSON.stringify(used)) { used = next; renderVariables(); }
  return data.findings || [];
}

function commit() { store.commit("variables"); renderVariables(); }

function uniqueName(base, taken) {
  let n = 1, name = base;
  while (taken.includes(name)) name = `${base} ${++n}`;
  return name;
}

function addSet() {
  const sets = vars().sets;
  const from = activeSet();
  sets.push({ name: uniqueName("set", sets.map((s) => s.name)), values: from ? { ...from.values } : {} });
  if (!vars().active) vars().active = sets[0].name;
  commit();
}

function setHeader(set) {
  const v = vars();
  const name = h("input", { value: set.name, class: "set-name", "aria-label": "value set name", dataset: { testid: "set-name" } });
  name.addEventListener("change", () => {
    const next = name.value.trim();
    if (!next || v.sets.some((s) => s !== set && s.name === next)) { name.classList.add("invalid"); name.title = "a value set needs a name of its own"; return; }
    name.classList.remove("invalid");
    if (v.active === set.name) v.active = next;
    set.name = next;
    commit();
  });
  const active = h("input", { type: "radio", name: "active-set", checked: activeSet() === set, "aria-label": `use ${set.name}`, dataset: { testid: "set-active" } });
  active.addEventListener("change", () => { v.active = set.name; commit(); });
  const remove = h("button", { type: "button", class: "icon", "aria-label": `remove value set ${set.name}`, onclick: () => {
    v.sets.splice(v.sets.indexOf(set), 1);
    if (v.active === set.name) v.active = v.sets.length ? v.sets[0].name : null;
    commit();
  } }, "✕");
  return h("th", {}, h("label", { class: "set-head" }, active, name, remove));
}

function cell(set, variable) {
  const input = h("input", { value: set.values[variable] ?? "", "aria-label": `${variable} in ${set.name}`, dataset: { testid: `value-${set.name}-${variable}` } });
  const missing = () => used[variable] && !(variable in set.values);
  input.placeholder = missing() ? "no value" : "";
  input.classList.toggle("missing", !!missing());
  input.addEventListener("input", () => {
    if (input.value === "") delete set.values[variable]; else set.values[variable] = input.value;
    input.classList.toggle("missing", !!missing());
    store.commit("variables");
    updateStatus();
  });
  return h("td", {}, input);
}

function variableRow(variable, sets) {
  const name = h("input", { value: variable, class: "mono var-name", "aria-label": "variable name" });
  name.addEventListener("change", () => {
    const next = name.value.trim();
    if (!next || next === variable) { name.value = variable; return; }
    added = added.map((n) => (n === variable ? next : n));
    for (const set of sets) if (variable in set.values) { set.values[next] = set.values[variable]; delete set.values[variable]; }
    commit();
  });
  const where = used[variable] ? h("span", { class: "muted", title: used[variable].join("\n") }, `${used[variable].length} place${used[variable].length > 1 ? "s" : ""}`) : h("span", { class: "muted" }, "not used");
  const remove = h("button", { type: "button", class: "icon", "aria-label": `remove variable ${variable}`, onclick: () => {
    added = added.filter((n) => n !== variable);
    for (const set of sets) delete set.values[variable];
    commit();
  } }, "✕");
  return h("tr", { dataset: { variable } }, h("th", {}, name, " ", where, " ", used[variable] ? null : remove), sets.map((s) => cell(s, variable)));
}

// Which set is active and which placeholders it has no value for.
function updateStatus() {
  const line = document.getElementById("vars-status");
  const active = activeSet();
  if (!line || !active) return;
  const missing = Object.keys(used).filter((n) => !(n in active.values));
  line.className = missing.length ? "finding-error" : "muted";
  line.textContent = `Active: ${active.name}.` + (missing.length ? ` No value for ${missing.map((n) => `{{${n}}}`).join(", ")}.` : "");
}

// The top bar's picker of the active value set (hidden without sets).
function renderPicker() {
  const field = document.getElementById("active-set-field");
  const picker = document.getElementById("active-set");
  const { sets } = vars();
  field.hidden = !sets.length;
  clear(picker).append(...sets.map((s) => h("option", { value: s.name, selected: s === activeSet() ? "selected" : null }, s.name)));
  picker.onchange = () => { vars().active = picker.value; commit(); };
}

export function renderVariables() {
  renderPicker();
  const root = clear(document.getElementById("panel-variables"));
  const { sets } = vars();
  const names = [...new Set([...Object.keys(used), ...added, ...sets.flatMap((s) => Object.keys(s.values))])].sort();
  root.append(h("p", { class: "muted" }, "Write ", h("code", {}, "{{name}}"), " in any text field; each value set fills them. A run uses the chosen set; ",
    h("strong", {}, "Grid"), " runs every set side by side. Without value sets a placeholder is sent as written."));
  if (!sets.length) {
    if (names.length) root.append(h("p", { class: "finding-warning" }, `Placeholders without values: ${names.map((n) => `{{${n}}}`).join(", ")}`));
  } else {
    const table = h("table", { class: "vars-table", "data-testid": "vars-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "variable"), sets.map(setHeader))),
      h("tbody", {}, names.map((n) => variableRow(n, sets))));
    root.append(h("div", { class: "vars-scroll" }, table), h("p", { id: "vars-status", "data-testid": "vars-status" }));
    updateStatus();
  }
  const newVar = h("input", { placeholder: "new variable", class: "mono", "aria-label": "new variable name", dataset: { testid: "new-variable" } });
  newVar.addEventListener("change", () => {
    const name = newVar.value.trim();
    if (!name || !sets.length) return;
    if (!added.includes(name)) added.push(name);
    renderVariables();
  });
  root.append(h("div", { class: "row" }, h("button", { type: "button", "data-testid": "add-set", onclick: addSet }, "+ value set"), sets.length ? newVar : null));
}
