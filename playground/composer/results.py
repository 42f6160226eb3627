"""What a run reports: its events, its start, its result, and a refusal before it starts.

Plain data shared by `runs.run_request` and its callers (the run socket, replays, load_demo);
the JSON-ready shape of a result is `RunResult.frame()`, the `run.finished` frame's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass
class RunEvent:
    """One upstream event as the run saw it: its index in the exchange, offset and parsed data."""

    seq: int
    t_ms: float
    event: str | None
    data: Any
    raw: bytes
    t: float  # monotonic arrival time stamped by the upstream client
    sse: Any = None


@dataclass
class RunStart:
    public_id: str
    model: str | None
    provider: str | None


@dataclass
class RunResult:
    """How a run ended; a field stays None when the run never got that far."""

    outcome: str
    public_id: str | None = None
    status: int | None = None
    message: dict | None = None
    usage: dict | None = None
    stop_reason: str | None = None
    cost_usd: Decimal | None = None
    ttft_ms: float | None = None
    tokens_per_s: float | None = None
    error: dict | None = None
    request_id: str | None = None
    provider: str | None = None

    def frame(self) -> dict:
        """The JSON-ready fields of a `run.finished` frame."""
        return {
            "exchange_id": self.public_id,
            "outcome": self.outcome,
            "status": self.status,
            "message": self.message,
            "usage": self.usage,
            "stop_reason": self.stop_reason,
            "cost_usd": str(self.cost_usd) if self.cost_usd is not None else None,
            "ttft_ms": self.ttft_ms,
            "tokens_per_s": self.tokens_per_s,
            "error": self.error,
            "request_id": self.request_id,
        }


class RunRefused(ValueError):
    """The run cannot start (unknown model or provider); `error` is the API-shaped error."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error = {"type": error_type, "message": message}


def refused_result(error: dict) -> RunResult:
    """A result for a run that never started (RunRefused), in the same shape."""
    return RunResult(outcome="rejected", error=error)
