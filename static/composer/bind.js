// Two-way binding between form fields and the request. A field declares its place with
// data-bind="thinking.budget_tokens" (relative to the request) and its kind; typing writes
// the value through, clearing an optional field removes the key, and JSON fields keep the
// user's text (with an inline error) until it parses: nothing typed is lost.

import { store, getAt, setAt, parsePath, pruneEmpty } from "./state.js";

function fieldValue(el, kind) {
  if (kind === "bool") return el.checked ? true : undefined;
  const raw = el.value;
  if (kind === "text") return raw;
  if (raw.trim() === "") return undefined;
  if (kind === "int") {
    const n = Number(raw);
    return Number.isFinite(n) ? Math.trunc(n) : { error: "not a number" };
  }
  if (kind === "float") {
    const n = Number(raw);
    return Number.isFinite(n) ? n : { error: "not a number" };
  }
  if (kind === "lines") return raw.split("\n").filter((s) => s !== "");
  if (kind === "json") {
    try { return { json: JSON.parse(raw) }; } catch (e) { return { error: `invalid JSON: ${e.message}` }; }
  }
  return raw; // "choice" and "opt": empty -> removed
}

// Keep dependent fields coherent: thinking off removes the whole object, "enabled" needs a
// budget, other types take none; a tool_choice without a type is no tool_choice.
function normalize(request, bind) {
  const t = request.thinking;
  if (bind === "thinking.type" && t) {
    if (!t.type) delete request.thinking;
    else if (t.type === "enabled" && t.budget_tokens === undefined) t.budget_tokens = 2048;
    else if (t.type !== "enabled") delete t.budget_tokens;
  }
  if (bind.startsWith("tool_choice") && request.tool_choice && !request.tool_choice.type) delete request.tool_choice;
  pruneEmpty(request, ["thinking", "tool_choice", "metadata", "output_config"]);
}

export function showError(el, message) {
  let box = el.nextElementSibling;
  if (!box || !box.classList.contains("field-error")) {
    box = document.createElement("div");
    box.className = "field-error inline-error";
    box.setAttribute("role", "alert");
    el.after(box);
  }
  box.textContent = message || "";
  box.hidden = !message;
  el.classList.toggle("invalid", !!message);
}

export function writeField(el, basePath = []) {
  const kind = el.dataset.kind || "opt";
  const path = [...basePath, ...parsePath(el.dataset.bind)];
  let value = fieldValue(el, kind);
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if ("error" in value) { showError(el, value.error); return false; }
    if ("json" in value) value = value.json;
  }
  showError(el, "");
  setAt(store.request, path, value);
  normalize(store.request, el.dataset.bind);
  return true;
}

export function bindField(el, basePath = [], source = "form") {
  const handler = () => { if (writeField(el, basePath)) store.commit(source, { el }); };
  el.addEventListener(el.tagName === "SELECT" || el.type === "checkbox" ? "change" : "input", handler);
}

// Refresh every bound field from the request (skipping the one being typed in).
export function refreshFields(root, except) {
  for (const el of root.querySelectorAll("[data-bind]")) {
    if (el === except || el === document.activeElement) continue;
    if (el.classList.contains("invalid")) continue; // keep the user's broken text
    const kind = el.dataset.kind || "opt";
    const value = getAt(store.request, parsePath(el.dataset.bind));
    if (kind === "bool") el.checked = value === true;
    else if (kind === "lines") el.value = Array.isArray(value) ? value.join("\n") : "";
    else if (kind === "json") el.value = value === undefined ? "" : JSON.stringify(value, null, 2);
    else el.value = value === undefined || value === null ? "" : String(value);
  }
}
