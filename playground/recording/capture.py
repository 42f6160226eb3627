"""The capture API: what the proxy, the composer and replays call while an exchange happens.

Policy:

* Every call returns at once. `start_exchange` only redacts the headers and hands the raw
  bytes to the writer; parsing, validation, media extraction and all analysis happen in the
  writer's thread. `chunk()` (raw bytes as received: the proxy) and `event()` (an event
  the caller parsed: the composer, replays) only queue; the writer numbers the events and
  rebuilds the message as they pass (`tally.py`).
* Nothing here raises for bad input or a broken database: recording never breaks a stream.
  Calls after `finish()` are ignored.
* `t` passed to `event()` is a `time.monotonic()` reading at arrival (what `upstream`'s
  `StreamedEvent.t` holds); offsets are stored in milliseconds since `start_exchange`. The
  same holds for `chunk()`: every event a chunk completes arrived with that chunk.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from playground.recording import boot, ops, writer
from playground.recording.models import new_public_id
from playground.recording.redact import clean_secrets, header_pairs, redact_headers

log = logging.getLogger(__name__)

SOURCES = frozenset({"playground", "proxy", "replay"})


class Recorder:
    """A handle on one exchange being recorded."""

    __slots__ = ("public_id", "_t0", "_secrets", "_finished", "_status")

    def __init__(self, public_id: str, t0: float, secrets: tuple[str, ...]) -> None:
        self.public_id = public_id
        self._t0 = t0
        self._secrets = secrets
        self._finished = False
        self._status: int | None = None

    @property
    def finished(self) -> bool:
        return self._finished

    def _ms(self, t: float | None) -> float:
        now = time.monotonic() if t is None else t
        return max((now - self._t0) * 1000.0, 0.0)

    def response_started(self, status: int, headers: object = None, t: float | None = None) -> None:
        """The response's status and headers, which arrived at `t` (monotonic; now if None)."""
        if self._finished:
            return
        try:
            self._status = int(status)
            redacted = redact_headers(headers, self._secrets)
            request_id = next((v for k, v in redacted if k.lower() == "request-id"), "")
            writer.submit(ops.Response(self.public_id, self._status, redacted, self._ms(t), request_id))
        except Exception:
            log.exception("recording: response_started failed")

    def event(self, raw: bytes, t: float | None, sse: object) -> None:
        """One event the caller parsed itself (`raw` is its bytes as received)."""
        if self._finished:
            return
        writer.submit(ops.Event(self.public_id, self._ms(t), raw, sse))

    def chunk(self, raw: bytes, t: float | None) -> None:
        """Stream bytes as received, cut anywhere; the writer parses them."""
        if self._finished or not raw:
            return
        # Queued as is, not copied: only immutable bytes may wait in the queue.
        writer.submit_chunk(self.public_id, self._ms(t), raw if type(raw) is bytes else bytes(raw))

    def body(self, raw: bytes) -> None:
        if self._finished:
            return
        writer.submit(ops.Body(self.public_id, bytes(raw or b"")))

    def finish(self, outcome: str | None = None, error: object = None) -> None:
        if self._finished:
            return
        self._finished = True
        try:
            writer.submit(ops.Finish(self.public_id, outcome, error, self._ms(None), datetime.now(UTC)))
        except Exception:
            log.exception("recording: finish failed")


def start_exchange(
    *,
    source: str,
    method: str = "POST",
    path: str = "/v1/messages",
    query: str = "",
    request_headers: object = None,
    request_body: bytes | str | None = b"",
    provider: str | None = "",
    team_id: int | None = None,
    user_id: int | None = None,
    proxy_key_name: str | None = "",
    thread_hint: str | None = "",
    secrets: object = (),
    t0: float | None = None,
) -> Recorder:
    """Start recording an exchange; returns at once with `public_id` known. Times are
    recorded from `t0` (a `time.monotonic()` reading when the request arrived; now if None)."""
    t0 = time.monotonic() if t0 is None else t0
    public_id = new_public_id()
    known = clean_secrets(secrets if not isinstance(secrets, str | bytes) else [secrets])
    if isinstance(request_body, str):
        request_body = request_body.encode("utf-8", "surrogatepass")
    headers = redact_headers(request_headers, known)
    if not thread_hint:
        thread_hint = next(
            (v for k, v in header_pairs(request_headers) if k.lower() == "x-playground-thread"),
            "",
        )
    rec = Recorder(public_id, t0, known)
    try:
        writer.submit(
            ops.Create(
                public_id=public_id,
                source=source if source in SOURCES else "proxy",
                method=(method or "POST").upper(),
                path=path or "",
                query=query or "",
                request_headers=headers,
                raw=bytes(request_body or b""),
                provider=provider or "",
                team_id=team_id,
                user_id=user_id,
                proxy_key_name=proxy_key_name or "",
                thread_hint=(thread_hint or "").strip(),
                secrets=known,
                started_at=datetime.now(UTC),
                boot_id=boot.BOOT_ID,
            )
        )
    except Exception:
        log.exception("recording: start_exchange failed")
    return rec
