// The conversation editor: system prompt, turn cards and one editor per block type.
// Structural actions (add, remove, move, duplicate, change role or source type) re-render
// the whole conversation; typing writes through in place (bind.js) without a re-render.
// Blocks that come from a response (thinking, redacted_thinking, server tool blocks) are
// shown read-only so they go back exactly as returned.

import { store, pathText, getAt } from "./state.js";
import { h, clear, option, prettyJSON } from "./dom.js";
import { bindField } from "./bind.js";
import { bound, field, commitStructure } from "./fields.js";
import { initMedia, imageEditor, documentEditor } from "./media.js";

let config = null;
let hooks = {};

const EDITABLE = new Set(["text", "image", "document", "tool_use", "tool_result", "search_result", "thinking", "redacted_thinking"]);

export function initBlocks(cfg, h0) { config = cfg; hooks = h0 || {}; initMedia(cfg); }

export function countBreakpoints(request) {
  let n = 0;
  const scan = (blocks) => { if (Array.isArray(blocks)) for (const b of blocks) if (b && b.cache_control) n++; };
  scan(request.tools);
  scan(request.system);
  for (const m of request.messages || []) scan(m && m.content);
  if (request.cache_control) n++;
  return n;
}

export function updateBreakpoints() {
  const el = document.getElementById("breakpoints");
  if (!el) return;
  const n = countBreakpoints(store.request);
  const max = config.parameters.max_breakpoints;
  el.textContent = `cache breakpoints: ${n} / ${max}`;
  el.classList.toggle("finding-error", n > max);
}

function cacheToggle(path, block) {
  const on = !!block.cache_control;
  const ttl = on ? block.cache_control.ttl || "" : "";
  const box = h("input", { type: "checkbox", checked: on, "aria-label": "cache_control" });
  box.addEventListener("change", () => {
    if (box.checked) block.cache_control = { type: "ephemeral" }; else delete block.cache_control;
    commitStructure();
  });
  const ttlSel = h("select", { "aria-label": "cache ttl", disabled: on ? null : "disabled" },
    option("", "5m (default)", ttl === ""), ...config.parameters.cache_ttl.map((t) => option(t, t, ttl === t)));
  ttlSel.addEventListener("change", () => {
    if (!block.cache_control) return;
    if (ttlSel.value) block.cache_control.ttl = ttlSel.value; else delete block.cache_control.ttl;
    store.commit("form");
  });
  return h("span", { class: "cache", title: "prompt-cache breakpoint" }, h("label", {}, box, " cache"), ttlSel);
}

function moveItem(list, from, to) {
  if (to < 0 || to >= list.length) return;
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
}

function blockMenu(list, j) {
  const btn = (label, title, fn) => h("button", { type: "button", class: "icon", title, "aria-label": title, onclick: () => { fn(); commitStructure(); } }, label);
  return h("span", { class: "menu" },
    btn("↑", "Move up", () => moveItem(list, j, j - 1)),
    btn("↓", "Move down", () => moveItem(list, j, j + 1)),
    btn("❐", "Duplicate", () => list.splice(j + 1, 0, structuredClone(list[j]))),
    btn("✕", "Delete", () => list.splice(j, 1)));
}

// ---- block editors --------------------------------------------------------------------

function textEditor(path, block) {
  const ta = bound("textarea", [...path, "text"], "text", { rows: 3, class: "text-input", "aria-label": "text", spellcheck: "false" });
  const parts = [ta];
  if (Array.isArray(block.citations) && block.citations.length) {
    parts.push(h("details", { class: "citations" }, h("summary", {}, `${block.citations.length} citation(s)`),
      h("ul", {}, block.citations.map((c) => h("li", {}, h("span", { class: "chip" }, c.type || "citation"), " ",
        c.title || c.url || c.document_title || "", c.cited_text ? h("q", {}, c.cited_text) : null)))));
  }
  return parts;
}

function toolUseEditor(path) {
  return [h("div", { class: "row" },
      field("id", bound("input", [...path, "id"], "text", { class: "mono" })),
      field("name", bound("input", [...path, "name"], "text"))),
    field("input (JSON)", bound("textarea", [...path, "input"], "json", { rows: 3, class: "mono" }))];
}

// tool_use ids of the assistant turn just before message i (what a tool_result may answer).
function answerableIds(i) {
  const prev = (store.request.messages || [])[i - 1];
  if (!prev || prev.role !== "assistant" || !Array.isArray(prev.content)) return [];
  return prev.content.filter((b) => b && b.type === "tool_use").map((b) => ({ id: b.id, name: b.name }));
}

