"""What the composer's JSON endpoints share: the signed-in POST precondition, reading a JSON
body, answering in the API's error shape (`contract.errors.error_body`) with a 4xx status,
never a 500."""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from playground.contract.errors import error_body, status_for
from playground.teams.access import api_login_required


def error(error_type: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(error_type, message), status=status_for(error_type))


class BadBody(Exception):
    """A request body the endpoint cannot read; `@reads_body` answers it as an API error."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def reads_body(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except BadBody as exc:
            return error(exc.error_type, str(exc))

    return wrapper


def signed_in_json_post(view):
    """An endpoint for POSTs from signed-in users (401 in the API's shape otherwise) that
    answers an unreadable body as an API error."""
    return api_login_required(require_POST(reads_body(view)))


def raw_body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig as exc:
        raise BadBody(
            "request_too_large", f"the body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
        ) from exc


def json_body(request: HttpRequest) -> object | None:
    raw = raw_body(request)
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadBody("invalid_request_error", f"the body is not valid JSON: {exc}") from exc


def request_payload(request: HttpRequest, shape: str) -> dict:
    """The posted JSON object, which must hold a Messages body under "request"; anything
    else is refused with `send <shape>`."""
    payload = json_body(request)
    if not isinstance(payload, dict) or not isinstance(payload.get("request"), dict):
        raise BadBody("invalid_request_error", f"send {shape}")
    return payload
