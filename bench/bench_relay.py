"""Relay latency of the run socket: from the server's receipt of an upstream event to the
WebSocket client's receipt of the frame carrying it, p50 and p99, with 1 and 50 concurrent runs.

Target: p99 under 5 ms at 50 concurrent runs on this machine.

Setup (all loopback, all stopped at the end): a fresh SQLite database in a temporary folder,
one real server process (uvicorn serving playground.asgi:application) with
PLAYGROUND_BENCH_STAMPS=1, so each relayed event carries the CLOCK_MONOTONIC times the server
received it from the upstream client (`rx`) and handed its frame to the socket (`tx`)
(monotonic time is shared by processes on Linux), and real WebSocket clients (the `websockets`
package) in this process. The upstream is the standalone simulator process configured as a
provider (`--upstream http`, so the server only relays and records, as with a real provider) or
the built-in in-process one, paced with x-sim-delay-ms like a real model; the concurrent runs
start spread over one pacing interval, as independent streams would.

Baseline, same run: the time from sending a run to its first event frame, against the time from
sending the same request straight to the standalone simulator (`manage.py simulator`, its own
process) to its first SSE event.

    .venv/bin/python bench/bench_relay.py [--events-per-run 300] [--delay-ms 20] [--concurrency 1,50]
        [--upstream http|in-process] [--server uvicorn|daphne] [--switch-interval S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[1]
SETUP = """
import json
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
call_command("addprovider", "simhttp", base_url=sys.argv[1], models="simhttp-*", auth="none",
             allow_private_network=True, verbosity=0)
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from playground.teams.ops import add_member, ensure_team
user = get_user_model().objects.create_user("bench", password="bench-password-1")
add_member(ensure_team("bench"), user)
s = SessionStore()
s["_auth_user_id"] = str(user.pk)
s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
s["_auth_user_hash"] = user.get_session_auth_hash()
s.create()
print(s.session_key)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to report CPU per relayed event."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def body(tokens: int) -> dict:
    return {
        "model": "sim-1",
        "max_tokens": tokens + 100,
        "messages": [{"role": "user", "content": "Tell me a long story about otters."}],
    }


PROVIDER: str | None = None  # None: the server's in-process simulator; else a provider name


INSIDE: list[float] = []  # server receipt -> frame handed to the socket, ms


async def one_run(
    port: int, session: str, run_id: str, headers: dict, tokens: int, start_after: float = 0.0
) -> tuple[list[float], float]:
    """Relay latencies (ms) of every event of one run, and its first-frame latency (ms)."""
    lat: list[float] = []
    first = None
    await asyncio.sleep(start_after)
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/runs/",
        additional_headers={"Cookie": f"sessionid={session}", "Origin": f"http://127.0.0.1:{port}"},
        max_size=None,
    ) as ws:
        sent = time.monotonic()
        await ws.send(json.dumps({"action": "run", "run_id": run_id, "request": body(tokens),
                                  "headers": headers, "provider": PROVIDER}))
        async with asyncio.timeout(120):
            while True:
                frame = json.loads(await ws.recv())
                now = time.monotonic()
                if frame["type"] == "run.events":
                    if first is None:
                        first = (now - sent) * 1000
                    lat.extend((now - e["rx"]) * 1000 for e in frame["events"])
                    INSIDE.extend((e["tx"] - e["rx"]) * 1000 for e in frame["events"])
                elif frame["type"] == "run.finished":
                    if frame["outcome"] != "completed":
                        raise SystemExit(f"run ended {frame['outcome']}: {frame['error']}")
                    return lat, first or 0.0
                elif frame["type"] == "run.rejected":
                    raise SystemExit(f"run rejected: {frame['error']}")


async def direct_first_event(sim_port: int, tokens: int) -> float:
    """Time (ms) from sending the request straight to the simulator to its first SSE event."""
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        sent = time.monotonic()
        async with client.stream(
            "POST", f"http://127.0.0.1:{sim_port}/v1/messages",
            json={**body(tokens), "stream": True},
            headers={"anthropic-version": "2023-06-01", "x-api-key": "bench"},
        ) as resp:
            async for chunk in resp.aiter_raw():
                if b"\n\n" in chunk:
                    return (time.monotonic() - sent) * 1000
    return float("nan")


async def scenario(port: int, session: str, runs: int, headers: dict, tokens: int) -> tuple[list[float], list[float]]:
    # Independent streams do not tick together: spread the starts over one pacing interval,
    # else every run's event arrives in the same millisecond and the figure measures a burst.
    pace = int(headers.get("x-sim-delay-ms", "0")) / 1000
    results = await asyncio.gather(
        *(one_run(port, session, f"bench-{runs}-{i}", headers, tokens, i * pace / runs) for i in range(runs))
    )
    lat = [x for r in results for x in r[0]]
    firsts = [r[1] for r in results]
    return lat, firsts