function toolResultEditor(path, block, i) {
  const ids = answerableIds(i);
  const sel = bound("select", [...path, "tool_use_id"], "text", { "aria-label": "tool_use_id", class: "mono" });
  const known = new Set();
  for (const t of ids) { sel.append(option(t.id, `${t.id} (${t.name})`, t.id === block.tool_use_id)); known.add(t.id); }
  if (!known.has(block.tool_use_id)) sel.append(option(block.tool_use_id || "", `${block.tool_use_id || "(none)"} — not in the previous assistant turn`, true));
  sel.value = block.tool_use_id || "";
  const isString = typeof block.content === "string" || block.content === undefined;
  const mode = h("select", { "aria-label": "content mode" }, option("text", "text", isString), option("blocks", "blocks (JSON)", !isString));
  mode.addEventListener("change", () => {
    if (mode.value === "text") block.content = Array.isArray(block.content) ? block.content.filter((b) => b.type === "text").map((b) => b.text).join("\n") : "";
    else block.content = typeof block.content === "string" && block.content ? [{ type: "text", text: block.content }] : [{ type: "text", text: "" }];
    commitStructure();
  });
  const content = isString
    ? bound("textarea", [...path, "content"], "text", { rows: 2, "aria-label": "tool result content" })
    : bound("textarea", [...path, "content"], "json", { rows: 4, class: "mono", "aria-label": "tool result blocks" });
  const isErr = bound("input", [...path, "is_error"], "bool", { type: "checkbox", "aria-label": "is_error" });
  isErr.addEventListener("change", commitStructure);
  return [h("div", { class: "row" }, field("answers", sel), field("is_error", isErr), field("content", mode)), content];
}

function thinkingEditor(path, block, container) {
  const locked = !container.dataset.unlocked;
  const text = h("textarea", { rows: 3, readonly: locked ? "readonly" : null, class: "mono", "aria-label": "thinking" });
  text.value = block.thinking || "";
  if (!locked) { text.dataset.bind = pathText([...path, "thinking"]); text.dataset.kind = "text"; bindField(text); }
  const unlock = h("button", { type: "button", class: "link", onclick: () => { container.dataset.unlocked = "1"; container.replaceWith(renderBlock(path, block)); } }, "edit anyway (breaks the signature)");
  return [h("details", { class: "thinking" }, h("summary", {}, `thinking (${(block.thinking || "").length} chars)`), text),
    h("div", { class: "muted mono sig" }, `signature: ${block.signature ? block.signature.slice(0, 24) + "…" : "(none)"}`),
    locked ? h("span", { class: "muted" }, "Kept exactly as returned. ", unlock) : null];
}

function readOnly(block, note) {
  return [h("pre", { class: "mono readonly" }, prettyJSON(block)), h("span", { class: "muted" }, note)];
}

function searchResultEditor(path) {
  return [h("div", { class: "row" },
      field("source", bound("input", [...path, "source"], "text")),
      field("title", bound("input", [...path, "title"], "text")),
      field("citations", bound("input", [...path, "citations", "enabled"], "bool", { type: "checkbox" }))),
    field("content (text blocks, JSON)", bound("textarea", [...path, "content"], "json", { rows: 3, class: "mono" }))];
}

// Drag a block by its handle onto another block (same turn or another turn) to move it there.
const DRAG_TYPE = "application/x-composer-block";

function dragHandle(path) {
  const handle = h("span", { class: "handle", draggable: "true", title: "Drag to move", "aria-hidden": "true" }, "≡");
  handle.addEventListener("dragstart", (ev) => {
    ev.dataTransfer.setData(DRAG_TYPE, JSON.stringify(path));
    ev.dataTransfer.effectAllowed = "move";
  });
  return handle;
}

function acceptDrops(el, path) {
  el.addEventListener("dragover", (ev) => {
    if (ev.dataTransfer.types.includes(DRAG_TYPE)) { ev.preventDefault(); el.classList.add("drop-target"); }
  });
  el.addEventListener("dragleave", () => el.classList.remove("drop-target"));
  el.addEventListener("drop", (ev) => {
    el.classList.remove("drop-target");
    const raw = ev.dataTransfer.getData(DRAG_TYPE);
    if (!raw) return;
    ev.preventDefault();
    const from = JSON.parse(raw);
    const fromList = getAt(store.request, from.slice(0, -1));
    const toList = getAt(store.request, path.slice(0, -1));
    // System blocks stay in the system prompt, message blocks in messages.
    if (!Array.isArray(fromList) || !Array.isArray(toList) || from[0] !== path[0]) return;
    const [block] = fromList.splice(from[from.length - 1], 1);
    let at = path[path.length - 1];
    if (fromList === toList && from[from.length - 1] < at) at -= 1;
    toList.splice(at, 0, block);
    commitStructure();
  });
}

