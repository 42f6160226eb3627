// Renders a streamed Messages response as it grows. Deltas are buffered and appended once
// per animation frame (one appendData per growing block per frame, however many events
// arrived), so a 5,000 events/s stream does not make the page fall behind. Model output
// is untrusted: it only ever becomes text nodes, never HTML.

import { h, clear, prettyJSON } from "./dom.js";

const TYPE_CLASS = { text: "text", thinking: "thinking", redacted_thinking: "thinking", tool_use: "tool_use", tool_result: "tool_result" };

export class StreamView {
  constructor(container) {
    this.container = container;
    this.blocks = new Map();
    this.pending = new Set();
    this.frame = 0;
    this.usage = {};
    this.stopReason = null;
    this.deltaChars = 0; // for the live estimate of output tokens until real usage arrives
    this.usageFinal = false;
    this.body = h("div", { class: "response-blocks" });
    this.errorBox = h("div", { class: "run-error", role: "alert", hidden: "hidden" });
    container.append(this.body, this.errorBox);
  }

  handleEvents(events) {
    for (const ev of events) this.handle(ev.event, ev.data);
  }

  handle(name, data) {
    if (!data) return;
    switch (name || data.type) {
      case "message_start":
        if (data.message && data.message.usage) this.usage = { ...data.message.usage };
        break;
      case "content_block_start":
        this.startBlock(data.index, data.content_block || {});
        break;
      case "content_block_delta":
        this.delta(data.index, data.delta || {});
        break;
      case "message_delta":
        if (data.delta && data.delta.stop_reason) this.stopReason = data.delta.stop_reason;
        if (data.usage) { Object.assign(this.usage, data.usage); this.usageFinal = true; }
        break;
      case "error":
        this.showError(data.error || {}, null);
        break;
      default:
        break;
    }
  }

  startBlock(index, block) {
    const type = block.type || "?";
    const cls = TYPE_CLASS[type] || (type.endsWith("_tool_result") || type === "server_tool_use" ? "server" : "text");
    const el = h("div", { class: `block block-${cls} streaming-block`, dataset: { index: String(index), type } }, h("span", { class: `chip chip-${type}` }, type));
    let target;
    if (type === "thinking") {
      target = h("pre", { class: "mono thinking-text" });
      el.append(h("details", { class: "thinking" }, h("summary", {}, "thinking…"), target));
    } else if (type === "tool_use" || type === "server_tool_use") {
      el.append(h("span", { class: "mono tool-name" }, ` ${block.name || ""} `), h("span", { class: "muted mono" }, block.id || ""));
      target = h("pre", { class: "mono tool-input" });
      el.append(target);
    } else if (type === "text") {
      target = h("div", { class: "text-out" });
      el.append(target);
    } else {
      // Server tool results arrive complete in content_block_start.
      el.append(h("pre", { class: "mono" }, prettyJSON(block)));
    }
    const node = document.createTextNode(type === "text" ? block.text || "" : type === "thinking" ? block.thinking || "" : "");
    if (target) target.append(node);
    this.blocks.set(index, { el, node, parts: [], type });
    this.body.append(el);
  }

  delta(index, delta) {
    let block = this.blocks.get(index);
    if (!block) { this.startBlock(index, { type: delta.type === "thinking_delta" ? "thinking" : delta.type === "input_json_delta" ? "tool_use" : "text" }); block = this.blocks.get(index); }
    const piece = delta.text ?? delta.thinking ?? delta.partial_json;
    if (typeof piece === "string" && piece) {
      this.deltaChars += piece.length;
      block.parts.push(piece);
      this.pending.add(block);
      if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
    }
  }

  flush() {
    this.frame = 0;
    for (const block of this.pending) {
      block.node.appendData(block.parts.join(""));
      block.parts.length = 0;
    }
    this.pending.clear();
  }

  // Output tokens so far: the API's count once it has sent one, else about four characters
  // a token of what has streamed (marked as an estimate).
  outputTokens() {
    if (this.usageFinal && this.usage.output_tokens != null) return { n: this.usage.output_tokens, estimate: false };
    return { n: Math.max(this.usage.output_tokens || 0, Math.round(this.deltaChars / 4)), estimate: true };
  }

  text() {
    this.flush();
    return this.body.textContent;
  }

  showError(error, requestId) {
    this.errorBox.hidden = false;
    clear(this.errorBox).append(h("strong", {}, error.type || "error"), ": ", error.message || "(no message)",
      requestId ? h("span", { class: "muted mono" }, ` request_id ${requestId}`) : null);
  }

  // The final message replaces the streamed blocks: exactly what the API returned.
  finish(message) {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.flush();
    if (!message || !Array.isArray(message.content)) return;
    clear(this.body);
    message.content.forEach((block, i) => this.body.append(renderFinalBlock(block, i)));
  }
}

export function renderFinalBlock(block, index) {
  const type = block.type || "?";
  const cls = TYPE_CLASS[type] || (type.endsWith("_tool_result") || type === "server_tool_use" ? "server" : "text");
  const el = h("div", { class: `block block-${cls}`, dataset: { index: String(index), type } }, h("span", { class: `chip chip-${type}` }, type));
  if (type === "text") {
    el.append(h("div", { class: "text-out" }, block.text || ""));
    if (Array.isArray(block.citations) && block.citations.length) {
      el.append(h("details", { class: "citations" }, h("summary", {}, `${block.citations.length} citation(s)`),
        h("ul", {}, block.citations.map((c) => h("li", {}, c.title || c.url || "", c.cited_text ? h("q", {}, c.cited_text) : null)))));
    }
  } else if (type === "thinking") {
    el.append(h("details", { class: "thinking" }, h("summary", {}, `thinking (${(block.thinking || "").length} chars, signed)`), h("pre", { class: "mono thinking-text" }, block.thinking || "")));
  } else if (type === "tool_use" || type === "server_tool_use") {
    el.append(h("span", { class: "mono tool-name" }, ` ${block.name} `), h("span", { class: "muted mono" }, block.id), h("pre", { class: "mono tool-input" }, prettyJSON(block.input)));
  } else {
    el.append(h("pre", { class: "mono" }, prettyJSON(block)));
  }
  return el;
}
