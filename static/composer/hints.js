// Parameters the chosen model rejects, flagged before sending (from the contract's model
// catalogue, the same data the validator applies). Nothing is disabled: people may want to
// see the API's own error, so the flag is a visible note, not a lock.

import { store } from "./state.js";

function note(el, text) {
  el.classList.toggle("model-rejects", !!text);
  el.title = text || "";
}

function markOptions(select, accepted, model) {
  for (const opt of select.options) {
    if (!opt.dataset.label) opt.dataset.label = opt.textContent;
    const rejected = opt.value && accepted && !accepted.includes(opt.value);
    opt.textContent = rejected ? `${opt.dataset.label} (not for ${model})` : opt.dataset.label;
  }
}

export function applyModelHints(config) {
  const model = store.request.model || "";
  const rules = config.modelRules[model] || null;
  const sampling = rules ? rules.sampling !== false : true;
  for (const name of ["temperature", "top_p", "top_k"]) {
    for (const el of document.querySelectorAll(`[data-bind="${name}"]`)) {
      note(el, sampling ? "" : `${model} rejects ${name}`);
    }
  }
  const thinkingTypes = rules ? ["disabled", ...rules.thinking] : null;
  for (const el of document.querySelectorAll('[data-bind="thinking.type"]')) markOptions(el, thinkingTypes, model);
  const effort = rules && Array.isArray(rules.effort) ? rules.effort : null;
  for (const el of document.querySelectorAll('[data-bind="output_config.effort"]')) markOptions(el, rules && rules.effort === null ? [] : effort, model);
  const forced = rules ? rules.forced_tool !== false : true;
  for (const el of document.querySelectorAll('[data-bind="tool_choice.type"]')) markOptions(el, forced ? null : ["auto", "none"], model);
  // The model's output ceiling bounds max_tokens (the contract's catalogue).
  const limit = config.modelLimits[model];
  for (const el of document.querySelectorAll('[data-bind="max_tokens"]')) {
    if (limit) el.max = String(limit); else el.removeAttribute("max");
    const value = store.request.max_tokens;
    note(el, limit && typeof value === "number" && value > limit ? `${model} allows at most ${limit} output tokens` : "");
  }
  const prefill = document.querySelector(".chip.prefill");
  if (prefill) {
    const rejected = rules && rules.prefill === false;
    prefill.textContent = rejected ? `prefill: ${model} rejects a final assistant turn` : "prefill";
    prefill.classList.toggle("finding-error", !!rejected);
  }
}
