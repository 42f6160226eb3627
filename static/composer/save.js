// Save to the library: the dialog (name, description, tags, message; Ctrl/Cmd+S) sends the
// whole composer state to POST /copies/<id>/save. The first save creates the saved request,
// every later one adds a version; the dialog then links to the request's library page.

import { store, postJSON } from "./state.js";
import { h, clear } from "./dom.js";
import { currentCopy, setUnsaved } from "./copies.js";

let dialog = null;

function tagsOf(text) { return text.split(",").map((t) => t.trim()).filter(Boolean); }

function renderLinks(saved) {
  const box = clear(document.getElementById("saved-links"));
  if (!saved) { box.hidden = true; return; }
  box.hidden = false;
  box.append(h("span", {}, "Saved as "),
    h("a", { href: saved.url, "data-testid": "saved-link", title: "The library page, with the history of versions" }, saved.name),
    " · ", h("a", { href: `${saved.url}versions/${saved.version}/`, "data-testid": "version-link" }, `version ${saved.version}`),
    " · ", h("a", { href: saved.url, "data-testid": "history-link" }, "history"));
  if (saved.latest > saved.version) box.append(h("span", { class: "finding-warning" }, ` · version ${saved.latest} is newer (saved by someone else); saving adds a version after it`));
}

function open() {
  const copy = currentCopy();
  if (!copy) return;
  const saved = copy.saved;
  const field = (id) => document.getElementById(id);
  field("save-name").value = saved ? saved.name : copy.title === "Untitled" ? "" : copy.title;
  field("save-description").value = saved ? saved.description : "";
  field("save-tags").value = saved ? saved.tags.join(", ") : "";
  field("save-message").value = "";
  field("save-error").hidden = true;
  field("save-what").textContent = saved ? `Saves version ${saved.version + 1} of “${saved.name}”.` : "Saves a new request to the team library.";
  dialog.showModal();
  field("save-name").focus();
}

async function submit(ev) {
  ev.preventDefault();
  const copy = currentCopy();
  const button = document.getElementById("save-submit");
  const err = document.getElementById("save-error");
  button.disabled = true;
  await store.save(); // the autosave in flight lands first; the save then carries the same state
  const { ok, data } = await postJSON(`/copies/${encodeURIComponent(copy.id)}/save`, {
    state: store.state,
    name: document.getElementById("save-name").value,
    description: document.getElementById("save-description").value,
    tags: tagsOf(document.getElementById("save-tags").value),
    message: document.getElementById("save-message").value,
  });
  button.disabled = false;
  if (!ok) {
    err.textContent = (data && data.error && data.error.message) || "not saved";
    err.hidden = false;
    return;
  }
  copy.saved = data.saved;
  copy.title = data.title;
  store.revision = data.revision;
  const tab = document.querySelector(`.copy-tab[data-copy="${CSS.escape(copy.id)}"] .copy-title`);
  if (tab) tab.textContent = data.title;
  setUnsaved(!!data.unsaved);
  renderLinks(data.saved);
  dialog.close();
  document.getElementById("save-state").textContent = `saved version ${data.saved.version}`;
}

export function initSave() {
  dialog = document.getElementById("save-dialog");
  const copy = currentCopy();
  const button = document.getElementById("save-button");
  if (!copy) { button.disabled = true; return; }
  renderLinks(copy.saved);
  button.addEventListener("click", open);
  document.getElementById("save-form").addEventListener("submit", submit);
  document.getElementById("save-cancel").addEventListener("click", () => dialog.close());
  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && (ev.key === "s" || ev.key === "S")) { ev.preventDefault(); if (!dialog.open) open(); }
  });
}
