// Media block editors: image (upload, paste, URL, file id) and document (PDF, text, URL,
// content blocks, file id). Files are read into base64 in the browser; an image over the
// API's 5 MB base64 limit is refused inline and never reaches the request.

import { h, option, humanBytes } from "./dom.js";
import { bound, field, commitStructure } from "./fields.js";

let config = null;

export function initMedia(cfg) { config = cfg; }

function readFileAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// "[image/png 1.2 MB sha256:ab12…]": the digest identifies the bytes across exchanges.
async function digestLabel(src, label) {
  if (!(crypto && crypto.subtle)) return;
  try {
    const bytes = Uint8Array.from(atob(src.data), (c) => c.charCodeAt(0));
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = [...hash.slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
    label.textContent = `[${src.media_type} ${humanBytes(bytes.length)} sha256:${hex}…]`;
  } catch { /* not valid base64: the validator reports it */ }
}

function mediaError(container, message) {
  let box = container.querySelector(":scope > .media-error");
  if (!box) { box = h("div", { class: "media-error inline-error", role: "alert" }); container.append(box); }
  box.textContent = message;
}

async function acceptImageFile(file, block, container) {
  const types = config.imageMediaTypes;
  if (!types.includes(file.type)) { mediaError(container, `${file.type || "this file"} is not an image type the API takes (${types.join(", ")})`); return; }
  const data = await readFileAsBase64(file);
  const max = config.parameters.max_image_bytes;
  if (data.length > max) {
    // The API checks the base64 payload: refuse before it ever reaches the request.
    mediaError(container, `image is ${humanBytes(data.length)} as base64, over the API's 5 MB limit (${data.length} > ${max} bytes); not added`);
    return;
  }
  block.source = { type: "base64", media_type: file.type, data };
  commitStructure();
}

export function imageEditor(path, block, container) {
  const src = block.source || {};
  const typeSel = h("select", { "aria-label": "image source" }, ["base64", "url", "file"].map((t) => option(t, t, src.type === t)));
  typeSel.addEventListener("change", () => {
    const t = typeSel.value;
    block.source = t === "base64" ? { type: "base64", media_type: "image/png", data: "" } : t === "url" ? { type: "url", url: "" } : { type: "file", file_id: "" };
    commitStructure();
  });
  const parts = [field("source", typeSel)];
  if (src.type === "base64") {
    const file = h("input", { type: "file", accept: config.imageMediaTypes.join(","), "aria-label": "image file", "data-testid": "image-file" });
    file.addEventListener("change", () => { if (file.files[0]) acceptImageFile(file.files[0], block, container); });
    const paste = h("div", { class: "paste-zone", tabindex: "0", title: "Click, then paste an image" }, "or paste an image here");
    paste.addEventListener("paste", (ev) => {
      const item = [...(ev.clipboardData?.items || [])].find((i) => i.kind === "file");
      if (item) { ev.preventDefault(); acceptImageFile(item.getAsFile(), block, container); }
    });
    const mt = bound("select", [...path, "source", "media_type"], "text", { "aria-label": "media_type" });
    for (const t of config.imageMediaTypes) mt.append(option(t, t, src.media_type === t));
    mt.value = src.media_type || "";
    parts.push(h("div", { class: "row" }, file, paste), field("media_type", mt));
    if (src.data) {
      const label = h("span", { class: "muted mono" }, `[${src.media_type} ${humanBytes(src.data.length)} base64]`);
      parts.push(h("div", { class: "thumb-row" },
        h("img", { class: "thumb", alt: "image preview", src: `data:${src.media_type};base64,${src.data}` }), label));
      digestLabel(src, label);
    }
  } else if (src.type === "url") {
    parts.push(field("url", bound("input", [...path, "source", "url"], "text", { type: "url", class: "wide" })),
      h("span", { class: "muted" }, "External images are not loaded here."));
  } else if (src.type === "file") {
    parts.push(field("file_id", bound("input", [...path, "source", "file_id"], "text", { class: "wide" })));
  }
  return parts;
}

export function documentEditor(path, block, container) {
  const src = block.source || {};
  const kinds = { base64: "PDF (base64)", text: "plain text", url: "URL (PDF)", content: "content blocks", file: "file id" };
  const typeSel = h("select", { "aria-label": "document source" }, Object.entries(kinds).map(([t, l]) => option(t, l, src.type === t)));
  typeSel.addEventListener("change", () => {
    const t = typeSel.value;
    block.source = { base64: { type: "base64", media_type: "application/pdf", data: "" }, text: { type: "text", media_type: "text/plain", data: "" }, url: { type: "url", url: "" }, content: { type: "content", content: [{ type: "text", text: "" }] }, file: { type: "file", file_id: "" } }[t];
    commitStructure();
  });
  const parts = [field("source", typeSel)];
  if (src.type === "base64") {
    const file = h("input", { type: "file", accept: "application/pdf", "aria-label": "PDF file" });
    file.addEventListener("change", async () => {
      const f = file.files[0];
      if (!f) return;
      if (f.type !== "application/pdf") { mediaError(container, "a document upload must be a PDF"); return; }
      block.source = { type: "base64", media_type: "application/pdf", data: await readFileAsBase64(f) };
      commitStructure();
    });
    parts.push(file, src.data ? h("span", { class: "muted mono" }, `[application/pdf ${humanBytes(src.data.length)} base64]`) : null);
  } else if (src.type === "text") {
    parts.push(bound("textarea", [...path, "source", "data"], "text", { rows: 3, "aria-label": "document text" }));
  } else if (src.type === "url") {
    parts.push(field("url", bound("input", [...path, "source", "url"], "text", { type: "url", class: "wide" })));
  } else if (src.type === "content") {
    parts.push(field("content (JSON)", bound("textarea", [...path, "source", "content"], "json", { rows: 3 })));
  } else if (src.type === "file") {
    parts.push(field("file_id", bound("input", [...path, "source", "file_id"], "text", { class: "wide" })));
  }
  parts.push(h("div", { class: "row" },
    field("title", bound("input", [...path, "title"], "opt")),
    field("context", bound("input", [...path, "context"], "opt")),
    field("citations", bound("input", [...path, "citations", "enabled"], "bool", { type: "checkbox" }))));
  return parts;
}
