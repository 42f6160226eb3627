"""The API's error shape, statuses and request ids (no Django, no I/O).

Every error this product produces, whether the simulator's, the proxy's or the
composer's, is built here, so they all read exactly like the Messages API's own:
`{"type": "error", "error": {"type": ..., "message": ...}, "request_id": "req_..."}`.
"""

from __future__ import annotations

import os
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


def _base58(n: int) -> str:
    # One read of the OS random source per id: a read per character (secrets.choice)
    # cost a third of a millisecond on the proxy's hot path.
    value = int.from_bytes(secrets.token_bytes(n), "big")
    digits = []
    for _ in range(n):
        value, digit = divmod(value, 58)
        digits.append(_ALPHABET[digit])
    return "".join(digits)


# Request ids are made a batch at a time: every proxied call takes one before its first
# byte, and making one alone cost ~50 us after a pause (cold caches: the random source and
# `_base58`'s arithmetic), taking one from a batch ~3 us. A forked child makes its own.
_REQUEST_ID_BATCH = 64
_request_ids: list[str] = []
os.register_at_fork(after_in_child=_request_ids.clear)


def new_request_id() -> str:
    """A `req_011C...`-style id, the shape the API returns in `request-id`."""
    try:
        return _request_ids.pop()
    except IndexError:
        _request_ids.extend("req_011C" + _base58(20) for _ in range(_REQUEST_ID_BATCH))
        return _request_ids.pop()


def new_message_id() -> str:
    return "msg_01" + _base58(22)


def new_tool_use_id() -> str:
    return "toolu_01" + _base58(22)


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
