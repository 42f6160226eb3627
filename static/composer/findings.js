// Live contract findings: the request goes to POST /validate (the validator the proxy
// uses) and POST /variables (placeholders without a value), debounced while the user types; each finding is shown next to the block or field
// its path names (the deepest element whose data-path is a prefix of it) and listed in the
// Findings tab, where a click scrolls to and highlights the block.

import { store, postJSON, parsePath, pathText } from "./state.js";
import { h, clear } from "./dom.js";
import { checkVariables } from "./variables.js";

const DELAY_MS = 350;
let timer = null, seq = 0;
export let findings = [];
let all = []; // every finding, including the ones held back below

// A block the user has not typed into yet is not a mistake: findings about empty content
// stay hidden after an action that adds an empty block (New, Append reply, a loop's end),
// and appear when a box loses focus or on Run.
let quietEmpty = true;
const EMPTY = /non-empty/;
function isEmptyContent(f) { return EMPTY.test(f.message || "") && /^messages/.test(f.path || ""); }

export function holdEmptyFindings() { quietEmpty = true; }
export function showEmptyFindings() {
  if (!quietEmpty) return;
  quietEmpty = false;
  findings = all;
  renderList();
  applyFindings();
}

export function hasErrors() { return all.some((f) => f.severity === "error"); }

function targetsFor(path) {
  const parts = parsePath(path);
  for (let n = parts.length; n > 0; n--) {
    const key = pathText(parts.slice(0, n));
    const els = document.querySelectorAll(`[data-path="${CSS.escape(key)}"]`);
    if (els.length) return [...els];
  }
  return [];
}

export function applyFindings() {
  for (const el of document.querySelectorAll(".finding-inline")) el.remove();
  for (const f of findings) {
    for (const target of targetsFor(f.path)) {
      const note = h("div", { class: `finding-inline finding-${f.severity}`, role: f.severity === "error" ? "alert" : null, dataset: { findingPath: f.path } },
        h("strong", {}, f.severity === "error" ? "✖ " : "⚠ "), f.message, " ", h("span", { class: "muted mono" }, f.path));
      const head = target.querySelector(":scope > .block-head, :scope > .turn-head, :scope > summary");
      if (head) head.after(note); else target.append(note);
    }
  }
}

function renderList() {
  const list = clear(document.getElementById("findings-list"));
  const count = document.getElementById("findings-count");
  const errors = findings.filter((f) => f.severity === "error").length;
  count.textContent = findings.length ? `${errors}✖ ${findings.length - errors}⚠` : "";
  count.className = `count ${errors ? "finding-error" : findings.length ? "finding-warning" : ""}`;
  if (!findings.length) { list.append(h("li", { class: "muted" }, "No findings: the validator accepts this request.")); return; }
  for (const f of findings) {
    list.append(h("li", { class: `finding-${f.severity}`, tabindex: "0", onclick: () => reveal(f.path), onkeydown: (ev) => { if (ev.key === "Enter") reveal(f.path); } },
      h("span", { class: "chip" }, f.severity), " ", h("code", {}, f.path || "(body)"), " ", f.message));
  }
}

export function reveal(path) {
  const [target] = targetsFor(path);
  if (!target) return;
  if (target.tagName === "DETAILS") target.open = true;
  target.scrollIntoView({ block: "center", behavior: "smooth" });
  target.classList.add("highlight");
  setTimeout(() => target.classList.remove("highlight"), 1600);
}

export async function validateNow() {
  const mine = ++seq;
  const beta = store.state.headers["anthropic-beta"];
  const [{ ok, data }, unfilled] = await Promise.all([
    postJSON("/validate", JSON.stringify(store.request), beta ? { "anthropic-beta": beta } : {}),
    checkVariables(),
  ]);
  if (mine !== seq) return; // a newer validation is on its way
  if (ok && data && Array.isArray(data.findings)) findings = data.findings;
  else if (data && data.error) findings = [{ path: "", api_path: "", message: data.error.message, severity: "error", error_type: data.error.type, status: 0 }];
  else findings = [];
  all = [...findings, ...unfilled, ...(store.headerFindings || [])];
  findings = quietEmpty ? all.filter((f) => !isEmptyContent(f)) : all;
  renderList();
  applyFindings();
  // Which request the list speaks for (tests and tools wait on it rather than on time).
  document.getElementById("findings-list").dataset.checked = String(mine);
}

export function scheduleValidation() {
  clearTimeout(timer);
  timer = setTimeout(validateNow, DELAY_MS);
}