export function renderBlock(path, block, list, j) {
  const type = block && block.type;
  const el = h("div", { class: `block block-${EDITABLE.has(type) ? type : "server"}${block && block.is_error ? " is-error" : ""}`, dataset: { path: pathText(path) } });
  const head = h("div", { class: "block-head" }, list ? dragHandle(path) : null, h("span", { class: `chip chip-${type}` }, type || "?"));
  if (list) acceptDrops(el, path);
  if (type && !config.noCacheControl.includes(type) && list) head.append(cacheToggle(path, block));
  if (list) head.append(blockMenu(list, j));
  el.append(head);
  let body;
  if (type === "text") body = textEditor(path, block);
  else if (type === "image") body = imageEditor(path, block, el);
  else if (type === "document") body = documentEditor(path, block, el);
  else if (type === "tool_use") body = toolUseEditor(path, block);
  else if (type === "tool_result") body = toolResultEditor(path, block, path[1]);
  else if (type === "thinking") body = thinkingEditor(path, block, el);
  else if (type === "redacted_thinking") body = readOnly(block, "Opaque; sent back exactly as returned.");
  else if (type === "search_result") body = searchResultEditor(path, block);
  else body = readOnly(block, "Server tool block: sent back exactly as returned.");
  el.append(h("div", { class: "block-body" }, body));
  return el;
}

function newBlock(type, i) {
  const rand = () => Math.random().toString(36).slice(2, 12);
  switch (type) {
    case "text": return { type: "text", text: "" };
    case "image": return { type: "image", source: { type: "base64", media_type: "image/png", data: "" } };
    case "document": return { type: "document", source: { type: "text", media_type: "text/plain", data: "" } };
    case "tool_use": return { type: "tool_use", id: `toolu_${rand()}`, name: "", input: {} };
    case "tool_result": {
      const ids = answerableIds(i).map((t) => t.id);
      const used = new Set(((store.request.messages[i] || {}).content || []).filter((b) => b.type === "tool_result").map((b) => b.tool_use_id));
      return { type: "tool_result", tool_use_id: ids.find((id) => !used.has(id)) || "", content: "" };
    }
    case "search_result": return { type: "search_result", source: "", title: "", content: [{ type: "text", text: "" }] };
    case "thinking": return { type: "thinking", thinking: "", signature: "" };
    case "redacted_thinking": return { type: "redacted_thinking", data: "" };
    default: return { type };
  }
}

