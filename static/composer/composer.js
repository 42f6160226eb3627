// Entry point of the composer page: loads the state and the catalogue the server rendered
// (as JSON script elements, never executed), wires the parts together and routes each
// change to the parts that must follow it.

import { store, readJSONScript, postJSON } from "./state.js";
import { h, clear, option } from "./dom.js";
import { refreshFields, bindField, showError } from "./bind.js";
import { initBlocks, renderConversation, updateBreakpoints } from "./blocks.js";
import { initPanels, renderParams, renderTools, renderHeaders } from "./panels.js";
import { initRaw, refreshRaw } from "./raw.js";
import { scheduleValidation, applyFindings, holdEmptyFindings, showEmptyFindings } from "./findings.js";
import { applyModelHints } from "./hints.js";
import { initRun, run, stop, compare, autorun, grid, isRunning, restoreLastResponse } from "./run.js";
import { initCopies, openNew } from "./copies.js";
import { initSave } from "./save.js";
import { renderVariables } from "./variables.js";
import { initCompare } from "./compare.js";

const config = readJSONScript("composer-config");
store.init(readJSONScript("composer-state") || {});

const picker = document.getElementById("model-picker");

function syncPicker() {
  const model = store.request.model || "";
  const value = `${store.state.provider || ""}|${model}`;
  if (![...picker.options].some((o) => o.value === value)) {
    // A model id the catalogue does not list (an imported request): offer it as is.
    picker.insertBefore(option(value, model || "(no model)"), picker.lastElementChild);
  }
  picker.value = value;
}

picker.addEventListener("change", () => {
  if (picker.value === "__custom__") {
    const input = h("input", { class: "mono", placeholder: "model id", "aria-label": "model id" });
    picker.after(input);
    input.focus();
    input.addEventListener("change", () => {
      if (input.value.trim()) { store.request.model = input.value.trim(); store.state.provider = null; }
      input.remove();
      store.commit("structure");
    });
    return;
  }
  const [provider, model] = picker.value.split("|", 2);
  store.request.model = model;
  store.state.provider = provider || null;
  store.commit("form", { el: picker });
});

function renderAll() {
  // JSON fields the user left broken keep their text across a re-render (nothing typed is lost).
  const broken = [...document.querySelectorAll("#composer [data-bind].invalid")].map((el) => [el.dataset.bind, el.value, el.nextElementSibling?.textContent || ""]);
  renderConversation(document.getElementById("conversation"));
  renderTools();
  for (const [bind, value, message] of broken) {
    const el = document.querySelector(`#composer [data-bind="${CSS.escape(bind)}"]`);
    if (el) { el.value = value; showError(el, message); }
  }
  refreshFields(document, null);
  syncPicker();
  updateTopbar();
  applyModelHints(config);
  applyFindings();
}

function updateTopbar() {
  const t = store.request.thinking;
  document.getElementById("top-budget-field").hidden = !(t && t.type === "enabled");
}

store.subscribe((source, detail) => {
  if (source === "structure" || source === "load") holdEmptyFindings();
  if (source === "structure" || source === "raw" || source === "load") {
    renderAll();
    if (source === "load") renderHeaders();
    if (source !== "raw") refreshRaw(source === "load");
  } else if (source === "form") {
    refreshFields(document, detail.el);
    updateTopbar();
    if (detail.el === picker || (detail.el && detail.el.dataset.bind === "max_tokens")) applyModelHints(config);
    updateBreakpoints();
    refreshRaw();
  }
  if (source !== "mocks" && source !== "notes") scheduleValidation();
});

const saveState = document.getElementById("save-state");
store.onSaveState = (what, message) => {
  saveState.textContent = what === "saved" ? "draft saved" : what === "editing" ? "editing…" : message;
  saveState.classList.toggle("finding-error", what === "error" || what === "conflict");
  if (what === "conflict") {
    // Another window saved this copy: nothing is overwritten unless asked; the edits stay here.
    saveState.append(" ", h("button", { type: "button", class: "link", "data-testid": "overwrite", onclick: () => { store.revision = null; store.save(); } }, "keep this window's version"),
      " or ", h("a", { href: location.href }, "reload to see theirs"));
  }
};
window.addEventListener("pagehide", () => store.flush());
// A change too large to go out with the page's last request must not vanish silently.
window.addEventListener("beforeunload", (ev) => { if (store.flush()) ev.preventDefault(); });

function blankState() {
  return {
    request: { model: store.request.model || "sim-1", max_tokens: 1024, messages: [{ role: "user", content: [{ type: "text", text: "" }] }] },
    provider: store.state.provider, headers: { ...store.state.headers }, mocks: {}, notes: "", variables: { sets: [], active: null },
  };
}
initCopies(config, blankState);
initSave();

// A branch drops turns: the state before it can be brought back (this page only).
const undoStack = [];
const undoButton = document.getElementById("undo-button");
function remember() {
  undoStack.push(structuredClone(store.state));
  if (undoStack.length > 20) undoStack.shift();
  undoButton.disabled = false;
}
undoButton.addEventListener("click", () => {
  const previous = undoStack.pop();
  undoButton.disabled = !undoStack.length;
  if (!previous) return;
  store.state.headers = previous.headers;
  store.state.mocks = previous.mocks;
  store.state.provider = previous.provider;
  store.replaceRequest(previous.request, "load");
});

