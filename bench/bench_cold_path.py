"""Benchmark: the proxy's own checks on one call, back to back and after a pause.

    .venv/bin/python bench/bench_cold_path.py

Runs, in this process, what the proxy does to a call before it contacts the upstream and
that does not touch the network or the database: the Host check, the route, reading the
key from the headers and hashing it, and parsing the JSON body (duplicate keys, depth,
surrogates). Each round sleeps first (0, 1 ms, 10 ms, 100 ms, 500 ms), then times one pass.

Why: in `bench_proxy.py` every sequential call arrives after the machine has been idle for
at least 0.3 s, and the proxy's added time to first byte there is mostly work like this,
run with cold CPU caches. The same code is many times slower after a pause than back to
back; the ratio printed here is that factor on this machine.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from playground.contract.validate import parse_body  # noqa: E402
from playground.proxy import asgi, auth  # noqa: E402
from playground.proxy.keys import hash_key, new_raw_key  # noqa: E402

PAUSES = (0.0, 0.001, 0.01, 0.1, 0.5)
ROUNDS = 21
KEY = new_raw_key()
HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"content-type", b"application/json"),
    (b"anthropic-version", b"2023-06-01"),
    (b"x-api-key", KEY.encode()),
]
BODY = json.dumps(
    {"model": "sim-1", "max_tokens": 128_000, "stream": True,
     "messages": [{"role": "user", "content": "bench"}]}
).encode()


def checks() -> None:
    assert asgi._host_allowed(HEADERS)  # noqa: SLF001 - the proxy's own check, timed alone
    assert asgi._route("/v1/messages") is not None  # noqa: SLF001
    creds = auth.credentials(HEADERS)
    hash_key(creds.proxy_key)
    body, findings = parse_body(BODY)
    assert body is not None and not findings


def main() -> None:
    checks()
    print("the proxy's checks before contacting the upstream (host, route, key, JSON body), one pass")
    base = None
    for pause in PAUSES:
        times = []
        for _ in range(ROUNDS):
            if pause:
                time.sleep(pause)
            t = time.perf_counter_ns()
            checks()
            times.append((time.perf_counter_ns() - t) / 1000)
        p50 = statistics.median(times)
        base = base or p50
        print(f"  after {pause * 1000:6.1f} ms asleep: p50 {p50:7.1f} us  min {min(times):7.1f} us"
              f"  ({p50 / base:5.1f}x back to back)")


if __name__ == "__main__":
    main()
