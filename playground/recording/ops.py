"""The operations the capture API queues for the writer, one small class per kind.

`capture.py` makes them, `writer.py` queues and batches them, `store.py` writes them. Stream
operations (`Event`, `Chunks`) may be dropped when the queue is full; the others never are.
`size` is the bytes an operation carries, what the queue's byte limit counts.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tally imports the contract's parser: only its types are needed here
    from playground.contract.sse import SSEEvent
    from playground.recording.tally import Run, StreamTally


@dataclass(slots=True)
class Create:
    public_id: str
    source: str
    method: str
    path: str
    query: str
    request_headers: list[tuple[str, str]]
    raw: bytes
    provider: str
    team_id: int | None
    user_id: int | None
    proxy_key_name: str
    thread_hint: str
    secrets: tuple[str, ...]
    started_at: datetime
    boot_id: str

    @property
    def size(self) -> int:
        return len(self.raw)


@dataclass(slots=True)
class Response:
    public_id: str
    status: int
    headers: list[tuple[str, str]]
    first_byte_ms: float
    request_id: str
    size = 0


@dataclass(slots=True)
class Body:
    public_id: str
    raw: bytes

    @property
    def size(self) -> int:
        return len(self.raw)


@dataclass(slots=True)
class Finish:
    public_id: str
    outcome: str | None
    error: object
    duration_ms: float
    finished_at: datetime
    tally: StreamTally | None = None  # the stream's, attached when the batch is prepared
    size = 0


@dataclass(slots=True)
class Event:
    """One event the caller parsed itself (the composer, replays)."""

    public_id: str
    offset_ms: float
    raw: bytes
    sse: SSEEvent

    @property
    def size(self) -> int:
        return len(self.raw)


@dataclass(slots=True)
class Chunks:
    """Stream bytes as read (the proxy), with each read's arrival offset. Sits in the queue
    where its first read arrived, so an exchange's operations keep their order; later reads
    of the exchange join it until a batch takes it."""

    public_id: str
    reads: list[bytes] = field(default_factory=list)
    offsets: array = field(default_factory=lambda: array("d"))
    size: int = 0

    def add(self, offset_ms: float, raw: bytes) -> None:
        self.reads.append(raw)
        self.offsets.append(offset_ms)
        self.size += len(raw)


@dataclass(slots=True)
class Events:
    """Consecutive events of a stream as its tally read them (made when a batch is prepared)."""

    public_id: str
    run: Run

    @property
    def count(self) -> int:
        return len(self.run.index)


Op = Create | Response | Body | Finish | Event | Chunks
STREAM_OPS = (Event, Chunks)
