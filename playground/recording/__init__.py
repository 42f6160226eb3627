"""Recording: every exchange the server makes or relays, and the only functions that write it.

The capture API (see docs/architecture.md and docs/recording.md):

    rec = recording.start_exchange(source=..., method=..., path=..., request_headers=...,
                                   request_body=raw_bytes, provider=..., team_id=...)
    rec.public_id ; rec.response_started(status, headers) ; rec.event(raw, t, sse)
    rec.body(raw) ; rec.finish(outcome=None, error=None)
    await recording.flush() ; recording.flush_sync() ; recording.health()

The names are imported lazily so that importing this package (which Django does while it
loads the app registry) never imports the models early.
"""

from __future__ import annotations

from typing import Any


def start_exchange(**kwargs: Any):
    from playground.recording.capture import start_exchange as start

    return start(**kwargs)


async def flush() -> None:
    from playground.recording.writer import flush as writer_flush

    await writer_flush()


def flush_sync(timeout: float = 30.0) -> None:
    from playground.recording.writer import flush_sync as writer_flush_sync

    writer_flush_sync(timeout)


def health() -> dict:
    from playground.recording.writer import health as writer_health

    return writer_health()
