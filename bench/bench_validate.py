"""Validator speed on a 200-turn tool-loop conversation (target: under 5 ms per call).

Run by hand: `.venv/bin/python bench/bench_validate.py`. Prints the median and p99 per call of
`validate_request` on an already-parsed body, of `parse_body` on its bytes, and the same for
`json.loads` of the same bytes as the baseline, with the ratios. Bounded: a fixed number of
calls, stops by itself, no network.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from playground.contract.validate import parse_body, validate_request  # noqa: E402

CALLS = 400
MEDIA_CALLS = 8


def conversation(turns: int = 200) -> dict:
    """A tool loop: each round is an assistant tool_use (after some text) and a user
    tool_result, with thinking on the latest assistant turn, two tools, a system prompt and
    a cache breakpoint near the end."""
    messages = [{"role": "user", "content": [{"type": "text", "text": "Plan my trip to Lyon."}]}]
    rounds = (turns - 1) // 2
    for n in range(rounds):
        assistant = [
            {"type": "text", "text": f"Step {n}: checking the weather and trains."},
            {"type": "tool_use", "id": f"toolu_{n:04d}", "name": "get_weather" if n % 2 else "find_trains",
             "input": {"city": "Lyon", "day": n % 7, "options": {"units": "metric"}}},
        ]
        if n == rounds - 1:
            assistant.insert(0, {"type": "thinking", "thinking": "One more lookup, then answer.",
                                 "signature": "EuYDCmMIDBgCKkC05Zda4P+Cdk/LQKE+Aol4ZY3EY4wLDrf8XcApz2"})
        messages.append({"role": "assistant", "content": assistant})
        messages.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": f"toolu_{n:04d}",
             "content": [{"type": "text", "text": f"Result {n}: 18C, trains every 30 minutes."}]}]})
    messages[-1]["content"][0]["cache_control"] = {"type": "ephemeral"}
    schema = {"type": "object", "properties": {"city": {"type": "string"},
                                               "day": {"type": "integer", "minimum": 0},
                                               "options": {"type": "object"}},
              "required": ["city"]}
    return {
        "model": "claude-sonnet-4-5", "max_tokens": 8192, "stream": True,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "system": [{"type": "text", "text": "You are a travel planner.",
                    "cache_control": {"type": "ephemeral"}}],
        "tools": [{"name": "get_weather", "description": "Weather", "input_schema": schema},
                  {"name": "find_trains", "description": "Trains", "input_schema": schema}],
        "messages": messages,
    }


def measure(fn, calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    median = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"{name:<28} median {median:7.3f} ms   p99 {p99:7.3f} ms")
    return median, p99


def main() -> None:
    body = conversation()
    raw = json.dumps(body).encode()
    findings = validate_request(body)
    assert not [f for f in findings if f.severity == "error"], findings
    print(f"body: {len(body['messages'])} messages, {len(raw) / 1024:.0f} KiB, {CALLS} calls each")
    for _ in range(20):  # warm caches (schema checks are cached by content)
        validate_request(body)
    base = report("json.loads (baseline)", measure(lambda: json.loads(raw), CALLS))
    val = report("validate_request", measure(lambda: validate_request(body), CALLS))
    parse = report("parse_body", measure(lambda: parse_body(raw), CALLS))
    both = report("parse_body + validate", measure(lambda: validate_request(parse_body(raw)[0]), CALLS))
    print(f"ratio validate/json.loads   median {val[0] / base[0]:5.1f}x   p99 {val[1] / base[1]:5.1f}x")
    print(f"ratio parse_body/json.loads median {parse[0] / base[0]:5.1f}x   p99 {parse[1] / base[1]:5.1f}x")
    print(f"target: validate_request median under 5 ms: {'met' if val[0] < 5 else 'MISSED'}"
          f" (parse+validate {both[0]:.2f} ms)")

    # media: a 20 MB base64 PDF (the largest realistic attachment) is scanned, never
    # re-decoded after its first page count
    pdf = base64.b64encode(b"%PDF-1.4\n" + os.urandom(15 * 1024 * 1024)).decode()
    big = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "stream": True, "messages": [
        {"role": "user", "content": [
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                            "data": pdf}},
            {"type": "text", "text": "Summarise"}]}]}
    raw_big = json.dumps(big).encode()
    print(f"\nbody: one {len(pdf) / 1e6:.0f} MB base64 PDF, {MEDIA_CALLS} calls each")
    first = measure(lambda: validate_request(big), 1)[0]
    print(f"{'validate_request (first)':<28} {first:7.1f} ms")
    base = report("json.loads (baseline)", measure(lambda: json.loads(raw_big), MEDIA_CALLS))
    val = report("validate_request", measure(lambda: validate_request(big), MEDIA_CALLS))
    print(f"ratio validate/json.loads   median {val[0] / base[0]:5.1f}x")


if __name__ == "__main__":
    main()
