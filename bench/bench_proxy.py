"""Benchmark: what the recording proxy adds to a stream, against the simulator called directly.

    .venv/bin/python bench/bench_proxy.py [--quick] [--no-litellm] [--levels 1,10,100]
        [--paced 25,50,100,200,400] [--paced-rounds 3] [--skip-levels]

Everything runs on loopback, in separate processes started and stopped here:

* the standalone simulator (`manage.py simulator`), the upstream of every arm;
* the app (uvicorn serving `playground.asgi:application`, one worker) with a throwaway
  SQLite database, a provider `benchsim` pointing at the standalone simulator
  (`addprovider --allow-private-network`) and a proxy key pinned to it, so each proxied
  call really crosses process boundaries and is recorded;
* LiteLLM's proxy (`$BENCH_LITELLM`, default `/tmp/litellm-venv/bin/litellm`, if installed
  in its own virtualenv; offline settings) with `anthropic/sim-1` pointed at the same
  simulator, as the peer.

Arms per concurrency level, taking turns round by round: direct (A), proxy, LiteLLM, direct
again (B); before each arm the proxy (whose recorder is a writer thread of the same
process) and LiteLLM are left to finish their work, and the proxy's CPU figure includes the
recording it did after the last byte.
The two direct runs give the A/A spread, the noise floor of the machine. "Added" figures are
arm minus the mean of the two direct runs. Each stream is ~1,000 SSE events; the client is a
raw asyncio HTTP/1.1 reader (one connection per stream) that checks each relayed body
against the direct one byte for byte (lost or reordered events would show), except for
LiteLLM, whose streams are compared with its own first answer (it rewrites the forwarded
request, so the simulator seeds a different answer).

Also measured: CPU time of the proxy process per relayed event (from /proc), and the
proxy's RSS growth while relaying one 300,000-token stream.

The paced lane, the shape of real model traffic: streams of about 64 deltas 20 ms apart
(`x-sim-output-tokens: 192`, `x-sim-delay-ms: 20`; LiteLLM drops the caller's x-sim-*
headers, so its `sim-paced` model sends them itself), started together in rising numbers
after a warm-up, recording on. A stream is stall-free when it reaches message_stop with no
gap over 200 ms between two body reads, counting from the request. Each level runs
`--paced-rounds` bursts per arm, the arms taking turns; printed per level and arm: the
stall-free count of each burst and the gap p99 over all of them. The lane also runs two
floors of the stack, relays under uvicorn with no key, parsing or recording:
`bare_relay.py` with a stock httpx client ("bare-httpx") and `raw_relay.py` with asyncio
streams and no client library ("bare-asyncio").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# LiteLLM lives in its own virtualenv (it is the peer, never a dependency of the project).
LITELLM = Path(os.environ.get("BENCH_LITELLM", "/tmp/litellm-venv/bin/litellm"))
PACED_HEADERS = {"x-sim-output-tokens": "192", "x-sim-delay-ms": "20"}
PACED_LEVELS = (25, 50, 100, 200, 400)
STALL_MS = 200.0
EVENTS_TARGET = 1000
BIG_STREAM_TOKENS = 300_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open in {timeout} s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def tree_pids(pid: int) -> list[int]:
    """The process and its descendants (LiteLLM's workers, say): a server's whole CPU and memory."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(child) for child in task.read_text().split()]
    return out


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in tree_pids(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += cpu_seconds(p)
    return total


async def settle(pid: int, quiet: float = 0.3) -> None:
    """Wait until the process tree stops using CPU (the recorder's writer thread caught up), so the work
    the proxy deferred is neither lost from its figures nor billed to the next arm."""
    last = tree_cpu_seconds(pid)
    still = 0.0
    while still < quiet:
        await asyncio.sleep(0.1)
        now = tree_cpu_seconds(pid)
        still = still + 0.1 if now - last < 0.005 else 0.0
        last = now


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its descendants."""
    total = 0.0
    for p in tree_pids(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def dechunk(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while True:
        j = data.find(b"\r\n", i)
        if j < 0:
            break
        size = int(data[i:j].split(b";")[0], 16)
        if size == 0:
            break
        out += data[j + 2 : j + 2 + size]
        i = j + 2 + size + 2
    return bytes(out)


async def one_stream(port: int, path: str, headers: dict, body: bytes) -> tuple[float, float, bytes, int]:
    """(time to first body byte, total time, de-chunked body, status) for one request."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"POST {path} HTTP/1.1", f"host: 127.0.0.1:{port}", f"content-length: {len(body)}",
            "connection: close", "content-type: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    t0 = time.perf_counter()
    writer.write(request)
    buf = bytearray()
    header_end = -1
    ttfb = None
    while True:
        chunk = await reader.read(262144)
        if not chunk:
            break
        buf += chunk
        if header_end < 0:
            i = buf.find(b"\r\n\r\n")
            if i >= 0:
                header_end = i + 4
        if header_end >= 0 and ttfb is None and len(buf) > header_end:
            ttfb = time.perf_counter() - t0
        if header_end >= 0 and buf.endswith(b"\r\n0\r\n\r\n"):
            break
    total = time.perf_counter() - t0
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    status = int(bytes(buf[:20]).split(b" ")[1]) if buf else 0
    chunked = b"transfer-encoding: chunked" in bytes(buf[:header_end]).lower()
    payload = dechunk(bytes(buf[header_end:])) if chunked else bytes(buf[header_end:])
    return ttfb if ttfb is not None else total, total, payload, status


class Arm:
    def __init__(self, name: str, port: int, path: str, headers: dict, body: bytes) -> None:
        self.name, self.port, self.path, self.headers, self.body = name, port, path, headers, body

    async def run(self, concurrency: int, rounds: int) -> dict:
        ttfb, total, bodies, statuses = [], [], [], []
        for _ in range(rounds):
            results = await asyncio.gather(
                *(one_stream(self.port, self.path, self.headers, self.body) for _ in range(concurrency))
            )
            for t1, tt, payload, status in results:
                ttfb.append(t1 * 1000)
                total.append(tt * 1000)
                bodies.append(payload)
                statuses.append(status)
        return {"ttfb": ttfb, "total": total, "bodies": bodies, "statuses": statuses}


NO_RECORDING_APP = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
from playground.asgi import application  # noqa: F401
from playground import runpath
from playground.proxy import routes
# Diagnostic only: relay without recording, to separate the relay's cost from the recorder's.
routes.start_recording = lambda call, provider, **options: runpath.Recording(None)
"""


def start_processes(tmp: Path, use_litellm: bool, record: bool = True) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "PLAYGROUND_DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("REDIS_URL", None)
    sim_port, app_port = free_port(), free_port()
    procs: dict = {"env": env}
    procs["sim"] = subprocess.Popen(
        [PY, "manage.py", "simulator", "--port", str(sim_port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_port(sim_port, procs["sim"])
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PY, "manage.py", "addprovider", "benchsim", "--base-url", f"http://127.0.0.1:{sim_port}",
         "--models", "bench-*", "--auth", "none", "--allow-private-network"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )
    out = subprocess.run(
        [PY, "manage.py", "createproxykey", "bench", "--provider", "benchsim"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    procs["key"] = out.strip().splitlines()[-1]
    app_log = (tmp / "app.log").open("w")  # noqa: SIM115 - closed in stop_processes
    procs["logs"] = [app_log]
    app = "playground.asgi:application"
    if not record:
        (tmp / "bench_norecord_app.py").write_text(NO_RECORDING_APP)
        env = {**env, "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}"}
        app = "bench_norecord_app:application"
    procs["app"] = subprocess.Popen(
        [PY, "-m", "uvicorn", app, "--host", "127.0.0.1", "--http", "playground.http_protocol:HttpProtocol",
         "--port", str(app_port), "--no-access-log", "--log-level", "warning", "--lifespan", "off"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=app_log,
    )
    wait_port(app_port, procs["app"])
    procs["ports"] = {"sim": sim_port, "app": app_port}
    for name, module in (("bare", "bare_relay"), ("raw", "raw_relay")):  # the floors of the stack
        port = free_port()
        procs[name] = subprocess.Popen(
            [PY, "-m", "uvicorn", f"{module}:app", "--app-dir", str(ROOT / "bench"), "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log", "--log-level", "warning", "--lifespan", "off"],
            cwd=tmp, env={**env, "BENCH_UPSTREAM": f"http://127.0.0.1:{sim_port}"},
            stdout=subprocess.DEVNULL, stderr=app_log,
        )
        wait_port(port, procs[name])
        procs["ports"][name] = port
    if use_litellm and LITELLM.exists():
        lite_port = free_port()
        config = tmp / "litellm.yaml"
        config.write_text(
            "model_list:\n"
            "  - model_name: sim-1\n"
            "    litellm_params:\n"
            "      model: anthropic/sim-1\n"
            f"      api_base: http://127.0.0.1:{sim_port}\n"
            "      api_key: fake-upstream-key\n"
            # LiteLLM drops the caller's x-sim-* headers: the paced model gets them here.
            "  - model_name: sim-paced\n"
            "    litellm_params:\n"
            "      model: anthropic/sim-1\n"
            f"      api_base: http://127.0.0.1:{sim_port}\n"
            "      api_key: fake-upstream-key\n"
            "      extra_headers:\n"
            + "".join(f'        {k}: "{v}"\n' for k, v in PACED_HEADERS.items())
            + "litellm_settings:\n"
            "  num_retries: 0\n"
            "  request_timeout: 120\n"
            "  callbacks: []\n"
        )
        lenv = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        procs["litellm_key"] = "sk-bench-" + os.urandom(16).hex()
        lenv.update(
            {
                "LITELLM_MASTER_KEY": procs["litellm_key"],
                "LITELLM_OFFLINE_MODE": "true",
                "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
                "LITELLM_LOCAL_BLOG_POSTS": "True",
                "LITELLM_LOCAL_POLICY_TEMPLATES": "True",
                "LITELLM_LOCAL_AUTOROUTER_PRESETS": "True",
                "LITELLM_TELEMETRY_DISABLED": "true",
                "ANTHROPIC_API_BASE": f"http://127.0.0.1:{sim_port}",
                "ANTHROPIC_API_KEY": "fake-upstream-key",
                "LITELLM_LOG": "ERROR",
            }
        )
        lite_log = (tmp / "litellm.log").open("w")  # noqa: SIM115 - closed in stop_processes
        procs["logs"].append(lite_log)
        procs["litellm"] = subprocess.Popen(
            [str(LITELLM), "--config", str(config), "--host", "127.0.0.1", "--port", str(lite_port),
             "--num_workers", "1"],
            cwd=tmp, env=lenv, stdout=lite_log, stderr=subprocess.STDOUT,
        )
        try:
            wait_port(lite_port, procs["litellm"], timeout=180)
            procs["ports"]["litellm"] = lite_port
        except RuntimeError as exc:
            procs["litellm_error"] = f"{exc}; log tail: {(tmp / 'litellm.log').read_text()[-800:]}"
    return procs


def stop_processes(procs: dict) -> None:
    for name in ("litellm", "raw", "bare", "app", "sim"):
        proc = procs.get(name)
        if proc is None or proc.poll() is not None:
            continue
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    for log in procs.get("logs", []):
        log.close()


def calibrate_tokens(events: int) -> int:
    """Output tokens for a stream of about `events` SSE events (the simulator's chunking)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    import django

    django.setup()
    from playground.simulator.engine import handle

    async def count(tokens: int) -> int:
        body = json.dumps(
            {"model": "sim-1", "max_tokens": 128_000, "stream": True,
             "messages": [{"role": "user", "content": "bench"}]}
        ).encode()
        resp = await handle("POST", "/v1/messages", "", {"x-sim-output-tokens": str(tokens)}, body)
        n = 0
        async for chunk in resp.body:
            n += chunk.count(b"event: ")
        return n

    low, high = 1, events * 10
    while low < high:
        mid = (low + high) // 2
        if asyncio.run(count(mid)) < events:
            low = mid + 1
        else:
            high = mid
    return low


def fmt(values: list[float]) -> str:
    return f"p50 {pct(values, 50):8.2f}  p99 {pct(values, 99):8.2f}"


async def bench(procs: dict, tokens: int, quick: bool, only: set[int] | None = None) -> dict:
    ports = procs["ports"]
    body = json.dumps(
        {"model": "sim-1", "max_tokens": 128_000, "stream": True,
         "messages": [{"role": "user", "content": "bench"}]}
    ).encode()
    sim_headers = {"x-sim-output-tokens": str(tokens), "anthropic-version": "2023-06-01",
                   "x-api-key": "unused"}
    direct = Arm("direct", ports["sim"], "/v1/messages", sim_headers, body)
    proxy = Arm("proxy", ports["app"], "/v1/messages", {**sim_headers, "x-api-key": procs["key"]}, body)
    arms = [direct, proxy]
    if "litellm" in ports:
        arms.append(Arm("litellm", ports["litellm"], "/v1/messages",
                        {**sim_headers, "x-api-key": procs["litellm_key"]}, body))
    # Warm-up: connection pools, imports, the recorder's writer, LiteLLM's first-call work.
    for arm in arms:
        await arm.run(1, 3)
    reference = (await direct.run(1, 1))["bodies"][0]
    lite_reference = (await arms[2].run(1, 1))["bodies"][0] if len(arms) > 2 else b""
    events = reference.count(b"event: ")
    # (concurrency, streams per round, rounds): the arms take turns round by round, so a
    # drift of the machine (another process waking up) spreads over all of them.
    levels = [(1, 1, 10 if quick else 30), (10, 10, 2 if quick else 10), (100, 100, 1 if quick else 3)]
    levels = [level for level in levels if not only or level[0] in only]
    report: dict = {"events_per_stream": events, "levels": {}}
    pids = {"proxy": procs["app"].pid}
    if "litellm" in procs and "litellm" in ports:
        pids["litellm"] = procs["litellm"].pid
    for concurrency, _streams, rounds in levels:
        order = [direct, *arms[1:], Arm("direct-B", direct.port, direct.path, direct.headers, body)]
        totals = {arm.name: {"ttfb": [], "total": [], "bodies": [], "statuses": [], "elapsed": 0.0, "cpu": 0.0}
                  for arm in order}
        for _ in range(rounds):
            for arm in order:
                pid = pids.get(arm.name)
                for other in pids.values():
                    await settle(other)
                cpu0 = tree_cpu_seconds(pid) if pid else 0.0
                started = time.perf_counter()
                result = await asyncio.wait_for(arm.run(concurrency, 1), timeout=900)
                got = totals[arm.name]
                got["elapsed"] += time.perf_counter() - started
                if pid:
                    await settle(pid)  # recording finishes after the last byte: count it all
                    got["cpu"] += tree_cpu_seconds(pid) - cpu0
                for key in ("ttfb", "total", "bodies", "statuses"):
                    got[key] += result[key]
        row: dict = {}
        for arm in order:
            got = totals[arm.name]
            ok = [s == 200 for s in got["statuses"]]
            # LiteLLM rewrites the request it forwards (the simulator then seeds a different
            # answer), so its streams are checked against its own first answer instead.
            expected = lite_reference if arm.name == "litellm" else reference
            intact = sum(b == expected and b.endswith(b"message_stop\"}\n\n") for b in got["bodies"])
            row[arm.name] = {
                "ttfb": got["ttfb"], "total": got["total"], "streams": len(ok),
                "ok": sum(ok), "intact": intact, "elapsed": got["elapsed"],
                "cpu_per_event_us": got["cpu"] / (len(ok) * events) * 1e6 if arm.name in pids else None,
            }
        report["levels"][concurrency] = row
    return report


async def paced_stream(port: int, headers: dict, body: bytes) -> tuple[bool, list[float]]:
    """(stall-free, gaps in ms) for one paced stream: the gaps between body reads, the first
    counted from the request. Stall-free: it reached message_stop with no gap over STALL_MS."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = ["POST /v1/messages HTTP/1.1", f"host: 127.0.0.1:{port}", f"content-length: {len(body)}",
            "connection: close", "content-type: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    last = time.perf_counter()
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    gaps: list[float] = []
    buf = bytearray()
    header_end = -1
    try:
        async with asyncio.timeout(60):
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                now = time.perf_counter()
                buf += chunk
                if header_end < 0:
                    header_end = buf.find(b"\r\n\r\n")
                    if header_end < 0:
                        continue
                    header_end += 4
                    if len(buf) == header_end:
                        continue  # the head alone: the gap runs on to the first body bytes
                gaps.append((now - last) * 1000)
                last = now
                if buf.endswith(b"\r\n0\r\n\r\n"):
                    break
    except TimeoutError:
        gaps.append(60_000.0)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    complete = b"event: message_stop" in buf
    return complete and bool(gaps) and max(gaps) <= STALL_MS, gaps


async def paced(procs: dict, levels: tuple[int, ...], rounds: int) -> dict:
    """The paced lane: streams shaped like real model traffic, started together in rising
    numbers, for each arm in turn (direct A, proxy, the bare relays, LiteLLM, direct B),
    `rounds` times per level (one burst says little on a busy machine)."""
    ports = procs["ports"]
    body = json.dumps({"model": "sim-1", "max_tokens": 1024, "stream": True,
                       "messages": [{"role": "user", "content": "paced"}]}).encode()
    base = {"anthropic-version": "2023-06-01", **PACED_HEADERS}
    arms = [("direct", ports["sim"], {**base, "x-api-key": "unused"}, body),
            ("proxy", ports["app"], {**base, "x-api-key": procs["key"]}, body),
            ("bare-httpx", ports["bare"], {**base, "x-api-key": "unused"}, body),
            ("bare-asyncio", ports["raw"], {**base, "x-api-key": "unused"}, body)]
    if "litellm" in ports:
        lite_body = body.replace(b'"sim-1"', b'"sim-paced"')
        arms.append(("litellm", ports["litellm"], {"anthropic-version": "2023-06-01",
                                                   "x-api-key": procs["litellm_key"]}, lite_body))
    arms.append(("direct-B", ports["sim"], {**base, "x-api-key": "unused"}, body))
    pids = [procs[name].pid for name in ("app", "bare", "raw")]
    pids += [procs["litellm"].pid] if "litellm" in ports else []
    for _name, port, headers, arm_body in arms:  # warm-up
        await asyncio.gather(*(paced_stream(port, headers, arm_body) for _ in range(10)))
    out: dict = {}
    for n in levels:
        row = {name: {"stall_free": [], "gaps": []} for name, *_ in arms}
        for _ in range(rounds):  # the arms take turns round by round
            for name, port, headers, arm_body in arms:
                for pid in pids:
                    await settle(pid)
                results = await asyncio.gather(*(paced_stream(port, headers, arm_body) for _ in range(n)))
                row[name]["stall_free"].append(sum(ok for ok, _ in results))
                row[name]["gaps"] += [g for _ok, gs in results for g in gs]
        out[n] = {name: {"stall_free": r["stall_free"], "streams": n, "gap_p99": pct(r["gaps"], 99)}
                  for name, r in row.items()}
    return out


def print_paced(report: dict) -> None:
    print(f"\npaced lane: {PACED_HEADERS}, streams started together; stall = a gap over {STALL_MS:.0f} ms;"
          " stall-free streams per round, gap p99 over all rounds")
    for n, row in report.items():
        cells = [f"{name} {','.join(map(str, r['stall_free']))}/{r['streams']} stall-free, gap p99 {r['gap_p99']:6.1f} ms"
                 for name, r in row.items()]
        print(f"  {n:4d} streams: " + " | ".join(cells))


async def serve_big_stream(tokens: int) -> tuple[asyncio.AbstractServer, int]:
    """A minimal upstream answering one Messages stream of `tokens` output tokens.

    The simulator caps output at sim-1's 128,000 max_tokens, so the long stream comes from
    here: the same event shapes, ~3.4 tokens per text delta like the simulator's chunking.
    """
    from playground.contract.sse import encode_event

    per_delta = 3.4
    deltas = int(tokens / per_delta)
    start = encode_event("message_start", {"type": "message_start", "message": {
        "id": "msg_bench", "type": "message", "role": "assistant", "model": "sim-1", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 1}}})
    block = encode_event("content_block_start", {"type": "content_block_start", "index": 0,
                                                 "content_block": {"type": "text", "text": ""}})
    delta = encode_event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                 "delta": {"type": "text_delta", "text": " relay bytes"}})
    end = (
        encode_event("content_block_stop", {"type": "content_block_stop", "index": 0})
        + encode_event("message_delta", {"type": "message_delta",
                                         "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                         "usage": {"output_tokens": tokens}})
        + encode_event("message_stop", {"type": "message_stop"})
    )

    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
                     b"request-id: req_bench\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
        writer.write(chunk(start + block))
        for i in range(deltas):
            writer.write(chunk(delta))
            if i % 200 == 0:
                await writer.drain()
        writer.write(chunk(end) + b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _big_key(env: dict, port: int) -> str:
    subprocess.run(
        [PY, "manage.py", "addprovider", "benchbig", "--base-url", f"http://127.0.0.1:{port}",
         "--models", "big-*", "--auth", "none", "--allow-private-network"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )
    return subprocess.run(
        [PY, "manage.py", "createproxykey", "bench-big", "--provider", "benchbig"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]


async def big_stream(procs: dict, tmp: Path) -> dict:
    server, port = await serve_big_stream(BIG_STREAM_TOKENS)
    key = await asyncio.to_thread(_big_key, procs["env"], port)
    body = json.dumps(
        {"model": "sim-1", "max_tokens": 128_000, "stream": True,
         "messages": [{"role": "user", "content": "a long one"}]}
    ).encode()
    headers = {"anthropic-version": "2023-06-01", "x-api-key": key}
    pid = procs["app"].pid
    await asyncio.sleep(2.5)  # the provider cache of the app expires (2 s)
    before = rss_mb(pid)
    peak = before
    task = asyncio.ensure_future(one_stream(procs["ports"]["app"], "/v1/messages", headers, body))
    while not task.done():
        peak = max(peak, rss_mb(pid))
        await asyncio.sleep(0.05)
    _ttfb, total, payload, status = task.result()
    for _ in range(40):  # until the recorder has written the exchange and released it
        await asyncio.sleep(0.25)
        peak = max(peak, rss_mb(pid))
    after = rss_mb(pid)
    server.close()
    return {"status": status, "events": payload.count(b"event: "), "seconds": total,
            "rss_before": before, "rss_peak": peak, "rss_after": after}


def print_report(report: dict, big: dict, procs: dict) -> None:
    print(f"\nstreams of {report['events_per_stream']} events; times in ms; "
          "added = arm - mean(direct A, direct B)\n")
    for concurrency, row in report["levels"].items():
        a, b = row["direct"], row["direct-B"]
        print(f"== {concurrency} concurrent stream(s)")
        for name, res in row.items():
            print(f"  {name:9s} TTFB {fmt(res['ttfb'])} | total {fmt(res['total'])} | "
                  f"{res['ok']}/{res['streams']} ok, {res['intact']} intact, {res['elapsed']:.1f} s")
        for q in (50, 99):
            base_ttfb = (pct(a["ttfb"], q) + pct(b["ttfb"], q)) / 2
            base_total = (pct(a["total"], q) + pct(b["total"], q)) / 2
            spread_ttfb = abs(pct(a["ttfb"], q) - pct(b["ttfb"], q))
            spread_total = abs(pct(a["total"], q) - pct(b["total"], q))
            line = f"  p{q}: A/A spread TTFB {spread_ttfb:7.2f} total {spread_total:8.2f}"
            for name in ("proxy", "litellm"):
                if name in row:
                    add_t = pct(row[name]["ttfb"], q) - base_ttfb
                    add_total = pct(row[name]["total"], q) - base_total
                    line += f" | {name} added TTFB {add_t:7.2f} total {add_total:8.2f}"
            if "litellm" in row:
                lt = pct(row["litellm"]["ttfb"], q) - base_ttfb
                pt = pct(row["proxy"]["ttfb"], q) - base_ttfb
                if lt > 0:
                    line += f" | proxy/litellm added TTFB {pt / lt:.3f}"
            print(line)
        cpu = row["proxy"]["cpu_per_event_us"]
        line = f"  CPU per relayed event: proxy {cpu:.1f} us (relaying and recording, one process)"
        if "litellm" in row:
            line += f", LiteLLM {row['litellm']['cpu_per_event_us']:.1f} us"
        print(line)
    if "litellm_error" in procs:
        print(f"\nLiteLLM did not run: {procs['litellm_error']}")
    elif "litellm" not in procs["ports"]:
        print("\nLiteLLM not run (not installed in /tmp/litellm-venv, or --no-litellm)")
    print(f"\n300,000-token stream through the proxy: status {big['status']}, {big['events']} events, "
          f"{big['seconds']:.1f} s; proxy RSS (recording included) {big['rss_before']:.1f} MB before, "
          f"peak {big['rss_peak']:.1f} MB (+{big['rss_peak'] - big['rss_before']:.1f}), "
          f"{big['rss_after']:.1f} MB after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--no-litellm", action="store_true")
    parser.add_argument(
        "--levels", default="1,10,100", help="concurrency levels to run, of 1,10,100 (default: all)"
    )
    parser.add_argument(
        "--diagnose-without-recording", action="store_true",
        help="diagnostic: run the proxy with recording stubbed out (not a product setting)",
    )
    parser.add_argument("--paced", default=",".join(map(str, PACED_LEVELS)),
                        help="paced lane stream counts (empty: skip the paced lane)")
    parser.add_argument("--paced-rounds", type=int, default=3, help="bursts per paced level and arm")
    parser.add_argument("--skip-levels", action="store_true", help="skip the TTFB/CPU lane")
    args = parser.parse_args()
    tokens = calibrate_tokens(EVENTS_TARGET)
    tmp = Path(tempfile.mkdtemp(prefix="bench-proxy-"))
    procs = start_processes(
        tmp, use_litellm=not args.no_litellm, record=not args.diagnose_without_recording
    )
    try:
        only = {int(level) for level in args.levels.split(",")}
        if not args.skip_levels:
            report = asyncio.run(bench(procs, tokens, args.quick, only))
            big = asyncio.run(big_stream(procs, tmp))
            print_report(report, big, procs)
        if args.paced:
            levels = tuple(int(n) for n in args.paced.split(","))
            print_paced(asyncio.run(paced(procs, levels, args.paced_rounds)))
    finally:
        stop_processes(procs)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
