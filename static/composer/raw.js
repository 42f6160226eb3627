// The Raw tab: the whole request body as JSON, in two-way sync with the form, and the
// import box (a pasted request body or curl command fills the form). Invalid JSON shows
// where it broke and leaves both the text and the form as they were: nothing is lost.

import { store, postJSON } from "./state.js";

const PARSE_DELAY_MS = 250;
let rawEl, rawError, dirty = true, timer = null;

function panelVisible() { return !document.getElementById("panel-raw").hidden; }

function showError(el, message) { el.textContent = message || ""; el.hidden = !message; }

function positionOf(text, message) {
  const m = /position (\d+)/.exec(message);
  if (!m) return "";
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const col = pos - before.lastIndexOf("\n");
  return ` (line ${line}, column ${col})`;
}

export function refreshRaw(force = false) {
  if (!rawEl) return;
  if (!force && !panelVisible()) { dirty = true; return; }
  // Never overwrite what the user is typing, nor broken JSON they have not fixed yet.
  if (!force && (document.activeElement === rawEl || rawEl.classList.contains("invalid"))) return;
  rawEl.value = JSON.stringify(store.request, null, 2);
  rawEl.classList.remove("invalid");
  showError(rawError, "");
  dirty = false;
}

function applyRaw() {
  const text = rawEl.value;
  if (text.trim().startsWith("curl")) { importText(text, rawError); return; }
  let parsed;
  try { parsed = JSON.parse(text); } catch (e) {
    rawEl.classList.add("invalid");
    showError(rawError, `Invalid JSON, the form keeps the last valid request: ${e.message}${positionOf(text, e.message)}`);
    return;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    rawEl.classList.add("invalid");
    showError(rawError, "The request body must be a JSON object.");
    return;
  }
  rawEl.classList.remove("invalid");
  showError(rawError, "");
  store.replaceRequest(parsed, "raw");
}

export async function importText(text, errorEl) {
  const { ok, data } = await postJSON("/import", { text });
  if (!ok) {
    showError(errorEl, (data && data.error && data.error.message) || "could not import that text");
    return false;
  }
  showError(errorEl, "");
  Object.assign(store.state.headers, data.headers || {});
  store.replaceRequest(data.request, "load");
  refreshRaw(true);
  return true;
}

export function initRaw() {
  rawEl = document.getElementById("raw-json");
  rawError = document.getElementById("raw-error");
  rawEl.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(applyRaw, PARSE_DELAY_MS); });
  rawEl.addEventListener("blur", () => { if (!rawEl.classList.contains("invalid")) refreshRaw(); });
  const importEl = document.getElementById("import-text");
  const importError = document.getElementById("import-error");
  document.getElementById("import-button").addEventListener("click", async () => {
    if (await importText(importEl.value, importError)) importEl.value = "";
  });
  document.querySelector('[data-tab="raw"]').addEventListener("click", () => { if (dirty) refreshRaw(true); });
}
