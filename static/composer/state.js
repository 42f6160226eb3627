// The page's single source of truth: {request, provider, headers, mocks, notes, variables}.
// Editors mutate `store.state` through the helpers below and call `store.commit(source)`;
// listeners decide what to redraw from the source ("form" = a field changed in place,
// "structure" = blocks/turns added or moved, "raw" = the raw JSON view, "load" = replaced).
// Every commit autosaves the working copy (debounced, to `saveURL`): nothing typed is lost
// on reload.

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
    this.saveURL = null;
    this.revision = null; // the copy's revision these edits started from (null: overwrite)
    this.pending = false;
    this.chain = Promise.resolve();
    this.onSaveState = () => {};
    this.onSaved = () => {};
  }

  init(state) {
    const variables = state.variables && typeof state.variables === "object" ? state.variables : {};
    this.state = {
      request: state.request && typeof state.request === "object" ? state.request : {},
      provider: state.provider ?? null,
      headers: state.headers || {},
      mocks: state.mocks || {},
      notes: typeof state.notes === "string" ? state.notes : "",
      variables: { sets: Array.isArray(variables.sets) ? variables.sets : [], active: variables.active ?? null },
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
    if (!this.saveEnabled || !this.saveURL) return;
    this.pending = true;
    clearTimeout(this.saveTimer);
    this.onSaveState("editing");
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  // Sends the state when a change is pending; resolves once every save sent so far has
  // been answered. Saves go one after the other, so an older state never lands after a
  // newer one; each sends the state as it is when its turn comes.
  save(keepalive = false) {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.pending || !this.saveEnabled || !this.saveURL) return this.chain;
    this.pending = false;
    if (keepalive) { this.sendDraft(true); return this.chain; }
    this.chain = this.chain.then(() => this.sendDraft(false));
    return this.chain;
  }

  async sendDraft(keepalive) {
    const body = JSON.stringify(this.state);
    try {
      const url = this.revision === null ? this.saveURL : `${this.saveURL}?revision=${this.revision}`;
      const resp = await fetch(url, {
        method: "POST", body, keepalive: keepalive && body.length < 60000,
        headers: { "content-type": "application/json", "x-csrftoken": csrfToken() },
        credentials: "same-origin",
      });
      let data = null;
      try { data = await resp.json(); } catch { data = null; }
      if (resp.ok) {
        if (data && Number.isInteger(data.revision)) this.revision = data.revision;
        this.onSaveState("saved");
        this.onSaved(data || {});
      } else if (resp.status === 409) {
        this.pending = true; // kept in this page until the user chooses
        this.onSaveState("conflict", (data && data.error && data.error.message) || "changed in another window");
      } else {
        this.pending = true; // kept for the next try: nothing typed is dropped
        this.onSaveState("error", (data && data.error && data.error.message) || `draft not saved (${resp.status})`);
      }
    } catch {
      this.pending = true;
      this.onSaveState("error", "draft not saved: the server did not answer");
    }
  }

  // True when an edit has not reached the server yet (pending or too large to send on unload).
  flush() {
    if (!this.pending) return false;
    const large = JSON.stringify(this.state).length >= 60000;
    this.save(true);
    return large;
  }
}

export const store = new Store();
