// Small helpers shared by the block editors: a labelled field, a field bound to a place in
// the request (bind.js), and the commit used after structural changes.

import { store, pathText } from "./state.js";
import { h, prettyJSON } from "./dom.js";
import { bindField } from "./bind.js";

export function commitStructure() { store.commit("structure"); }

export function field(label, input, extra) {
  return h("label", { class: "field" }, h("span", { class: "label" }, label), input, extra);
}

export function bound(tag, path, kind, attrs = {}) {
  const name = [...path].reverse().find((k) => typeof k === "string" && k !== "enabled") || "value";
  const el = h(tag, { "aria-label": name, ...attrs, dataset: { bind: pathText(path), kind } });
  const value = path.reduce((o, k) => (o == null ? undefined : o[k]), store.request);
  if (kind === "bool") el.checked = value === true;
  else if (kind === "json") el.value = value === undefined ? "" : prettyJSON(value);
  else el.value = value === undefined || value === null ? "" : String(value);
  bindField(el);
  return el;
}