initBlocks(config, {
  branchFrom(i) {
    // A branch: keep the turns up to i (edited as the user left them) and run from there.
    remember();
    store.request.messages.splice(i + 1);
    store.commit("structure");
    run();
  },
});
initPanels(config);
initRaw();
initRun({
  continueWith(request, andRun) {
    store.replaceRequest(request, "load");
    if (andRun) run();
  },
  autorun,
});
for (const el of document.querySelectorAll("#topbar [data-bind]")) bindField(el);
renderParams();
renderHeaders();
renderVariables();
renderAll();
refreshRaw(true);
scheduleValidation();
restoreLastResponse();

document.getElementById("run-button").addEventListener("click", run);
// An empty box the user leaves is worth a finding; one they have not reached yet is not.
document.getElementById("conversation").addEventListener("focusout", (ev) => {
  if (ev.target.matches("textarea, input")) showEmptyFindings();
});
document.getElementById("grid-button").addEventListener("click", grid);
// Viewers spend no provider key: the server refuses their runs, and the page says so up front.
if (!config.canWrite) for (const id of ["grid-button", "compare-button"]) document.getElementById(id).disabled = true;
const notes = document.getElementById("notes-text");
notes.value = store.state.notes;
notes.addEventListener("input", () => { store.state.notes = notes.value; store.commit("notes"); });
document.getElementById("stop-button").addEventListener("click", stop);
document.getElementById("new-button").addEventListener("click", () => openNew(blankState()));

// The keyboard map (the `?` dialog lists the same keys). Alt combinations work while typing.
function focusBlock(step) {
  const blocks = [...document.querySelectorAll("#conversation .block")];
  if (!blocks.length) return;
  const at = blocks.findIndex((b) => b.contains(document.activeElement));
  const next = blocks[at < 0 ? (step > 0 ? 0 : blocks.length - 1) : Math.min(blocks.length - 1, Math.max(0, at + step))];
  const field = next.querySelector("textarea, [contenteditable=true]") || next.querySelector("input, select") || next;
  if (field === next) next.tabIndex = -1;
  field.focus();
  next.scrollIntoView({ block: "nearest" });
}
function addTextBlock() {
  const turns = [...document.querySelectorAll("#conversation .turn")];
  const turn = turns.find((t) => t.contains(document.activeElement)) || turns[turns.length - 1];
  const select = turn && turn.querySelector(":scope .add-block");
  if (!select || ![...select.options].some((o) => o.value === "text")) return;
  const index = turns.indexOf(turn);
  select.value = "text";
  select.dispatchEvent(new Event("change"));
  const added = [...document.querySelectorAll(`[data-testid=turn-${index}] textarea.text-input`)].pop();
  if (added) added.focus();
}
function toggleRaw() {
  const raw = document.querySelector('[data-tab="raw"]');
  (raw.getAttribute("aria-selected") === "true" ? document.querySelector('[data-tab="params"]') : raw).click();
}
function switchCopy(step) {
  const tabs = [...document.querySelectorAll(".copy-tab")];
  const at = tabs.findIndex((t) => t.classList.contains("active"));
  const next = tabs[(at + step + tabs.length) % tabs.length];
  const link = next && next !== tabs[at] && next.querySelector(".copy-title");
  if (link) link.click();
}
const ALT_KEYS = { b: addTextBlock, ArrowDown: () => focusBlock(1), ArrowUp: () => focusBlock(-1), r: toggleRaw,
  PageDown: () => switchCopy(1), PageUp: () => switchCopy(-1) };
document.addEventListener("keydown", (ev) => {
  const altKey = ev.altKey && !ev.ctrlKey && !ev.metaKey ? (ev.key.length === 1 ? ev.key.toLowerCase() : ev.key) : null;
  if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); run(); }
  else if (ev.key === "Escape" && isRunning()) { ev.preventDefault(); stop(); }
  else if (altKey && ALT_KEYS[altKey]) { ev.preventDefault(); ALT_KEYS[altKey](); }
  else if (ev.altKey && ev.code && ALT_KEYS[ev.code.replace(/^Key/, "").toLowerCase()]) {
    // Alt+letter types a special character on some layouts (macOS): go by the key's position.
    ev.preventDefault(); ALT_KEYS[ev.code.replace(/^Key/, "").toLowerCase()]();
  }
  else if (ev.key === "?" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) && !document.activeElement.isContentEditable) {
    document.getElementById("shortcuts-dialog").showModal();
  }
});
document.getElementById("shortcuts-close").addEventListener("click", () => document.getElementById("shortcuts-dialog").close());

// Get code
const codeDialog = document.getElementById("code-dialog");
let snippets = {};
function showSnippet(kind) {
  for (const b of codeDialog.querySelectorAll("[data-code]")) b.setAttribute("aria-selected", String(b.dataset.code === kind));
  document.getElementById("code-text").textContent = snippets[kind] || "";
  codeDialog.dataset.kind = kind;
}
document.getElementById("code-button").addEventListener("click", async () => {
  const { ok, data } = await postJSON("/code", { request: store.request, headers: store.state.headers });
  snippets = ok ? data : { curl: (data && data.error && data.error.message) || "could not generate code" };
  showSnippet("curl");
  codeDialog.showModal();
});
for (const b of codeDialog.querySelectorAll("[data-code]")) b.addEventListener("click", () => showSnippet(b.dataset.code));
document.getElementById("code-copy").addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(snippets[codeDialog.dataset.kind] || ""));
document.getElementById("code-close").addEventListener("click", () => codeDialog.close());

// Compare: the dialog's columns (compare.js) run through the run socket (run.js).
initCompare(config, compare);
