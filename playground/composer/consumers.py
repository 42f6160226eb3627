"""The run socket (`ws/runs/`): runs, stops, tool-loop auto-runs and compares from the page.

Policy:

* Only an authenticated user with a team may connect; the team is the one they work in
  (playground.teams.ops). Every run is recorded for it. A viewer's runs are refused with a
  `run.rejected` frame carrying the API's `permission_error` (viewers spend no provider key).
* Every client message is checked (protocol.py) before anything acts on it; a bad one gets a
  `run.rejected` frame, never a crash of the socket.
* Runs are tasks: `receive` only starts or stops them, so "stop" is handled while a run
  streams. "stop" sets the run's cancel event; closing the socket (the tab) cancels every run
  of the socket. Either way the exchange is recorded `client_cancelled` with its partial
  answer, and the upstream request is closed at once. At most MAX_RUNS run at a time.
* A run may name its working copy (`copy`) and a value set (`variables`): the request is
  resolved first (origins.resolved: placeholders filled, or the run refused naming what is
  missing), the resolved request is what is sent and recorded, and when the copy is in the
  library the exchange is linked to its saved request, version and value set. `grid` runs
  one request once per value set, at most GRID_PARALLEL at a time, each row a normal
  recorded run; "stop" stops every row, and rows not started yet never start. `compare`
  runs one request per target, each with the target's model and overrides applied here
  (compare.py: checked by the protocol, so a bad one refuses the compare naming its column).
* Events go to the socket as soon as they arrive, from the run's own task (no queue, no
  timer, no hop through another task): nothing is ever queued here, so each `run.events`
  frame carries the one event that just arrived. A socket that cannot keep up slows the
  run's reading (the upstream waits) instead of growing memory; Stop still works at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from playground.composer import origins
from playground.composer.compare import column_request
from playground.composer.loops import autorun
from playground.composer.protocol import ProtocolError, parse_message
from playground.composer.results import RunEvent, RunRefused, RunResult, RunStart, refused_result
from playground.composer.runs import run_request

log = logging.getLogger(__name__)

MAX_RUNS = 8
GRID_PARALLEL = 4
# Bench only: stamp each relayed event with the monotonic time the server received it (`rx`)
# and handed its frame to the socket (`tx`), so bench/bench_relay.py can measure relay latency
# (CLOCK_MONOTONIC is shared by processes).
BENCH_STAMPS = os.environ.get("PLAYGROUND_BENCH_STAMPS") == "1"


def scope_team(scope):
    """The team of the socket's user (sync: touches the session and the database)."""
    from playground.teams.ops import team_for_user

    return team_for_user(scope.get("user"), scope.get("session"))


def scope_membership(scope):
    """The socket user's membership of the team they work in (sync, like scope_team)."""
    from playground.teams.ops import membership_for_user

    return membership_for_user(scope.get("user"), scope.get("session"))


def exchange_url(public_id: str | None) -> str | None:
    return f"/exchanges/{public_id}/" if public_id else None


def event_item(ev: RunEvent) -> dict:
    item = {"seq": ev.seq, "t_ms": ev.t_ms, "event": ev.event, "data": ev.data}
    if BENCH_STAMPS:
        item["rx"] = ev.t
    return item


class _Relay:
    """Sends one run's events to the socket as the run receives them.

    The run awaits each send: a frame leaves as soon as its event arrived (no hop through
    another task, whose turn could come only after everything else ready on the loop), and a
    socket that cannot keep up slows the run's reading rather than growing a queue here.
    """

    def __init__(self, consumer: RunConsumer, run_id: str, extra: dict):
        self.consumer = consumer
        self.run_id = run_id
        self.extra = extra

    async def push(self, ev: RunEvent) -> None:
        item = event_item(ev)
        if BENCH_STAMPS:
            item["tx"] = time.monotonic()
        await self.consumer.send_frame(
            {"type": "run.events", "run_id": self.run_id, "events": [item], **self.extra}
        )


class RunConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.runs: dict[str, tuple[asyncio.Task, asyncio.Event]] = {}
        self.closed = False
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        membership = await database_sync_to_async(scope_membership)(self.scope)
        if membership is None:
            await self.close(code=4403)
            return
        self.team = membership.team
        self.can_run = membership.can_write
        self.user_id = user.pk
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self.closed = True
        active = list(self.runs.values())
        for _task, cancel in active:
            cancel.set()
        tasks = [task for task, _ in active]
        if tasks:
            # Each run records itself `client_cancelled`; give it a moment, then insist.
            _done, pending = await asyncio.wait(tasks, timeout=3)
            for task in pending:
                task.cancel()

    async def send_frame(self, frame: dict) -> None:
        if self.closed:
            return
        try:
            await self.send(text_data=json.dumps(frame, ensure_ascii=False, default=str))
        except Exception:  # the socket went away mid-send: the run carries on to record
            self.closed = True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        if text_data is None:
            await self.reject(None, "messages are JSON text")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.reject(None, "message is not valid JSON")
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        try:
            msg = parse_message(content)
        except ProtocolError as exc:
            await self.reject(exc.run_id, str(exc), column=exc.column)
            return
        run_id = msg["run_id"]
        if msg["action"] == "stop":
            active = self.runs.get(run_id)
            if active:
                active[1].set()
            return
        if not self.can_run:
            await self.reject(run_id, "viewers cannot run requests in this team", "permission_error")
            return
        if run_id in self.runs:
            await self.reject(run_id, "a run with this run_id is already running")
            return
        if len(self.runs) >= MAX_RUNS:
            await self.reject(run_id, f"at most {MAX_RUNS} runs at a time on one page")
            return
        cancel = asyncio.Event()
        task = asyncio.create_task(self.start_run(msg, cancel))
        self.runs[run_id] = (task, cancel)
        task.add_done_callback(lambda _t: self.runs.pop(run_id, None))

    async def reject(
        self, run_id: str | None, message: str, error_type: str = "invalid_request_error", *, column: int | None = None
    ) -> None:
        frame = {"type": "run.rejected", "run_id": run_id, "error": {"type": error_type, "message": message}}
        if column is not None:
            frame["column"] = column
        await self.send_frame(frame)

    async def start_run(self, msg: dict, cancel: asyncio.Event) -> None:
        try:
            msg["origin"] = None
            if msg["copy"]:
                msg["origin"] = await database_sync_to_async(origins.origin_of)(
                    self.team.pk, self.user_id, msg["copy"]
                )
            if msg["action"] == "run":
                await self.run_one(msg, msg["request"], cancel, thread=msg["thread"], variables=msg["variables"])
            elif msg["action"] == "autorun":
                await self.run_loop(msg, cancel)
            elif msg["action"] == "grid":
                await self.run_grid(msg, cancel)
            else:
                await self.run_compare(msg, cancel)
        except RunRefused as exc:
            await self.reject(msg["run_id"], str(exc))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("run %s failed", msg["run_id"])
            await self.send_frame(
                {
                    "type": "run.rejected",
                    "run_id": msg["run_id"],
                    "error": {"type": "api_error", "message": "the run failed on the server"},
                }
            )

    async def run_one(
        self,
        msg: dict,
        request: dict,
        cancel: asyncio.Event,
        *,
        thread: str | None = None,
        provider: str | None = None,
        extra: dict | None = None,
        variables: dict | None = None,
    ) -> RunResult:
        run_id = msg["run_id"]
        extra = extra or {}
        relay = _Relay(self, run_id, extra)
        origin = msg.get("origin")
        began = time.monotonic()

        async def started(info: RunStart) -> None:
            if origin is not None:
                # An auto-run's later steps carry the first step's filled-in text.
                value_set = (variables or msg["variables"] or {}).get("set")
                await database_sync_to_async(origins.link)(origin, info.public_id, value_set)
            await self.send_frame(
                {
                    "type": "run.started",
                    "run_id": run_id,
                    "exchange_id": info.public_id,
                    "exchange_url": exchange_url(info.public_id),
                    "model": info.model,
                    "provider": info.provider,
                    **extra,
                }
            )

        try:
            result = await run_request(
                origins.resolved(request, variables),
                provider=provider if provider is not None else msg["provider"],
                headers=msg["headers"],
                source="playground",
                team_id=self.team.pk,
                user_id=self.user_id,
                thread=thread,
                on_event=relay.push,
                on_start=started,
                cancel=cancel,
            )
        except RunRefused as exc:
            result = refused_result(exc.error)
        if origin is not None and result.public_id:
            await database_sync_to_async(origins.finished)(result.public_id, result.outcome)
        frame = {"type": "run.finished", "run_id": run_id, **result.frame(), **extra}
        frame["cost_usd"] = float(result.cost_usd) if result.cost_usd is not None else None
        frame["duration_ms"] = round((time.monotonic() - began) * 1000, 1)
        await self.send_frame(frame)
        return result

    async def run_loop(self, msg: dict, cancel: asyncio.Event) -> None:
        run_id = msg["run_id"]
        # Every step is one exchange of one thread.
        thread = msg["thread"] or f"autorun-{run_id}"

        async def step(n: int, request: dict) -> RunResult:
            await self.send_frame({"type": "loop.step", "run_id": run_id, "step": n, "request": request})
            return await self.run_one(msg, request, cancel, thread=thread, extra={"step": n})

        # Placeholders are filled once, in the first request; the later steps carry its text.
        first = origins.resolved(msg["request"], msg["variables"])
        outcome = await autorun(first, msg["mocks"], msg["max_steps"], step, cancel.is_set)
        await self.send_frame(
            {
                "type": "loop.step",
                "run_id": run_id,
                "step": outcome.steps,
                "request": outcome.request,
                "final": True,
                "reason": outcome.reason,
                "missing_tools": outcome.missing_tools,
            }
        )

    async def run_compare(self, msg: dict, cancel: asyncio.Event) -> None:
        runs = []
        for column, target in enumerate(msg["targets"]):
            request = column_request(msg["request"], target)
            runs.append(
                self.run_one(
                    msg,
                    request,
                    cancel,
                    thread=msg["thread"],
                    provider=target["provider"] or "",
                    extra={"column": column},
                    variables=msg["variables"],
                )
            )
        await asyncio.gather(*runs)

    async def run_grid(self, msg: dict, cancel: asyncio.Event) -> None:
        """The request once per value set (one row each), GRID_PARALLEL rows at a time."""
        gate = asyncio.Semaphore(GRID_PARALLEL)

        async def row(index: int, value_set: dict) -> None:
            extra = {"row": index, "value_set": value_set["name"]}
            async with gate:
                if cancel.is_set():
                    stopped = {"type": "client_cancelled", "message": "stopped before this row started"}
                    await self.send_frame(
                        {"type": "run.finished", "run_id": msg["run_id"], **refused_result(stopped).frame(),
                         "outcome": "client_cancelled", **extra}
                    )
                    return
                variables = {"set": value_set["name"], "values": value_set["values"]}
                await self.run_one(msg, msg["request"], cancel, thread=msg["thread"], extra=extra, variables=variables)

        await asyncio.gather(*(row(i, value_set) for i, value_set in enumerate(msg["sets"])))
        await self.send_frame({"type": "grid.finished", "run_id": msg["run_id"], "rows": len(msg["sets"])})
