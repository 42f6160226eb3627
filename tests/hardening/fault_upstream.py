"""A raw TCP upstream that misbehaves in ways HTTP libraries will not produce on purpose.

Each request names its scenario in `x-fault` (the proxy forwards it like any header) and an
id in `x-fault-id`; `SEEN[id]` records the request head the upstream received and, when the
proxy closed its side of the connection, `closed_at`. Scenarios write exact bytes, split
across TCP writes where that is the point.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time

from playground.contract.sse import encode_event

SEEN: dict[str, dict] = {}

MESSAGE = {"id": "msg_fault", "type": "message", "role": "assistant", "model": "fake-1", "content": [],
           "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 1}}
START = encode_event("message_start", {"type": "message_start", "message": MESSAGE})
BLOCK = encode_event("content_block_start", {"type": "content_block_start", "index": 0,
                                             "content_block": {"type": "text", "text": ""}})


def delta(text: str) -> bytes:
    return encode_event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                "delta": {"type": "text_delta", "text": text}})


END = (encode_event("content_block_stop", {"type": "content_block_stop", "index": 0})
       + encode_event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                        "stop_sequence": None}, "usage": {"output_tokens": 3}})
       + encode_event("message_stop", {"type": "message_stop"}))
SSE_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nrequest-id: req_fault\r\n\r\n"
FINAL_JSON = json.dumps({**MESSAGE, "content": [{"type": "text", "text": "héllo"}], "stop_reason": "end_turn"}).encode()


def _json(status: str, body: bytes, extra: bytes = b"") -> bytes:
    return (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n".encode()
            + extra + b"\r\n" + body)


def _error(kind: str, message: str) -> bytes:
    return json.dumps({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_fault"}).encode()


async def _scenario(name: str, writer: asyncio.StreamWriter, redirect_to: str) -> None:
    w = writer.write
    if name == "silent":
        await asyncio.sleep(3600)
    elif name == "stall":
        w(SSE_HEAD + START + BLOCK + delta("before "))
        await writer.drain()
        await asyncio.sleep(3600)
    elif name == "cut":
        w(SSE_HEAD + START + BLOCK + delta("partial "))
    elif name == "error_event":
        w(SSE_HEAD + START + BLOCK + delta("partial ")
          + encode_event("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
    elif name == "429":
        w(_json("429 Too Many Requests", _error("rate_limit_error", "slow down"),
                b"retry-after: 7\r\nretry-after-ms: 6500\r\nx-should-retry: true\r\n"))
    elif name == "529":
        w(_json("529 Overloaded", _error("overloaded_error", "Overloaded"), b"x-should-retry: true\r\n"))
    elif name == "500":
        w(_json("500 Internal Server Error", _error("api_error", "Internal server error")))
    elif name == "html_502":
        page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        w(b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: %d\r\n\r\n" % len(page) + page)
    elif name == "json_200":
        w(_json("200 OK", FINAL_JSON))
    elif name == "empty_200":
        w(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
    elif name == "gzip":
        body = gzip.compress(FINAL_JSON)
        w(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n"
          b"content-length: %d\r\n\r\n" % len(body) + body)
    elif name == "unterminated":
        w(SSE_HEAD + START + BLOCK + delta("end ") + END[:-2])
    elif name == "utf8_split":
        data = START + BLOCK + delta("naïve 日本 🙂") + END
        cut = data.index("日".encode()) + 1
        w(SSE_HEAD + data[:cut])
        await writer.drain()
        await asyncio.sleep(0.2)
        w(data[cut:])
    elif name == "big_line":
        w(SSE_HEAD + START + BLOCK + delta("x" * (5 * 1024 * 1024)) + END)
    elif name == "after_stop":
        w(SSE_HEAD + START + BLOCK + delta("done ") + END + delta("late "))
    elif name == "redirect":
        w(b"HTTP/1.1 307 Temporary Redirect\r\nlocation: " + redirect_to.encode()
          + b"/v1/messages\r\ncontent-length: 0\r\n\r\n")
    elif name == "ok":
        w(SSE_HEAD + START + BLOCK + delta("fine ") + END)
    await writer.drain()


class FaultServer:
    """The raw TCP upstream, on a loopback port, in a thread of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.redirect_to = ""

    def start(self) -> str:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop).result(10)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    def stop(self) -> None:
        def close() -> None:
            self.server.close()
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.call_later(0.2, self.loop.stop)

        self.loop.call_soon_threadsafe(close)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                if b":" in line:
                    k, v = line.split(b":", 1)
                    headers[k.strip().lower().decode()] = v.strip().decode("latin-1")
            await reader.readexactly(int(headers.get("content-length", "0")))
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            writer.close()
            return
        record = SEEN.setdefault(headers.get("x-fault-id", "?"), {})
        record["headers"] = headers
        record["requests"] = record.get("requests", 0) + 1
        scenario = asyncio.ensure_future(_scenario(headers.get("x-fault", "ok"), writer, self.redirect_to))
        eof = asyncio.ensure_future(_until_eof(reader))
        try:
            done, _ = await asyncio.wait({scenario, eof}, return_when=asyncio.FIRST_COMPLETED, timeout=120)
            if eof in done:
                # The proxy closed its side while the scenario was still going (a stall).
                record["closed_by_proxy_at"] = time.monotonic()
        finally:
            scenario.cancel()
            eof.cancel()
            await asyncio.gather(scenario, eof, return_exceptions=True)
            writer.close()


async def _until_eof(reader: asyncio.StreamReader) -> None:
    try:
        while await reader.read(65536):
            pass
    except ConnectionError:
        pass
