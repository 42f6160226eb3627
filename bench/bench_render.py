"""Benchmark: does the composer's stream renderer keep up with 5,000 events per second?

Serves static/composer/ on a loopback port (no Django needed: the renderer is a static ES
module), opens Debian's Chromium headless and feeds the page's real `StreamView` a synthetic
stream of `content_block_delta` text events at a fixed rate, in batches as the run socket
delivers them. Measured in the page:

- paint lag: for every 100th event, the time from handing it to the renderer to the first
  animation frame at which its text is in the DOM (p50, p99, max);
- final lag: from the last event handed over to the frame that shows the last text
  (the target: under 100 ms);
- the event rate actually achieved (a renderer that blocks the main thread slows the feed).

Baseline in the same run: a naive renderer doing one DOM update per event
(`textContent +=`), fed the same stream. Both run at the target rate and at four times it
(the stress case where one-update-per-event falls behind). Bounded: four runs of --seconds.

    .venv/bin/python bench/bench_render.py [--rate 5000] [--seconds 4]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import threading
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static" / "composer"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

PAGE = b"""<!doctype html><meta charset="utf-8"><title>render bench</title>
<div id="out"></div><script type="module" src="/bench.js"></script>"""

BENCH_JS = r"""
import { StreamView } from "/static/render.js";

class NaiveView {
  constructor(container) { this.el = document.createElement("div"); container.append(this.el); }
  handleEvents(events) { for (const e of events) this.el.textContent += e.data.delta.text; }
  text() { return this.el.textContent; }
}

function feed(makeView, rate, seconds) {
  return new Promise((resolve) => {
    const out = document.getElementById("out");
    out.replaceChildren();
    const view = makeView(out);
    view.handleEvents && view.handleEvents([]);
    if (view.startBlock) view.startBlock(0, { type: "text", text: "" });
    const total = Math.round(rate * seconds);
    const tickMs = 4;  // the socket delivers a batch every few ms
    const samples = [];  // [charOffsetAfter, sentAt]
    let sent = 0, chars = 0, seq = 0, lastSentAt = 0, done = false;
    const t0 = performance.now();
    const lags = [];
    let nextSample = 0;
    function onFrame() {
      const now = performance.now();
      const painted = view.text().length;
      while (nextSample < samples.length && samples[nextSample][0] <= painted) {
        lags.push(now - samples[nextSample][1]);
        nextSample++;
      }
      if (done && painted >= chars) {
        resolve({ events: sent, chars, seconds: (lastSentAt - t0) / 1000, finalLagMs: now - lastSentAt, lags });
        return;
      }
      requestAnimationFrame(onFrame);
    }
    requestAnimationFrame(onFrame);
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      if (due <= sent) return;
      const batch = [];
      const at = performance.now();
      for (; sent < due; sent++) {
        const text = `w${sent % 10}  `.slice(0, 4);
        chars += text.length;
        batch.push({ seq: seq++, t_ms: at - t0, event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } } });
        if (sent % 100 === 0) samples.push([chars, at]);
      }
      view.handleEvents(batch);
      lastSentAt = performance.now();
      if (sent >= total) { done = true; clearInterval(timer); }
    }, tickMs);
  });
}

window.runBench = async (rate, seconds) => ({
  streamView: await feed((c) => new StreamView(c), rate, seconds),
  naive: await feed((c) => new NaiveView(c), rate, seconds),
});
window.benchReady = true;
"""


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path in ("/", "/index.html"):
            return self._send(PAGE, "text/html")
        if self.path == "/bench.js":
            return self._send(BENCH_JS.encode(), "text/javascript")
        if self.path.startswith("/static/"):
            self.path = self.path[len("/static"):]
            return super().do_GET()
        self.send_error(404)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def guess_type(self, path):
        return "text/javascript" if str(path).endswith(".js") else super().guess_type(path)

    def log_message(self, *args):
        pass


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=5000, help="events per second (default 5000)")
    parser.add_argument("--seconds", type=float, default=4.0, help="stream length (default 4 s, max 20)")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 0.5), 20.0)

    handler = functools.partial(Handler, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"

    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("() => window.benchReady === true")
            page.set_default_timeout(int((seconds * 2 + 30) * 1000))
            results = {
                rate: page.evaluate("([r, s]) => window.runBench(r, s)", [rate, seconds])
                for rate in (args.rate, args.rate * 4)
            }
            browser.close()
    finally:
        server.shutdown()
        server.server_close()

    for rate, result in results.items():
        report(rate, seconds, result)
    final = results[args.rate]["streamView"]["finalLagMs"]
    verdict = "PASS" if final < 100 else "FAIL"
    print(f"target at {args.rate} events/s: last text painted < 100 ms after the last event: {verdict} ({final:.1f} ms)")
    print(json.dumps({"rate": args.rate, "seconds": seconds, "final_lag_ms": round(final, 1)}))


def report(rate: int, seconds: float, result: dict) -> None:
    print(f"\n{rate} events/s for {seconds:g} s, text deltas of 4 chars, Chromium headless")
    print(f"{'renderer':<28}{'events/s':>10}{'lag p50':>10}{'lag p99':>10}{'lag max':>10}{'final lag':>11}")
    for name, key in (("StreamView (rAF batched)", "streamView"), ("naive (1 DOM op / event)", "naive")):
        r = result[key]
        achieved = r["events"] / r["seconds"] if r["seconds"] else float("nan")
        lags = r["lags"]
        print(f"{name:<28}{achieved:>10.0f}{pct(lags, 50):>8.1f}ms{pct(lags, 99):>8.1f}ms{max(lags):>8.1f}ms{r['finalLagMs']:>9.1f}ms")
    ours, naive = result["streamView"], result["naive"]
    print(f"p99 paint lag, naive / StreamView: {pct(naive['lags'], 99) / max(pct(ours['lags'], 99), 0.001):.1f}x")


if __name__ == "__main__":
    main()
