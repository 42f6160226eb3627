// The CodeMirror 6 parts the playground uses, bundled into one ES module.
export { EditorView, keymap, lineNumbers } from "@codemirror/view";
export { EditorState, Compartment } from "@codemirror/state";
export { basicSetup } from "codemirror";
export { json, jsonParseLinter } from "@codemirror/lang-json";
export { linter, lintGutter, forceLinting } from "@codemirror/lint";
export { autocompletion, completeFromList } from "@codemirror/autocomplete";
export { syntaxTree, foldGutter, bracketMatching, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
export { tags } from "@lezer/highlight";
