// Inspector behaviour that needs a script: copy buttons and the live exchange list.
// Everything works without it (links open the text; the list reloads by hand).
(function () {
  "use strict";

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy-url], [data-copy-target]");
    if (!btn) return;
    ev.preventDefault();
    var done = function () {
      var label = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = label; }, 1200);
    };
    if (btn.dataset.copyTarget) {
      var el = document.getElementById(btn.dataset.copyTarget);
      if (el) navigator.clipboard.writeText(el.textContent).then(done);
      return;
    }
    fetch(btn.dataset.copyUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (text) { return navigator.clipboard.writeText(text); })
      .then(done, function () {
        var label = btn.textContent;
        btn.textContent = "Copy failed";
        setTimeout(function () { btn.textContent = label; }, 1600);
      });
  });

  // Replay runs the request again before the page moves on to the diff. With a script it
  // is sent in the background so the page can show that it is running, and for how long;
  // a refusal is shown beside the button. (Without a script the form posts as usual.)
  document.addEventListener("submit", function (ev) {
    var form = ev.target.closest("[data-replay]");
    if (!form || !window.fetch) return;
    ev.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var progress = form.querySelector("[data-replay-progress]");
    var elapsed = form.querySelector("[data-replay-elapsed]");
    var model = form.querySelector("[name=model]").value || "the same model";
    var started = Date.now();
    var label = button.textContent;
    button.disabled = true;
    button.textContent = "Replaying…";
    progress.hidden = false;
    var tick = function () { elapsed.textContent = "with " + model + ", " + Math.round((Date.now() - started) / 1000) + " s"; };
    tick();
    var timer = setInterval(tick, 1000);
    var stopWith = function (message) {
      clearInterval(timer);
      button.disabled = false;
      button.textContent = label;
      elapsed.textContent = message;
      elapsed.classList.add("finding-error");
      progress.querySelector("progress").hidden = true;
    };
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) {
        if (r.ok && r.redirected) { location.assign(r.url); return null; }
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var error = doc.querySelector("[data-replay-error]");
          stopWith(error ? error.textContent : "The replay failed (HTTP " + r.status + ").");
        });
      })
      .catch(function () { stopWith("The replay could not be sent: the server did not answer."); });
  });

  // "Diff ticked" is enabled with exactly two rows ticked (the server says so too).
  function updatePicks() {
    var button = document.querySelector("[data-pick-button]");
    if (!button) return;
    var ticked = document.querySelectorAll("input[name=pick]:checked").length;
    button.disabled = ticked !== 2;
    var count = document.querySelector("[data-pick-count]");
    if (count) count.textContent = ticked ? ticked + " ticked" : "tick two rows";
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("input[name=pick]")) updatePicks();
  });
  updatePicks();

  // Live list: the server pushes the public_id of each changed exchange; we fetch
  // its row (rendered by the server, filtered by the page's own query) and put it in place.
  var table = document.querySelector("[data-live-ws]");
  if (!table || !window.WebSocket) return;
  var body = table.querySelector("tbody");
  var rowUrl = table.dataset.rowUrl;
  var query = table.dataset.query || "";
  var delay = 1000;

  function upsert(publicId) {
    var url = rowUrl.replace("__id__", encodeURIComponent(publicId)) + (query ? "?" + query : "");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.status === 200 ? r.text() : ""; })
      .then(function (html) {
        var old = document.getElementById("ex-" + publicId);
        if (!html.trim()) { if (old) old.remove(); return; }
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var row = tpl.content.firstElementChild;
        if (!row) return;
        if (old) { old.replaceWith(row); }
        else { row.classList.add("new"); body.insertBefore(row, body.firstElementChild); }
        var empty = document.getElementById("ex-empty");
        if (empty) empty.remove();
      });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + table.dataset.liveWs);
    ws.onopen = function () { delay = 1000; };
    ws.onmessage = function (msg) {
      try {
        var data = JSON.parse(msg.data);
        if (data.type === "exchange.changed" && typeof data.public_id === "string") upsert(data.public_id);
      } catch (e) { /* ignore malformed frames */ }
    };
    ws.onclose = function () { setTimeout(connect, delay); delay = Math.min(delay * 2, 30000); };
  }
  connect();
})();