async def main_async(args, port: int, sim_port: int, session: str, server_pid: int) -> None:
    headers = {"x-sim-output-tokens": str(args.events_per_run), "x-sim-delay-ms": str(args.delay_ms)}
    # Warm up: imports, the first DB connection, the simulator's first answer.
    await scenario(port, session, 2, headers, 20)
    await direct_first_event(sim_port, 20)

    print(f"relay latency, server receipt of an upstream event -> client receipt of its frame "
          f"({args.events_per_run} tokens per run, x-sim-delay-ms {args.delay_ms}, upstream {args.upstream}, "
          f"server {args.server}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for runs in args.concurrency:
        INSIDE.clear()
        t0, cpu0 = time.monotonic(), cpu_seconds(server_pid)
        lat, _ = await scenario(port, session, runs, headers, args.events_per_run)
        took, cpu = time.monotonic() - t0, cpu_seconds(server_pid) - cpu0
        print(f"  {runs:>3} concurrent runs: {len(lat):>6} events  p50 {pct(lat, 50):6.3f} ms  "
              f"p99 {pct(lat, 99):6.3f} ms  max {max(lat):7.3f} ms  ({len(lat) / took:,.0f} events/s, "
              f"server CPU {cpu / len(lat) * 1e6:,.0f} us per event incl. recording)")
        print(f"       of which inside the server (receipt -> frame handed to the socket): "
              f"p50 {pct(INSIDE, 50):6.3f} ms  p99 {pct(INSIDE, 99):6.3f} ms")

    firsts, directs = [], []
    for _ in range(args.first_frame_samples):
        _, f = await scenario(port, session, 1, {"x-sim-output-tokens": "20"}, 20)
        firsts.append(f[0])
        directs.append(await direct_first_event(sim_port, 20))
    p50_run, p50_direct = statistics.median(firsts), statistics.median(directs)
    print(f"first event, {args.first_frame_samples} sequential runs:")
    print(f"  direct simulator stream (baseline): p50 {p50_direct:6.2f} ms  p99 {pct(directs, 99):6.2f} ms")
    print(f"  through the run socket:             p50 {p50_run:6.2f} ms  p99 {pct(firsts, 99):6.2f} ms"
          f"  ratio p50 {p50_run / p50_direct:4.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events-per-run", type=int, default=300)
    # 20 ms: about 50 events per second per stream, the pace of a real model streaming
    # 100-150 tokens per second with a few tokens per delta.
    parser.add_argument("--delay-ms", type=int, default=20)
    parser.add_argument("--first-frame-samples", type=int, default=30)
    parser.add_argument("--concurrency", type=lambda v: [int(x) for x in v.split(",")], default=[1, 50])
    parser.add_argument(
        "--upstream", choices=("http", "in-process"), default="http",
        help="http: the standalone simulator process as a configured provider (the server only "
        "relays and records, as with a real provider); in-process: the built-in simulator",
    )
    parser.add_argument("--server", choices=("uvicorn", "daphne"), default="uvicorn")
    parser.add_argument("--switch-interval", type=float, default=sys.getswitchinterval())
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
        env.update(
            DJANGO_SETTINGS_MODULE="playground.settings",
            DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
            PLAYGROUND_AUTO_LOGIN_USER="",
            PLAYGROUND_BENCH_STAMPS="1",
            LOG_LEVEL="WARNING",
        )
        port, sim_port = free_port(), free_port()
        session = subprocess.run(
            [sys.executable, "-c", SETUP, f"http://127.0.0.1:{sim_port}"],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
        global PROVIDER
        PROVIDER = None if args.upstream == "in-process" else "simhttp"
        # The server runs uvicorn; --switch-interval sets sys.setswitchinterval in it first
        # (diagnosis: how much of the tail is the GIL shared with the recorder's writer thread).
        if args.server == "daphne":
            launcher = (
                "import sys; sys.setswitchinterval(float(sys.argv.pop(1))); "
                "from daphne.cli import CommandLineInterface as c; c.entrypoint()"
            )
            server_args = ["-b", "127.0.0.1", "-p", str(port), "-v", "0", "playground.asgi:application"]
        else:
            launcher = (
                "import sys; sys.setswitchinterval(float(sys.argv.pop(1))); "
                "import uvicorn.main as m; sys.exit(m.main())"
            )
            server_args = ["playground.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                           "--log-level", "warning"]
        # The server's own output (shutdown noise included) goes to a file, shown on failure.
        server_log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [sys.executable, "-c", launcher, str(args.switch_interval), *server_args],
            env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT,
        )
        sim = subprocess.Popen(
            [sys.executable, "manage.py", "simulator", "--host", "127.0.0.1", "--port", str(sim_port)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, server)
            wait_for_port(sim_port, sim)
            asyncio.run(main_async(args, port, sim_port, session, server.pid))
        except BaseException:
            server_log.flush()
            print((Path(tmp) / "server.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            for proc in (server, sim):
                proc.terminate()
            for proc in (server, sim):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            server_log.close()


if __name__ == "__main__":
    main()
