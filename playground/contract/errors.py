"""The API's error shape, statuses and request ids (no Django, no I/O).

Every error this product produces, whether the simulator's, the proxy's or the
composer's, is built here, so they all read exactly like the Messages API's own:
`{"type": "error", "error": {"type": ..., "message": ...}, "request_id": "req_..."}`.
"""

from __future__ import annotations

import secrets

ERROR_STATUS: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def new_request_id() -> str:
    """A `req_011C...`-style id, the shape the API returns in `request-id`."""
    # One read of the system's randomness, not one per character: each read gives up the
    # GIL, and the event loop then waits for the recorder's writer thread to hand it back
    # (the paced lane and added time to first byte at 100 streams, bench/bench_proxy.py).
    # 128 random bits read as 20 base-58 digits (58**20 is about 2**117): every id is
    # equally likely to within one part in 1,800.
    number = int.from_bytes(secrets.token_bytes(16))
    digits = []
    for _ in range(20):
        number, digit = divmod(number, len(_ALPHABET))
        digits.append(_ALPHABET[digit])
    return "req_011C" + "".join(digits)


def error_body(error_type: str, message: str, request_id: str | None = None) -> dict:
    body: dict = {"type": "error", "error": {"type": error_type, "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def status_for(error_type: str) -> int:
    return ERROR_STATUS.get(error_type, 500)


_TYPE_FOR_STATUS = {status: error_type for error_type, status in ERROR_STATUS.items()}


def error_type_for_status(status: int) -> str:
    """The API's error type for an HTTP status (an upstream's answer without our shape)."""
    return _TYPE_FOR_STATUS.get(status, "api_error")
