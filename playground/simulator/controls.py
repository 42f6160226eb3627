"""The simulator's request-header controls (`x-sim-*`), parsed and checked.

Policy: every control is optional and bounded; a malformed or unknown `x-sim-*` header is a
400 in the API's error shape naming the header (a typo must not silently do nothing).
Faults can be limited to the first attempts of a call (`x-sim-fault-attempts`, compared with
the SDK's `x-stainless-retry-count`), so an SDK's retries can be seen to succeed without any
state kept between requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FAULTS = ("overloaded", "rate_limit", "server_error", "error_mid_stream", "cut_mid_stream", "stall")
# Faults answered with an HTTP error before any response byte.
STATUS_FAULTS = ("overloaded", "rate_limit", "server_error")

_LIMITS = {
    "x-sim-output-tokens": (0, 2_000_000),
    "x-sim-delay-ms": (0, 60_000),
    "x-sim-stall-ms": (0, 600_000),
    "x-sim-fault-after": (0, 10_000_000),
    "x-sim-fault-attempts": (1, 1_000),
    "x-sim-retry-after": (0, 3_600),
}
# Server tools the simulator can run on request (`x-sim-server-tool`).
SERVER_TOOLS = ("web_search",)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
KNOWN = frozenset([*_LIMITS, "x-sim-fault", "x-sim-server-tool", "x-sim-pause-turn"])


class ControlError(ValueError):
    """A bad `x-sim-*` header; the message is what the client sees."""


@dataclass(frozen=True)
class Controls:
    output_tokens: int | None = None  # answer length in tokens
    delay_ms: int = 0  # pause between stream events
    fault: str | None = None
    stall_ms: int = 30_000  # how long `stall` stays silent
    fault_after: int | None = None  # deltas sent before a mid-stream fault (default: half)
    fault_attempts: int | None = None  # fault only while x-stainless-retry-count < this
    retry_after: int = 1  # seconds, on 429 and 529
    server_tool: str | None = None  # a server tool this turn uses whatever was asked
    pause_turn: bool = False  # stop with `pause_turn` after the server tool call

    def content_key(self) -> str:
        """The part of the controls that changes the message (it joins the seed)."""
        return f"out={self.output_tokens}|tool={self.server_tool}|pause={self.pause_turn}"


def _int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    low, high = _LIMITS[name]
    try:
        value = int(raw.strip())
    except ValueError:
        raise ControlError(f"{name}: must be an integer, got {raw[:40]!r}") from None
    if not low <= value <= high:
        raise ControlError(f"{name}: must be between {low} and {high}, got {value}")
    return value


def parse_controls(headers: Mapping[str, str]) -> Controls:
    """Controls from lower-cased request headers; raises ControlError on bad ones."""
    for name in headers:
        if name.startswith("x-sim-") and name not in KNOWN:
            raise ControlError(f"{name}: unknown simulator control; known: {', '.join(sorted(KNOWN))}")
    fault = headers.get("x-sim-fault")
    if fault is not None:
        fault = fault.strip().lower().replace("-", "_")
        if fault not in FAULTS:
            raise ControlError(f"x-sim-fault: unknown fault {fault[:40]!r}; expected one of {', '.join(FAULTS)}")
    server_tool = headers.get("x-sim-server-tool")
    if server_tool is not None:
        server_tool = server_tool.strip().lower()
        if server_tool not in SERVER_TOOLS:
            raise ControlError(f"x-sim-server-tool: unknown server tool {server_tool[:40]!r}; "
                               f"expected one of {', '.join(SERVER_TOOLS)}")
    pause = headers.get("x-sim-pause-turn")
    if pause is not None:
        pause = pause.strip().lower()
        if pause not in _TRUE + _FALSE:
            raise ControlError(f"x-sim-pause-turn: must be true or false, got {pause[:40]!r}")
    stall = _int(headers, "x-sim-stall-ms")
    retry_after = _int(headers, "x-sim-retry-after")
    return Controls(
        output_tokens=_int(headers, "x-sim-output-tokens"),
        delay_ms=_int(headers, "x-sim-delay-ms") or 0,
        fault=fault or None,
        stall_ms=30_000 if stall is None else stall,
        fault_after=_int(headers, "x-sim-fault-after"),
        fault_attempts=_int(headers, "x-sim-fault-attempts"),
        retry_after=1 if retry_after is None else retry_after,
        server_tool=server_tool,
        pause_turn=pause in _TRUE,
    )


def fault_for(controls: Controls, headers: Mapping[str, str]) -> str | None:
    """The fault this attempt gets, honouring `x-sim-fault-attempts`."""
    if controls.fault is None:
        return None
    if controls.fault_attempts is not None:
        try:
            attempt = int(headers.get("x-stainless-retry-count", "0"))
        except ValueError:
            attempt = 0
        if attempt >= controls.fault_attempts:
            return None
    return controls.fault
