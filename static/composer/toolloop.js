// Tool loops, page side. After a response that stopped for tool_use: a row per call (name,
// input, a result editor prefilled from the tool's mock, is_error), then Continue (append the
// assistant turn exactly as returned plus one user turn with a tool_result for every
// tool_use id, in order, and run), Append only (the same turns, for editing in the form) and
// Auto-run (the server answers from the mocks until end_turn, a step limit or an error).

import { store } from "./state.js";
import { h, prettyJSON } from "./dom.js";

// Mirrors playground/composer/mocks.py: no evaluation; {{input.a.b}} placeholders; strings
// inserted JSON-escaped without quotes, other values as compact JSON; missing -> "".
const PLACEHOLDER = /\{\{\s*input((?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

// JSON as Python's json.dumps writes it by default (", " and ": " separators), so a static
// mock prefilled here is the same text the server's auto-run sends.
export function pyDumps(value) {
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(", ")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyDumps(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

export function renderMock(mock, input) {
  if (!mock) return "";
  if (mock.type === "static") return typeof mock.value === "string" ? mock.value : pyDumps(mock.value);
  return String(mock.template || "").replace(PLACEHOLDER, (_, path) => {
    let value = input;
    for (const key of path.split(".").slice(1)) {
      if (value && typeof value === "object" && key in value) value = value[key];
      else return "";
    }
    if (value === undefined) return "";
    return typeof value === "string" ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value);
  });
}

export function toolUses(message) {
  return ((message && message.content) || []).filter((b) => b && b.type === "tool_use");
}

// Same rules as loops.next_turns on the server.
export function nextTurns(request, message, results) {
  const out = structuredClone(request);
  out.messages = [...(out.messages || []), { role: "assistant", content: structuredClone(message.content || []) }];
  const blocks = toolUses(message).map((call) => {
    const r = results[call.id] || { content: "" };
    const block = { type: "tool_result", tool_use_id: call.id, content: r.content };
    if (r.is_error) block.is_error = true;
    return block;
  });
  if (blocks.length) out.messages.push({ role: "user", content: blocks });
  return out;
}

export function toolCallsPanel(request, message, actions) {
  const calls = toolUses(message);
  const rows = calls.map((call) => {
    const mock = store.state.mocks[call.name];
    const result = h("textarea", { rows: 2, class: "mono", "aria-label": `result for ${call.id}`, dataset: { testid: `tool-result-${call.name}` }, placeholder: mock ? "" : "No mock for this tool: type its result" });
    result.value = renderMock(mock, call.input);
    const isError = h("input", { type: "checkbox", "aria-label": "is_error", checked: !!(mock && mock.is_error) });
    return { call, result, isError, mock, el: h("div", { class: "block block-tool_use tool-call" },
      h("div", { class: "block-head" }, h("span", { class: "chip chip-tool_use" }, "tool_use"), h("strong", { class: "mono" }, ` ${call.name} `), h("span", { class: "muted mono" }, call.id),
        mock ? h("span", { class: "chip" }, `mock: ${mock.type}`) : h("span", { class: "chip finding-warning" }, "no mock: waiting for your result")),
      h("div", { class: "tool-call-pair" },
        h("div", {}, h("span", { class: "label" }, "input"), h("pre", { class: "mono tool-input", "data-testid": `tool-input-${call.name}` }, prettyJSON(call.input))),
        h("label", { class: "field" }, h("span", { class: "label" }, "tool_result content"), result)),
      h("label", {}, isError, " is_error")) };
  });
  const results = () => Object.fromEntries(rows.map((r) => [r.call.id, { content: r.result.value, is_error: r.isError.checked }]));
  const problem = h("p", { class: "inline-error", role: "alert", "data-testid": "tool-result-missing", hidden: true });
  // Nothing goes out in the user's name that they did not give: a tool with no mock and an
  // empty box stops here and asks, rather than sending an empty result.
  const given = () => {
    const empty = rows.filter((r) => !r.mock && !r.result.value.trim());
    problem.hidden = !empty.length;
    if (!empty.length) return true;
    problem.textContent = `Type the result of ${empty.map((r) => r.call.name).join(", ")} first (no mock answers ${empty.length > 1 ? "them" : "it"}).`;
    empty[0].result.focus();
    return false;
  };
  const steps = h("input", { type: "number", min: "1", max: "50", value: "5", class: "num", "aria-label": "max steps" });
  const panel = h("div", { class: "card tool-calls", "data-testid": "tool-calls" },
    h("h4", {}, `${calls.length} tool call(s): answer them and continue`),
    rows.map((r) => r.el),
    problem,
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary", "data-testid": "continue", onclick: () => given() && actions.continueWith(nextTurns(request, message, results()), true) }, "Continue (one step)"),
      h("button", { type: "button", "data-testid": "append-only", onclick: () => actions.continueWith(nextTurns(request, message, results()), false) }, "Append to conversation"),
      h("span", { class: "spacer" }),
      h("label", {}, "max steps ", steps),
      h("button", { type: "button", "data-testid": "autorun", onclick: () => given() && actions.autorun(nextTurns(request, message, results()), Number(steps.value) || 5) }, "Auto-run")));
  const firstOpen = rows.find((r) => !r.mock);
  if (firstOpen) queueMicrotask(() => firstOpen.result.scrollIntoView({ block: "nearest" }));
  return panel;
}
