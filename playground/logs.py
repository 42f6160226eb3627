"""Logging: one line per request, a request id on every line, JSON in production, no secrets.

* `access_log(app)` wraps the ASGI app (asgi.py): every HTTP request gets an id (also sent
  back as `x-request-id`), and when it ends one line is logged on `playground.access` with
  the method, the path (never the query string), the status and the time taken. Every
  line logged while the request runs carries its id (`request_id`, a context variable).
* `JsonFormatter` writes one JSON object per line (`time`, `level`, `logger`, `message`,
  `request_id`, the access fields, `exc` for a traceback); `PlainFormatter` the same facts
  as text for development. `PLAYGROUND_LOG_FORMAT` chooses (settings.py).
* Both formatters scrub the finished line (message, arguments and traceback alike): API
  keys (`sk-ant-...`), proxy keys (`pgk-...`) and the values of credential-looking fields
  (`authorization`, `x-api-key`, `api_key`, `cookie`, ...) become `[redacted]`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import time
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access = logging.getLogger("playground.access")

# Not `\b`: a key glued to a word character (`req_sk-ant-...` echoed in a header) is a key too.
_KEYS = re.compile(r"(?<![A-Za-z0-9])(?:sk-ant-|pgk-)[A-Za-z0-9_\-]{4,}")
_FIELDS = re.compile(
    r"(?i)((?:proxy-)?authorization|x-api-key|api[_-]?key|anthropic[_-]api[_-]key|cookie|set-cookie|"
    r"password|secret|token)(\\?[\"']?\s*[:=]\s*\\?[\"']?)(bearer\s+|basic\s+)?([^\s\"',;&}\\]+)"
)
_ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "client")


def scrub(text: str) -> str:
    """`text` with API keys, proxy keys and credential field values replaced."""
    text = _KEYS.sub("[redacted]", text)
    return _FIELDS.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}[redacted]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for name in _ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return scrub(json.dumps(entry, ensure_ascii=False, default=str))


def access_log(app):
    """ASGI middleware: a request id for every HTTP request and one access line when it ends."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        rid = secrets.token_hex(8)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            client = scope.get("client")
            access.info(
                "%s %s %s %.1fms", scope.get("method"), scope.get("path"), status or "-", elapsed,
                extra={"method": scope.get("method"), "path": scope.get("path"), "status": status or None,
                       "duration_ms": elapsed, "client": client[0] if client else None},
            )
            request_id.reset(token)

    return wrapped
