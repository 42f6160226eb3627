// A real code editor (CodeMirror 6, vendored) over the JSON text boxes of a page: raw JSON,
// JSON Schemas, tool inputs, mock templates. Syntax highlighting, line numbers, bracket
// matching, folding, parse errors marked at their line, and schema keywords completed in
// JSON Schema fields.
//
// The page's own code keeps talking to its <textarea>: the textarea stays in the page
// (visually hidden) and in step with the editor both ways. Typing in the editor writes the
// textarea and fires its "input" event; setting `textarea.value` from script, or typing into
// the textarea itself, updates the editor. So the binding code, the tests and a page without
// this script all see one plain textarea. While the editor has focus, values set from script
// are ignored, so a refresh never moves the text under the user's cursor.
//
// Which textareas: `data-kind="json"`, `data-code="json"`, and `#raw-json`. Schema keyword
// completion: `data-code-schema`, or a binding to an `input_schema` or `output_config.format`.

import {
  EditorView, EditorState, Compartment, basicSetup, json, jsonParseLinter, linter, lintGutter,
  keymap, HighlightStyle, syntaxHighlighting, tags,
} from "../vendor/codemirror/codemirror.js";

const SELECTOR = 'textarea[data-kind="json"], textarea[data-code="json"], textarea#raw-json';
const SCHEMA_KEYWORDS = [
  "$schema", "$id", "$ref", "$defs", "definitions", "title", "description", "default", "examples",
  "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties",
  "propertyNames", "minProperties", "maxProperties", "items", "prefixItems", "minItems", "maxItems",
  "uniqueItems", "contains", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
  "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "anyOf", "oneOf", "allOf", "not", "if",
  "then", "else", "nullable", "readOnly", "writeOnly",
];
const TYPE_NAMES = ["object", "string", "number", "integer", "boolean", "array", "null"];
const nativeValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value");

function isSchemaField(ta) {
  const bind = ta.dataset.bind || "";
  return "codeSchema" in ta.dataset || bind.endsWith("input_schema") || bind === "output_config.format";
}

// Complete a key inside quotes ("ty| -> "type") and a value after "type": ("ob| -> "object").
function schemaCompletion(context) {
  const word = context.matchBefore(/"[$\w]*/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  const before = context.state.sliceDoc(Math.max(0, word.from - 40), word.from);
  const options = /"type"\s*:\s*\[?\s*("[^"]*"\s*,\s*)*$/.test(before)
    ? TYPE_NAMES.map((label) => ({ label: `"${label}"`, type: "constant" }))
    : /[{,]\s*$/.test(before)
      ? SCHEMA_KEYWORDS.map((label) => ({ label: `"${label}"`, type: "keyword", apply: `"${label}": ` }))
      : null;
  return options && { from: word.from, options, validFor: /^"[$\w]*$/ };
}

// JSON colours from the page's palette, so they follow the light/dark theme with the
// contrast it keeps (CodeMirror's default style is for a light background only).
const jsonColours = syntaxHighlighting(HighlightStyle.define([
  { tag: tags.propertyName, color: "var(--c-tool-use)" },
  { tag: tags.string, color: "var(--c-tool-result)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--c-thinking)" },
  { tag: [tags.separator, tags.punctuation, tags.brace, tags.squareBracket], color: "var(--fg)" },
  { tag: tags.invalid, color: "var(--c-error)" },
]));

// An empty box is an optional field left out (not sent), not broken JSON.
const parseJSON = jsonParseLinter();
function parseErrors(view) {
  return view.state.doc.toString().trim() ? parseJSON(view) : [];
}

function enhance(ta) {
  if (ta.dataset.editor) return;
  ta.dataset.editor = "on";
  const readOnly = new Compartment();
  let syncing = false;

  const host = document.createElement("div");
  host.className = "code-editor";
  host.hidden = ta.hidden;
  ta.before(host);
  // Inside a <label>, a click would also focus the label's control: the hidden textarea.
  host.addEventListener("click", (ev) => { if (host.closest("label")) ev.preventDefault(); });

  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: nativeValue.get.call(ta),
      extensions: [
        basicSetup,
        jsonColours,
        json(),
        linter(parseErrors, { delay: 300 }),
        lintGutter(),
        isSchemaField(ta) ? EditorState.languageData.of(() => [{ autocomplete: schemaCompletion }]) : [],
        readOnly.of(EditorState.readOnly.of(ta.readOnly)),
        keymap.of([{ key: "Escape", run: (v) => { v.contentDOM.blur(); return true; } }]),
        EditorView.contentAttributes.of({ "aria-label": ta.getAttribute("aria-label") || "JSON" }),
        // The CSP refuses inline styles without this page's nonce (base.html's csp-nonce meta).
        EditorView.cspNonce.of(document.querySelector('meta[name="csp-nonce"]')?.content || ""),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || syncing) return;
          nativeValue.set.call(ta, update.state.doc.toString());
          ta.dispatchEvent(new Event("input", { bubbles: true }));
        }),
        EditorView.domEventHandlers({
          blur: () => { ta.dispatchEvent(new Event("blur")); ta.dispatchEvent(new Event("focusout", { bubbles: true })); },
        }),
      ],
    }),
  });

  function showInEditor(text) {
    if (text === view.state.doc.toString()) return;
    syncing = true;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    syncing = false;
  }

  // Values set from script go to the editor too (unless the user is typing in it).
  Object.defineProperty(ta, "value", {
    configurable: true,
    get() { return nativeValue.get.call(ta); },
    set(text) {
      if (view.hasFocus) return;
      nativeValue.set.call(ta, text);
      showInEditor(String(text));
    },
  });
  // Typing into the textarea itself (assistive technology, automation) reaches the editor.
  ta.addEventListener("input", () => { if (!syncing) showInEditor(nativeValue.get.call(ta)); });

  // The textarea's state is the editor's: hidden, read-only, marked invalid.
  new MutationObserver(() => {
    host.hidden = ta.hidden;
    host.classList.toggle("invalid", ta.classList.contains("invalid"));
    view.dispatch({ effects: readOnly.reconfigure(EditorState.readOnly.of(ta.readOnly)) });
  }).observe(ta, { attributes: true, attributeFilter: ["hidden", "class", "readonly"] });

  ta.classList.add("code-editor-source");
  ta.setAttribute("aria-hidden", "true");
  ta.tabIndex = -1;
}

function enhanceAll(root) {
  if (root.matches && root.matches(SELECTOR)) enhance(root);
  if (root.querySelectorAll) for (const ta of root.querySelectorAll(SELECTOR)) enhance(ta);
}

enhanceAll(document);
new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) enhanceAll(node);
}).observe(document.body, { childList: true, subtree: true });
