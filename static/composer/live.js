// Team live view of a running exchange (templates/composer/_live.html).
// Joins ws/exchanges/<id>/live/: the server replays what is recorded, then live batches.
// Every event has a seq: duplicates are dropped, a gap asks the server to resync from the
// first missing seq. Deltas are applied to the DOM once per animation frame, with
// textContent only (model output is untrusted).

const root = document.getElementById("live-view");

function start(root) {
  const blocksEl = root.querySelector("[data-live-blocks]");
  const statusEl = root.querySelector("[data-live-status]");
  const countEl = root.querySelector("[data-live-count]");
  const errorEl = root.querySelector("[data-live-error]");
  const blocks = new Map(); // index -> {el, body, kind, pending: []}
  let lastSeq = -1;
  let resyncing = false;
  let frameQueued = false;
  let count = 0;
  let ended = false;

  function blockFor(index, contentBlock) {
    let b = blocks.get(index);
    if (b) return b;
    const kind = (contentBlock && contentBlock.type) || "text";
    const el = document.createElement(kind === "thinking" ? "details" : "div");
    el.className = `block block-${kind}`;
    const head = document.createElement(kind === "thinking" ? "summary" : "div");
    head.className = "muted";
    head.textContent = kind + (contentBlock && contentBlock.name ? ` ${contentBlock.name}` : "");
    const body = document.createElement(kind === "text" ? "div" : "pre");
    body.className = "live-body";
    el.append(head, body);
    blocksEl.append(el);
    b = { el, body, kind, pending: [] };
    if (contentBlock && contentBlock.type && !["text", "thinking", "tool_use", "server_tool_use"].includes(kind)) {
      b.pending.push(JSON.stringify(contentBlock, null, 2)); // server tool results arrive whole
    }
    blocks.set(index, b);
    return b;
  }

  function apply(ev) {
    const d = ev.data;
    if (!d || typeof d !== "object") return;
    if (ev.event === "content_block_start") {
      blockFor(d.index, d.content_block);
    } else if (ev.event === "content_block_delta") {
      const b = blockFor(d.index, null);
      const delta = d.delta || {};
      const piece = delta.text ?? delta.thinking ?? delta.partial_json ?? "";
      if (piece) b.pending.push(piece);
    } else if (ev.event === "error") {
      showError(`${d.error?.type || "error"}: ${d.error?.message || ""}`);
    }
  }

  function paint() {
    frameQueued = false;
    for (const b of blocks.values()) {
      if (b.pending.length) {
        b.body.append(document.createTextNode(b.pending.join("")));
        b.pending = [];
      }
    }
    countEl.textContent = `${count} events`;
  }

  function schedule() {
    if (!frameQueued) {
      frameQueued = true;
      requestAnimationFrame(paint);
    }
  }

  function showError(text) {
    errorEl.hidden = false;
    errorEl.textContent = text;
  }

  function onEvents(events, ws) {
    for (const ev of events) {
      if (ev.seq <= lastSeq) continue; // duplicate (replay overlapping live)
      if (ev.seq > lastSeq + 1) {
        // A frame went missing: ask for everything from the first missing seq.
        if (!resyncing) {
          resyncing = true;
          ws.send(JSON.stringify({ action: "resync", from_seq: lastSeq + 1 }));
        }
        return;
      }
      resyncing = false;
      lastSeq = ev.seq;
      count += 1;
      apply(ev);
    }
    schedule();
  }

  function onFinished(msg) {
    ended = true;
    statusEl.textContent = msg.outcome;
    statusEl.className = `badge badge-${msg.outcome}`;
    if (msg.error) showError(`${msg.error.type}: ${msg.error.message}`);
    // The page's other tabs were rendered while the run streamed: offer the recorded whole.
    const reload = document.createElement("a");
    reload.href = location.pathname;
    reload.textContent = "Show the recorded exchange";
    reload.className = "button";
    root.querySelector(".live-head").append(reload);
    schedule();
  }

  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}${root.dataset.liveUrl}`);
  ws.addEventListener("message", (e) => {
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    if (msg.type === "live.events") onEvents(msg.events || [], ws);
    else if (msg.type === "live.finished") onFinished(msg);
    else if (msg.type === "live.error") showError(msg.error);
  });
  ws.addEventListener("close", () => {
    if (!ended) showError("Live connection closed; reload the page for the recorded events.");
  });
}

if (root) start(root);
