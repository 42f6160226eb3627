"""uvicorn's HTTP/1.1 protocol, answering requests it cannot parse in the API's error shape.

uvicorn refuses a request its parser rejects (a NUL or another control byte in a header, a
malformed request line) before any application code runs, with a plain-text 400. An SDK
pointed at the proxy expects the API's JSON error, so this protocol sends that instead:
`{"type": "error", "error": {"type": "invalid_request_error", ...}, "request_id": ...}` with
a `request-id` header and `x-should-retry: false` (the same bytes would fail again).

    uvicorn playground.asgi:application --http playground.http_protocol:HttpProtocol
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from playground.contract.errors import error_body, new_request_id


class HttpProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        request_id = new_request_id()
        message = "The request could not be parsed as HTTP/1.1 (a control byte such as NUL in a header?)."
        body = json.dumps(error_body("invalid_request_error", message, request_id)).encode()
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"request-id: " + request_id.encode("ascii") + b"\r\n",
                b"x-should-retry: false\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
