// The page's single source of truth: {request, provider, headers, mocks}.
// Editors mutate `store.state` through the helpers below and call `store.commit(source)`;
// listeners decide what to redraw from the source ("form" = a field changed in place,
// "structure" = blocks/turns added or moved, "raw" = the raw JSON view, "load" = replaced).
// Every commit autosaves the draft (debounced): nothing typed is lost on reload.

const SAVE_DELAY_MS = 700;

export function readJSONScript(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function postJSON(url, payload, headers = {}) {
  const resp = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrftoken": csrfToken(), ...headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
    credentials: "same-origin",
  });
  let data = null;
  try { data = await resp.json(); } catch { data = null; }
  return { ok: resp.ok, status: resp.status, data };
}

// Paths are arrays of keys: ["messages", 2, "content", 0, "text"].
export function getAt(obj, path) {
  let cur = obj;
  for (const key of path) {
    if (cur == null) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function setAt(obj, path, value) {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    if (cur[key] == null || typeof cur[key] !== "object") cur[key] = typeof path[i + 1] === "number" ? [] : {};
    cur = cur[key];
  }
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(last, 1); else delete cur[last];
  } else {
    cur[last] = value;
  }
}

// "thinking.budget_tokens" or "messages[2].content[0]" -> ["thinking","budget_tokens"] ...
export function parsePath(text) {
  const out = [];
  for (const part of text.split(".")) {
    const re = /([^[\]]+)|\[(\d+)\]/g;
    let m;
    while ((m = re.exec(part))) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  }
  return out;
}

export function pathText(path) {
  let s = "";
  for (const key of path) s += typeof key === "number" ? `[${key}]` : (s ? "." : "") + key;
  return s;
}

// Drop objects left empty by a cleared field ({thinking: {}} -> no thinking).
export function pruneEmpty(request, keys) {
  for (const key of keys) {
    const v = request[key];
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) delete request[key];
  }
}

class Store {
  constructor() {
    this.state = null;
    this.listeners = [];
    this.saveTimer = null;
    this.saveEnabled = true;
    this.onSaveState = () => {};
  }

  init(state) {
    this.state = {
      request: state.request && typeof state.request === "object" ? state.request : {},
      provider: state.provider ?? null,
      headers: state.headers || {},
      mocks: state.mocks || {},
    };
  }

  get request() { return this.state.request; }

  subscribe(fn) { this.listeners.push(fn); }

  commit(source, detail = {}) {
    for (const fn of this.listeners) fn(source, detail);
    this.scheduleSave();
  }

  replaceRequest(request, source = "load") {
    this.state.request = request;
    this.commit(source);
  }

  scheduleSave() {
    if (!this.saveEnabled) return;
    clearTimeout(this.saveTimer);
    this.onSaveState("editing");
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  async save(keepalive = false) {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    // One save in flight at a time, so an older state can never land after a newer one.
    if (this.saving && !keepalive) { this.saveAgain = true; return; }
    this.saving = true;
    try { await this.sendDraft(keepalive); } finally { this.saving = false; }
    if (this.saveAgain) { this.saveAgain = false; this.save(); }
  }

  async sendDraft(keepalive) {
    const body = JSON.stringify(this.state);
    try {
      const resp = await fetch("/draft", {
        method: "POST", body, keepalive: keepalive && body.length < 60000,
        headers: { "content-type": "application/json", "x-csrftoken": csrfToken() },
        credentials: "same-origin",
      });
      if (resp.ok) this.onSaveState("saved");
      else {
        let msg = `draft not saved (${resp.status})`;
        try { msg = (await resp.json()).error.message; } catch { /* keep the status */ }
        this.onSaveState("error", msg);
      }
    } catch {
      this.onSaveState("error", "draft not saved: the server did not answer");
    }
  }

  flush() {
    if (this.saveTimer) this.save(true);
  }
}

export const store = new Store();
