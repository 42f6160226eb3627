// Copy buttons for the key and the snippets (no inline scripts: the CSP forbids them).
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source) return;
  const text = source.textContent;
  const done = () => {
    button.classList.add("copied");
    button.textContent = "Copied";
    setTimeout(() => { button.classList.remove("copied"); button.textContent = "Copy"; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => selectText(source));
  } else {
    selectText(source);
  }
});

function selectText(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
