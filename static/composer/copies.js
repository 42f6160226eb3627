// The open-requests strip: one tab per working copy (the server renders the tabs; this
// wires them). Switching, opening and closing go through the copies' endpoints
// (docs/composer.md); a tab switch first sends the pending autosave, and closing a copy with
// unsaved changes asks first. The current tab's "unsaved" dot follows each autosave answer.

import { store, postJSON } from "./state.js";

let copy = null;

function tabOf(id) { return document.querySelector(`.copy-tab[data-copy="${CSS.escape(id)}"]`); }

export function setUnsaved(unsaved) {
  if (!copy) return;
  copy.unsaved = unsaved;
  const tab = tabOf(copy.id);
  if (tab) tab.dataset.unsaved = String(unsaved);
  const marker = document.getElementById("unsaved-marker");
  if (marker) marker.hidden = !unsaved;
}

export function currentCopy() { return copy; }

async function go(url) {
  await store.save();
  location.assign(url);
}

export async function openNew(state, title = "Untitled") {
  const { ok, data } = await postJSON("/copies", { state, title });
  if (ok) { await go(data.url); return; }
  alertLine((data && data.error && data.error.message) || "could not open a new request");
}

function alertLine(message) {
  const line = document.getElementById("copy-error");
  line.textContent = message;
  line.hidden = false;
}

function askToClose(tab) {
  const dialog = document.getElementById("close-dialog");
  document.getElementById("close-title").textContent = tab.querySelector(".copy-title").textContent;
  return new Promise((resolve) => {
    const answer = (yes) => { dialog.close(); resolve(yes); };
    document.getElementById("close-confirm").onclick = () => answer(true);
    document.getElementById("close-cancel").onclick = () => answer(false);
    dialog.onclose = () => resolve(false);
    dialog.showModal();
  });
}

async function closeTab(tab) {
  const id = tab.dataset.copy;
  const isCurrent = copy && id === copy.id;
  if (isCurrent) await store.save();
  if (tab.dataset.unsaved === "true" && !(await askToClose(tab))) return;
  if (isCurrent) store.saveEnabled = false; // nothing may autosave into a closed copy
  const { ok, data } = await postJSON(`/copies/${encodeURIComponent(id)}/close`, {});
  if (!ok) {
    if (isCurrent) store.saveEnabled = true;
    alertLine((data && data.error && data.error.message) || "could not close it");
    return;
  }
  if (isCurrent) location.assign(data.next);
  else tab.remove();
}

function renameTab(tab) {
  const link = tab.querySelector(".copy-title");
  const input = document.createElement("input");
  input.value = link.textContent;
  input.className = "copy-rename";
  input.setAttribute("aria-label", "request title");
  link.hidden = true;
  link.after(input);
  input.focus();
  input.select();
  let done = false;
  const finish = async (keep) => {
    if (done) return;
    done = true;
    input.remove();
    link.hidden = false;
    if (!keep || input.value === link.textContent) return;
    const { ok, data } = await postJSON(`/copies/${encodeURIComponent(tab.dataset.copy)}/title`, { title: input.value });
    if (ok) { link.textContent = data.title; if (copy && data.id === copy.id) copy.title = data.title; }
    else alertLine((data && data.error && data.error.message) || "could not rename it");
  };
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); finish(true); }
    else if (ev.key === "Escape") { ev.preventDefault(); finish(false); }
  });
  input.addEventListener("blur", () => finish(true));
}

export function initCopies(config, blankState) {
  copy = config.copy;
  if (!copy) { store.saveEnabled = false; return; }
  store.saveURL = `/copies/${encodeURIComponent(copy.id)}/state`;
  store.revision = copy.revision;
  store.onSaved = (data) => setUnsaved(!!data.unsaved);
  // `/?exchange=…` made this copy: a reload must show it, not open another one.
  if (new URLSearchParams(location.search).get("copy") !== copy.id) history.replaceState(null, "", copy.url);
  setUnsaved(copy.unsaved);
  for (const tab of document.querySelectorAll(".copy-tab")) {
    const link = tab.querySelector(".copy-title");
    link.addEventListener("click", (ev) => {
      if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      if (tab.dataset.copy !== copy.id) go(link.href);
    });
    link.addEventListener("dblclick", (ev) => { ev.preventDefault(); renameTab(tab); });
    tab.querySelector(".copy-close").addEventListener("click", () => closeTab(tab));
  }
  document.getElementById("copy-new").addEventListener("click", () => openNew(blankState()));
}
