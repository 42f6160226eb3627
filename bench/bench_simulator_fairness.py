"""How much one hostile request to the simulator slows everyone else's (issue 14, item 1).

    python bench/bench_simulator_fairness.py [--seconds 20]

Serves the simulator's ASGI app with uvicorn on a loopback port in a child process, then,
for each crafted request: sends it (and keeps sending it, one at a time) while another
client makes small ordinary requests one after another, and prints how long the crafted
request took and the ordinary requests' latency (median, 99th percentile, worst) next to the
same figures with nothing else running. A server that builds answers on its event loop shows
the crafted request's whole duration in the ordinary requests' worst case.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx

SMALL = {"model": "sim-1", "max_tokens": 50, "messages": [{"role": "user", "content": "hello"}]}


def _tool_body(schema: dict, text: str) -> dict:
    return {"model": "sim-1", "max_tokens": 64000, "messages": [{"role": "user", "content": text}],
            "tools": [{"name": "t", "input_schema": {"type": "object", "properties": {"x": schema}, "required": ["x"]}}],
            "tool_choice": {"type": "tool", "name": "t"}}


_NODE = {"type": "object", "properties": {k: {"$ref": "#/$defs/n"} for k in "abcdefgh"}, "required": list("abcdefgh")}
CRAFTED = {
    "backtracking pattern, 26 chars": ({}, _tool_body({"type": "string", "pattern": "^(a+)+$"}, "a" * 26 + "b")),
    "minItems 10^6": ({}, _tool_body({"type": "array", "minItems": 10**6, "items": {"type": "string"}}, "hi")),
    "fanning $ref": ({}, {**_tool_body({"$ref": "#/$defs/n"}, "hi"), "tools": [{"name": "t", "input_schema": {
        "type": "object", "$defs": {"n": _NODE}, "properties": {"x": {"$ref": "#/$defs/n"}}, "required": ["x"]}}]}),
    "2,000,000-token stream": ({"x-sim-output-tokens": "2000000", "anthropic-beta": "output-300k-2026-03-24"},
                               {"model": "sim-1", "max_tokens": 10**8, "stream": True,
                                "messages": [{"role": "user", "content": "hi"}]}),
    "32 MB prompt": ({}, {"model": "sim-1", "max_tokens": 50,
                          "messages": [{"role": "user", "content": "word " * (6 * 1024 * 1024)}]}),
}


def _serve() -> tuple[subprocess.Popen, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    code = ("import uvicorn, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'playground.settings');"
            "import django; django.setup();"
            "from playground.simulator.asgi import app;"
            f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', access_log=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/v1/models", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the simulator did not start")


def _ordinary(url: str, seconds: float) -> list[float]:
    latencies = []
    with httpx.Client(timeout=120) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            client.post(url + "/v1/messages", json=SMALL).raise_for_status()
            latencies.append(time.perf_counter() - start)
    return latencies


def _figures(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"n={len(ordered)} median {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"worst {ordered[-1] * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    proc, url = _serve()
    try:
        print(f"baseline (nothing else running): {_figures(_ordinary(url, args.seconds / 2))}")
        for name, (headers, body) in CRAFTED.items():
            data = json.dumps(body).encode()
            durations: list[float] = []
            stop = threading.Event()

            def hostile(headers=headers, data=data, durations=durations, stop=stop) -> None:
                with httpx.Client(timeout=600) as client:
                    while not stop.is_set():
                        start = time.perf_counter()
                        with client.stream("POST", url + "/v1/messages", content=data,
                                           headers={"content-type": "application/json", **headers}) as r:
                            for _ in r.iter_bytes():
                                pass
                        durations.append(time.perf_counter() - start)

            thread = threading.Thread(target=hostile, daemon=True)
            thread.start()
            latencies = _ordinary(url, args.seconds)
            stop.set()
            thread.join(600)
            took = f"{max(durations):.2f} s (x{len(durations)})" if durations else "did not finish"
            print(f"{name}: crafted request took {took}; ordinary requests meanwhile: {_figures(latencies)}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
