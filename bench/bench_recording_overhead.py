"""Recording under paced streams: does recording ever stall a live stream?

    .venv/bin/python bench/bench_recording_overhead.py [--levels 25,50,100,200,400] [--rounds 1]

The paced lane of issue 17, the shape of real model traffic: streams of about 64 deltas,
20 ms apart (the simulator's `x-sim-output-tokens: 192` and `x-sim-delay-ms: 20`), started
together in rising numbers after a warm-up. A stream is stall-free when it reaches
`message_stop` with no gap over 200 ms between reads, counting from the request.

Everything runs on loopback in processes started and stopped here: the standalone
simulator, and the app (uvicorn, one worker, a throwaway SQLite database, recording on)
reached through a proxy key pinned to the simulator. Arms per level, taking turns: the
simulator called directly (the floor of the machine and of this load generator), then the
proxy.

Figures per arm and level: streams all stall-free, the gap p99 and max, the app's CPU per
relayed event (its whole process tree, counted until the recording is written) and whether
every exchange was recorded completely.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
STALL_MS = 200.0
TOKENS, DELAY_MS = 192, 20
CLK_TCK = os.sysconf("SC_CLK_TCK")
BODY = json.dumps(
    {"model": "sim-1", "max_tokens": 1024, "stream": True, "messages": [{"role": "user", "content": "paced"}]}
).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited early with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open in {timeout} s")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (a recorder process among them)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo += [int(c) for c in children]
    return total


async def settle(pid: int, quiet: float = 0.5) -> None:
    """Until the app stops using CPU: the recorder has caught up."""
    last, still = tree_cpu(pid), 0.0
    while still < quiet:
        await asyncio.sleep(0.1)
        now = tree_cpu(pid)
        still = still + 0.1 if now - last < 0.005 else 0.0
        last = now


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


async def one_stream(port: int, headers: dict) -> tuple[bool, list[float], int]:
    """(reached message_stop, gaps between reads in ms from the request on, events)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [
        "POST /v1/messages HTTP/1.1", f"host: 127.0.0.1:{port}", f"content-length: {len(BODY)}",
        "connection: close", "content-type: application/json", "anthropic-version: 2023-06-01",
        f"x-sim-output-tokens: {TOKENS}", f"x-sim-delay-ms: {DELAY_MS}",
    ] + [f"{k}: {v}" for k, v in headers.items()]
    last = time.perf_counter()
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + BODY)
    gaps: list[float] = []
    data = bytearray()
    stopped = False
    while True:
        chunk = await reader.read(65536)
        now = time.perf_counter()
        if not chunk:
            break
        data += chunk
        if not stopped:  # gaps count until message_stop; the rest is read to the end
            gaps.append((now - last) * 1000)
            last = now
            stopped = b"message_stop" in data[-len(chunk) - 20 :]
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return b"message_stop" in data, gaps, data.count(b"event: ")


def start_app(tmp: Path, name: str, sim_port: int, env: dict) -> dict:
    env = {**env, "DATABASE_URL": f"sqlite:///{tmp / name}.sqlite3"}
    run = {"cwd": ROOT, "env": env, "check": True}
    subprocess.run([PY, "manage.py", "migrate", "-v0"], **run)
    subprocess.run(
        [PY, "manage.py", "addprovider", "benchsim", "--base-url", f"http://127.0.0.1:{sim_port}",
         "--models", "sim-*", "--auth", "none", "--allow-private-network"],
        **run, stdout=subprocess.DEVNULL,
    )
    key = subprocess.run(
        [PY, "manage.py", "createproxykey", "bench", "--provider", "benchsim"], **run, capture_output=True, text=True
    ).stdout.strip().splitlines()[-1]
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-m", "uvicorn", "playground.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--http", "playground.http_protocol:HttpProtocol", "--no-access-log", "--log-level", "warning",
         "--lifespan", "off"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_port(port, proc)
    return {"name": "proxy", "port": port, "proc": proc, "key": key, "db": tmp / f"{name}.sqlite3"}


def recorded(db: Path) -> dict[str, int]:
    """Exchanges recorded in an app's database, by outcome and event count."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT outcome, event_count, count(*) FROM recording_exchange GROUP BY outcome, event_count"
        ).fetchall()
    return {f"{outcome} with {events} events": n for outcome, events, n in rows}


async def run_level(port: int, headers: dict, n: int) -> dict:
    results = await asyncio.gather(*(one_stream(port, headers) for _ in range(n)))
    gaps = [g for _ok, stream_gaps, _n in results for g in stream_gaps]
    free = sum(ok and max(g, default=0) <= STALL_MS for ok, g, _n in results)
    return {"streams": n, "stall_free": free, "p99": pct(gaps, 99), "max": max(gaps, default=0.0),
            "events": sum(e for _ok, _g, e in results)}


async def bench(arms: list[dict], levels: list[int], rounds: int) -> dict:
    for arm in arms:  # warm-up: imports, connection pools, the recorder's start
        await run_level(arm["port"], arm["headers"], 5)
        if arm.get("proc"):
            await settle(arm["proc"].pid)
    report: dict = {}
    for n in levels:
        for _ in range(rounds):
            for arm in arms:
                pid = arm["proc"].pid if arm.get("proc") else None
                cpu0 = tree_cpu(pid) if pid else 0.0
                row = await run_level(arm["port"], arm["headers"], n)
                if pid:
                    await settle(pid)
                    row["cpu_us_per_event"] = (tree_cpu(pid) - cpu0) / max(row["events"], 1) * 1e6
                report.setdefault(n, {}).setdefault(arm["name"], []).append(row)
    return report


def print_report(report: dict, arms: list[dict]) -> None:
    print(f"paced lane: {TOKENS} tokens, {DELAY_MS} ms apart; stall = a gap over {STALL_MS:.0f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'streams':>8}  {'arm':<16} {'stall-free':>12} {'gap p99 ms':>11} {'gap max ms':>11} {'CPU us/event':>13}")
    for n, by_arm in report.items():
        for name, rows in by_arm.items():
            for row in rows:
                cpu = row.get("cpu_us_per_event")
                print(f"{n:>8}  {name:<16} {row['stall_free']:>5} of {row['streams']:<4} {row['p99']:>11.1f} "
                      f"{row['max']:>11.1f} {'' if cpu is None else f'{cpu:13.0f}'}")
    for arm in arms:
        if arm.get("db"):
            print(f"{arm['name']} recorded: {recorded(arm['db'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="25,50,100,200")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    env = {**os.environ, "PLAYGROUND_DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        try:
            sim_port = free_port()
            sim = subprocess.Popen([PY, "manage.py", "simulator", "--port", str(sim_port)], cwd=ROOT,
                                   env={**env, "DATABASE_URL": f"sqlite:///{tmp}/sim.sqlite3"},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(sim)
            wait_port(sim_port, sim)
            arms: list[dict] = [{"name": "direct", "port": sim_port, "headers": {"x-api-key": "unused"}}]
            app = start_app(tmp, "app", sim_port, env)
            procs.append(app["proc"])
            app["headers"] = {"x-api-key": app["key"]}
            arms.append(app)
            report = asyncio.run(bench(arms, levels, args.rounds))
            print_report(report, arms)
        finally:
            for proc in reversed(procs):
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)


if __name__ == "__main__":
    main()
