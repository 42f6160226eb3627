// The side panel's Parameters, Tools and Headers tabs, and the tab switcher.
// Parameters are bound fields (bind.js); tools are re-rendered on structural changes;
// headers and mocks live beside the request in the store (they are not part of the body).

import { store, pathText } from "./state.js";
import { h, clear, option, prettyJSON } from "./dom.js";
import { bindField } from "./bind.js";

let config = null;

export function initPanels(cfg) {
  config = cfg;
  for (const tab of document.querySelectorAll(".composer-side [role=tab]")) {
    tab.addEventListener("click", () => showTab(tab.dataset.tab));
  }
}

export function showTab(name) {
  for (const tab of document.querySelectorAll(".composer-side [role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll(".composer-side .tab-panel")) panel.hidden = panel.dataset.panel !== name;
}

function boundField(label, bind, kind, attrs = {}, tag = "input", choices = null) {
  const el = h(tag, { ...attrs, dataset: { bind, kind }, "aria-label": label });
  if (choices) for (const [v, l] of choices) el.append(option(v, l));
  bindField(el);
  return h("label", { class: "field", dataset: { path: bind } }, h("span", { class: "label" }, label), el);
}

export function renderParams() {
  const p = config.parameters;
  const root = clear(document.getElementById("panel-params"));
  const num = (min, max, step) => ({ type: "number", min, max, step, class: "num" });
  root.append(
    h("h4", {}, "Sampling"),
    boundField("max_tokens", "max_tokens", "int", { ...num(p.max_tokens.min, null, 1), "data-testid": "panel-max-tokens" }),
    boundField("temperature", "temperature", "float", { ...num(p.temperature.min, p.temperature.max, p.temperature.step), placeholder: "1.0" }),
    boundField("top_p", "top_p", "float", num(p.top_p.min, p.top_p.max, p.top_p.step)),
    boundField("top_k", "top_k", "int", num(p.top_k.min, null, 1)),
    boundField("stop_sequences (one per line)", "stop_sequences", "lines", { rows: 2 }, "textarea"),
    h("h4", {}, "Thinking"),
    boundField("type", "thinking.type", "choice", {}, "select", [["", "off"], ["enabled", "enabled"], ["adaptive", "adaptive"], ["disabled", "disabled"]]),
    boundField("budget_tokens", "thinking.budget_tokens", "int", num(p.budget_tokens.min, null, 256)),
    boundField("display", "thinking.display", "choice", {}, "select", [["", "(default: summarized)"], ["summarized", "summarized"], ["omitted", "omitted"]]),
    h("h4", {}, "Tool choice"),
    boundField("type", "tool_choice.type", "choice", {}, "select", [["", "(not sent: auto when tools exist)"], ["auto", "auto"], ["any", "any"], ["tool", "tool"], ["none", "none"]]),
    boundField("name (type tool)", "tool_choice.name", "opt"),
    boundField("disable_parallel_tool_use", "tool_choice.disable_parallel_tool_use", "bool", { type: "checkbox" }),
    h("h4", {}, "Other"),
    boundField("metadata.user_id", "metadata.user_id", "opt", { placeholder: "opaque end-user id" }),
    boundField("service_tier", "service_tier", "choice", {}, "select", [["", "(not sent)"], ...p.service_tier.map((v) => [v, v])]),
    boundField("output_config.effort", "output_config.effort", "choice", {}, "select", [["", "(not sent)"], ...p.effort.map((v) => [v, v])]),
    boundField("output_config.format (JSON)", "output_config.format", "json", { rows: 4, class: "mono", placeholder: '{"type": "json_schema", "schema": {...}}' }, "textarea"),
  );
}

function mockEditor(name) {
  const mocks = store.state.mocks;
  const mock = mocks[name];
  const kind = mock ? mock.type : "";
  const sel = h("select", { "aria-label": `mock for ${name}`, dataset: { testid: `mock-type-${name}` } },
    option("", "no mock (answer by hand)", !kind), option("static", "static JSON", kind === "static"), option("template", "template over the input", kind === "template"));
  const text = h("textarea", { rows: 3, class: "mono", "aria-label": `mock value for ${name}`, dataset: { testid: `mock-value-${name}` }, hidden: kind ? null : "hidden",
    placeholder: kind === "template" ? 'e.g. {"city": "{{input.city}}", "temp_c": 21}' : '{"temp_c": 21}' });
  text.value = !mock ? "" : mock.type === "template" ? mock.template : typeof mock.value === "string" ? mock.value : prettyJSON(mock.value);
  const err = h("div", { class: "inline-error", role: "alert", hidden: "hidden" });
  const write = () => {
    err.hidden = true;
    if (!sel.value) delete mocks[name];
    else if (sel.value === "template") mocks[name] = { type: "template", template: text.value };
    else {
      try { mocks[name] = { type: "static", value: JSON.parse(text.value || "null") }; } catch (e) {
        err.textContent = `invalid JSON (kept as typed, not saved into the mock): ${e.message}`; err.hidden = false; return;
      }
    }
    store.commit("mocks");
  };
  sel.addEventListener("change", () => { text.hidden = !sel.value; write(); });
  text.addEventListener("input", write);
  return h("div", { class: "mock" }, h("span", { class: "label" }, "mock result"), sel, text, err);
}

function renderTool(tool, k) {
  const tools = store.request.tools;
  const path = pathText(["tools", k]);
  const custom = !tool.type || tool.type === "custom";
  const card = h("div", { class: `card tool ${custom ? "" : "block-server block"}`, dataset: { path } });
  const cache = h("input", { type: "checkbox", checked: !!tool.cache_control, "aria-label": "cache_control" });
  cache.addEventListener("change", () => { if (cache.checked) tool.cache_control = { type: "ephemeral" }; else delete tool.cache_control; store.commit("structure"); });
  card.append(h("div", { class: "block-head" }, h("span", { class: `chip ${custom ? "chip-tool_use" : "chip-server"}` }, custom ? "custom tool" : tool.type),
    h("label", {}, cache, " cache"), h("span", { class: "spacer" }),
    h("button", { type: "button", class: "icon", title: "Delete tool", "aria-label": "Delete tool", onclick: () => { tools.splice(k, 1); if (!tools.length) delete store.request.tools; store.commit("structure"); } }, "✕")));
  if (custom) {
    const name = h("input", { dataset: { bind: `${path}.name`, kind: "text", testid: `tool-name-${k}` }, "aria-label": "tool name", value: tool.name || "" });
    let oldName = tool.name;
    bindField(name);
    let mockBox = tool.name ? mockEditor(tool.name) : h("div");
    name.addEventListener("change", () => {
      if (tool.name === oldName) return;
      // The mock follows its tool when the tool is renamed; only the mock editor is redrawn,
      // so focus stays wherever the user went next.
      const mocks = store.state.mocks;
      if (oldName && mocks[oldName] && !mocks[tool.name]) { mocks[tool.name] = mocks[oldName]; delete mocks[oldName]; }
      oldName = tool.name;
      const next = tool.name ? mockEditor(tool.name) : h("div");
      mockBox.replaceWith(next);
      mockBox = next;
      store.commit("mocks");
    });
    const desc = h("textarea", { rows: 2, dataset: { bind: `${path}.description`, kind: "opt" }, "aria-label": "tool description" });
    desc.value = tool.description || "";
    bindField(desc);
    const schema = h("textarea", { rows: 6, class: "mono", dataset: { bind: `${path}.input_schema`, kind: "json", testid: `tool-schema-${k}` }, "aria-label": "input_schema" });
    schema.value = tool.input_schema === undefined ? "" : prettyJSON(tool.input_schema);
    bindField(schema);
    card.append(h("label", { class: "field" }, h("span", { class: "label" }, "name"), name),
      h("label", { class: "field" }, h("span", { class: "label" }, "description"), desc),
      h("label", { class: "field", dataset: { path: `${path}.input_schema` } }, h("span", { class: "label" }, "input_schema (JSON Schema)"), schema));
    card.append(mockBox);
  } else {
    const raw = h("textarea", { rows: 4, class: "mono", dataset: { bind: path, kind: "json" }, "aria-label": `${tool.type} definition` });
    raw.value = prettyJSON(tool);
    bindField(raw);
    card.append(raw);
  }
  return card;
}

export function renderTools() {
  const root = clear(document.getElementById("panel-tools"));
  const tools = Array.isArray(store.request.tools) ? store.request.tools : [];
  tools.forEach((tool, k) => root.append(tool && typeof tool === "object" ? renderTool(tool, k) : h("div", { class: "inline-error" }, `tools[${k}] is not an object`)));
  const addCustom = h("button", { type: "button", "data-testid": "add-tool", onclick: () => {
    if (!Array.isArray(store.request.tools)) store.request.tools = [];
    store.request.tools.push({ name: `tool_${store.request.tools.length + 1}`, description: "", input_schema: { type: "object", properties: {}, required: [] } });
    store.commit("structure");
  } }, "+ custom tool");
  const addServer = h("select", { "aria-label": "+ server tool" }, option("", "+ server tool"), config.serverTools.map((t) => option(t.type, `${t.type} (${t.name})`)));
  addServer.addEventListener("change", () => {
    const def = config.serverTools.find((t) => t.type === addServer.value);
    if (!def) return;
    if (!Array.isArray(store.request.tools)) store.request.tools = [];
    store.request.tools.push({ type: def.type, name: def.name });
    store.commit("structure");
  });
  root.append(h("div", { class: "row" }, addCustom, addServer));
}

export function renderHeaders() {
  const root = clear(document.getElementById("panel-headers"));
  const headers = store.state.headers;
  const headerInput = (name, attrs = {}) => {
    const el = h("input", { ...attrs, value: headers[name] || "", "aria-label": name, dataset: { header: name } });
    el.addEventListener("input", () => { if (el.value) headers[name] = el.value; else delete headers[name]; store.commit("headers"); });
    return h("label", { class: "field" }, h("span", { class: "label" }, name), el);
  };
  const betaList = h("datalist", { id: "beta-names" }, config.betas.map((b) => option(b)));
  root.append(headerInput("anthropic-version", { placeholder: config.defaultVersion }),
    headerInput("anthropic-beta", { list: "beta-names", placeholder: "comma-separated beta names", class: "wide" }), betaList,
    h("h4", {}, "Other headers"),
    h("p", { class: "muted" }, "Sent with the run, e.g. the simulator's x-sim-delay-ms or x-sim-fault. Credentials never go here: providers hold their own keys."));
  const others = Object.keys(headers).filter((n) => n !== "anthropic-version" && n !== "anthropic-beta");
  const rows = h("div", { class: "header-rows" });
  const addRow = (name = "", value = "") => {
    const n = h("input", { value: name, placeholder: "x-sim-delay-ms", "aria-label": "header name", class: "mono" });
    const v = h("input", { value, placeholder: "value", "aria-label": "header value", class: "mono" });
    let current = name;
    const write = () => {
      if (current) delete headers[current];
      const key = n.value.trim().toLowerCase();
      if (key === "x-api-key" || key === "authorization") { n.classList.add("invalid"); n.title = "credentials are never sent from the page"; current = ""; return; }
      n.classList.remove("invalid");
      current = key;
      if (key) headers[key] = v.value;
      store.commit("headers");
    };
    n.addEventListener("input", write);
    v.addEventListener("input", write);
    const del = h("button", { type: "button", class: "icon", "aria-label": "remove header", onclick: () => { if (current) delete headers[current]; row.remove(); store.commit("headers"); } }, "✕");
    const row = h("div", { class: "row header-row" }, n, v, del);
    rows.append(row);
  };
  // Header names are case-insensitive: two rows (or a row and a field above) naming the
  // same header send only one of them. Each such row gets a finding.
  const markDuplicates = () => {
    const named = [...rows.querySelectorAll(".header-row")].map((row, i) => {
      row.dataset.path = `headers[${i}]`;
      return { i, name: row.querySelector("input").value.trim().toLowerCase() };
    });
    const fixed = new Set(["anthropic-version", "anthropic-beta"]);
    store.headerFindings = named.filter(({ name }) => name && (fixed.has(name) || named.filter((o) => o.name === name).length > 1))
      .map(({ i, name }) => ({ path: `headers[${i}]`, api_path: "headers", severity: "warning", status: 0, error_type: "",
        message: fixed.has(name) ? `duplicate header name "${name}": it has its own field above (names are case-insensitive)`
          : `duplicate header name "${name}": header names are case-insensitive and only one value is sent` }));
  };
  rows.addEventListener("input", markDuplicates, true);
  rows.addEventListener("click", () => queueMicrotask(() => { markDuplicates(); store.commit("headers"); }));
  for (const name of others) addRow(name, headers[name]);
  markDuplicates();
  root.append(rows, h("button", { type: "button", "data-testid": "add-header", onclick: () => addRow() }, "+ header"));
}
