"""One proxied call: what the ASGI app learned about the request before dispatching it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from playground.proxy.auth import KeyInfo

# Request headers never forwarded upstream: the proxy's own credentials, hop-by-hop and
# framing headers (the upstream client sets its own), and cookies. The provider's key is
# added by `playground.upstream`; the caller's key only in passthrough mode.
DROP_REQUEST = frozenset(
    {
        b"host",
        b"content-length",
        b"transfer-encoding",
        b"connection",
        b"keep-alive",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"upgrade",
        b"x-api-key",
        b"authorization",
        b"x-playground-key",
        b"cookie",
        b"accept-encoding",
        b"expect",
    }
)
# Recorded request headers: credentials are replaced, never stored.
SECRET_REQUEST = frozenset({b"x-api-key", b"authorization", b"x-playground-key", b"cookie"})


@dataclass
class Call:
    request_id: str
    key: KeyInfo
    caller_key: tuple[bytes, bytes] | None
    method: str
    endpoint: str  # messages | count_tokens | models | model
    path: str
    query: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    path_model: str | None = None
    secrets: tuple[str, ...] = ()  # raw keys seen on this call, scrubbed from recordings
    parsed: dict | None = None
    model: str = ""
    stream: bool = False
    cancelled: bool = False
    started: bool = False  # a response start was sent to the client
    extra: dict = field(default_factory=dict)
    received_at: float = field(default_factory=time.monotonic)  # recorded times count from here

    def forward_headers(self, passthrough: bool = False) -> list[tuple[str, str]]:
        out = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in self.headers
            if k not in DROP_REQUEST
        ]
        if passthrough and self.caller_key is not None:
            name, value = self.caller_key
            out.append((name.decode("latin-1"), value.decode("latin-1")))
        return out

    def recorded_headers(self) -> list[tuple[str, str]]:
        separate = any(k == b"x-playground-key" for k, _ in self.headers)
        out = []
        for k, v in self.headers:
            name = k.decode("latin-1")
            if k == b"cookie":
                value = "[redacted]"
            elif k == b"x-playground-key" or (k in SECRET_REQUEST and not separate):
                value = f"[proxy key {self.key.name}]"
            elif k in SECRET_REQUEST:
                value = "[caller key, not stored]"
            else:
                value = v.decode("latin-1")
            out.append((name, value))
        return out

    def thread_hint(self) -> str | None:
        for k, v in self.headers:
            if k == b"x-playground-thread":
                return v.decode("latin-1")[:200]
        return None