function renderTurn(i, msg) {
  const messages = store.request.messages;
  const path = ["messages", i];
  const card = h("div", { class: `card turn turn-${msg.role}`, dataset: { path: pathText(path), testid: `turn-${i}` } });
  const role = h("select", { "aria-label": `role of turn ${i + 1}`, class: "role" }, option("user", "user", msg.role === "user"), option("assistant", "assistant", msg.role === "assistant"));
  role.addEventListener("change", () => { msg.role = role.value; commitStructure(); });
  const btn = (label, title, fn) => h("button", { type: "button", class: "icon", title, "aria-label": title, onclick: fn }, label);
  const head = h("div", { class: "turn-head" }, h("span", { class: "turn-no muted" }, `#${i + 1}`), role,
    i === messages.length - 1 && msg.role === "assistant" ? h("span", { class: "chip prefill", title: "A final assistant turn is a prefill: the answer continues from it" }, "prefill") : null,
    h("span", { class: "spacer" }),
    i < messages.length - 1 ? btn("run from here", "Branch: drop the turns after this one and run", () => hooks.branchFrom && hooks.branchFrom(i)) : null,
    btn("↑", "Move turn up", () => { moveItem(messages, i, i - 1); commitStructure(); }),
    btn("↓", "Move turn down", () => { moveItem(messages, i, i + 1); commitStructure(); }),
    btn("❐", "Duplicate turn", () => { messages.splice(i + 1, 0, structuredClone(msg)); commitStructure(); }),
    btn("✕", "Delete turn", () => { messages.splice(i, 1); commitStructure(); }));
  card.append(head);
  if (typeof msg.content === "string") {
    const el = h("div", { class: "block block-text", dataset: { path: pathText([...path, "content"]) } },
      h("div", { class: "block-head" }, h("span", { class: "chip chip-text" }, "text"), h("span", { class: "muted" }, " (string content)"),
        h("button", { type: "button", class: "link", onclick: () => { msg.content = [{ type: "text", text: msg.content }]; commitStructure(); } }, "as blocks")),
      bound("textarea", [...path, "content"], "text", { rows: 3, class: "text-input", "aria-label": "text" }));
    card.append(el);
  } else if (Array.isArray(msg.content)) {
    msg.content.forEach((block, j) => card.append(renderBlock([...path, "content", j], block, msg.content, j)));
  } else {
    card.append(h("div", { class: "inline-error" }, "content must be a string or a list of blocks (fix it in the Raw tab)"));
  }
  const allowed = config.blocksByRole[msg.role] || ["text"];
  const add = h("select", { "aria-label": "+ block", class: "add-block", dataset: { testid: `add-block-${i}` } }, option("", "+ block"), allowed.map((t) => option(t, t)));
  add.addEventListener("change", () => {
    if (!add.value) return;
    if (typeof msg.content === "string") msg.content = msg.content ? [{ type: "text", text: msg.content }] : [];
    if (!Array.isArray(msg.content)) msg.content = [];
    const block = newBlock(add.value, i);
    // tool_result blocks must come first in their message (contract §4.5 rule 3).
    if (add.value === "tool_result") {
      const at = msg.content.findIndex((b) => b.type !== "tool_result");
      msg.content.splice(at === -1 ? msg.content.length : at, 0, block);
    } else msg.content.push(block);
    commitStructure();
  });
  card.append(h("div", { class: "turn-foot" }, add));
  return card;
}

function renderSystem() {
  const req = store.request;
  const sys = req.system;
  const card = h("details", { class: "card system", open: sys ? "open" : null, dataset: { path: "system" } });
  const asBlocks = Array.isArray(sys);
  const mode = h("select", { "aria-label": "system form" }, option("string", "string", !asBlocks), option("blocks", "text blocks", asBlocks));
  mode.addEventListener("change", () => {
    if (mode.value === "blocks") req.system = [{ type: "text", text: typeof sys === "string" ? sys : "" }];
    else { const text = Array.isArray(sys) ? sys.map((b) => b.text || "").join("\n") : ""; if (text) req.system = text; else delete req.system; }
    commitStructure();
  });
  // The form picker sits beside the summary, not in it: a control inside <summary> would also toggle the card.
  card.append(h("summary", {}, h("strong", {}, "System"), " ", h("span", { class: "muted" }, sys ? "" : "(none)")), mode);
  if (asBlocks) {
    sys.forEach((block, j) => card.append(renderBlock(["system", j], block, sys, j)));
    card.append(h("button", { type: "button", onclick: () => { sys.push({ type: "text", text: "" }); commitStructure(); } }, "+ text block"));
  } else {
    const ta = bound("textarea", ["system"], "opt", { rows: 2, "aria-label": "system prompt", placeholder: "System prompt (optional)" });
    card.append(ta);
  }
  return card;
}

export function renderConversation(root) {
  clear(root);
  const req = store.request;
  root.append(h("div", { class: "conv-head" }, h("span", { id: "breakpoints", class: "muted" }), h("span", { class: "spacer" })));
  root.append(renderSystem());
  // Never add keys the user did not write: a body without messages stays without them.
  const messages = Array.isArray(req.messages) ? req.messages : [];
  if (req.messages !== undefined && !Array.isArray(req.messages)) {
    root.append(h("div", { class: "card inline-error", dataset: { path: "messages" } }, "messages must be a list of turns (fix it in the Raw tab)"));
  }
  messages.forEach((m, i) => {
    if (m && typeof m === "object") root.append(renderTurn(i, m));
    else root.append(h("div", { class: "card inline-error", dataset: { path: `messages[${i}]` } }, `messages[${i}] is not an object (fix it in the Raw tab)`));
  });
  const last = messages[messages.length - 1];
  const next = last && last.role === "user" ? "assistant" : "user";
  root.append(h("button", { type: "button", class: "add-turn", "data-testid": "add-turn", onclick: () => {
    if (!Array.isArray(req.messages)) req.messages = [];
    req.messages.push({ role: next, content: [{ type: "text", text: "" }] });
    commitStructure();
  } }, `+ turn (${next})`));
  updateBreakpoints();
}
