// While an auto-run runs, each step's conversation replaces the form. What the user does
// meanwhile survives it: edits to fields that already existed are carried over onto each
// step's request (the loop itself goes on with the conversation as it started), and the
// field being typed in keeps its focus, caret and the page's scroll position.

import { setAt } from "./state.js";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// [[path, value]] for each leaf where `now` differs from `base` (value undefined: removed).
// Arrays are compared index by index over the indices both have: turns or blocks added or
// removed meanwhile are not edits to carry over.
export function editsBetween(base, now, path = []) {
  if (same(base, now)) return [];
  if (isObject(base) && isObject(now)) {
    const keys = new Set([...Object.keys(base), ...Object.keys(now)]);
    return [...keys].flatMap((k) => editsBetween(base[k], now[k], [...path, k]));
  }
  if (Array.isArray(base) && Array.isArray(now)) {
    const n = Math.min(base.length, now.length);
    const out = [];
    for (let i = 0; i < n; i++) out.push(...editsBetween(base[i], now[i], [...path, i]));
    return out;
  }
  return path.length ? [[path, now === undefined ? undefined : structuredClone(now)]] : [];
}

export function applyEdits(target, edits) {
  for (const [path, value] of edits) setAt(target, path, value);
  return target;
}

// Run `render` (which rebuilds the form) without moving the user: the focused text field is
// found again by its block's data-path and its own data-bind, and gets its caret back.
export function keepingFocus(render) {
  const el = document.activeElement;
  const holder = el && el.closest && el.closest("#composer [data-path]");
  const y = window.scrollY;
  const where = holder && el.matches("textarea, input") ? {
    path: holder.dataset.path, bind: el.dataset.bind, tag: el.tagName,
    index: [...holder.querySelectorAll(el.tagName)].indexOf(el),
    start: el.selectionStart, end: el.selectionEnd,
  } : null;
  render();
  if (window.scrollY !== y) window.scrollTo(window.scrollX, y);
  if (!where) return;
  const again = document.querySelector(`#composer [data-path="${CSS.escape(where.path)}"]`);
  if (!again) return;
  const field = (where.bind && again.querySelector(`${where.tag}[data-bind="${CSS.escape(where.bind)}"]`))
    || again.querySelectorAll(where.tag)[where.index];
  if (!field) return;
  field.focus({ preventScroll: true });
  try { field.setSelectionRange(where.start, where.end); } catch { /* not a text field */ }
}
