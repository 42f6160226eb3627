"""The composer page and its small JSON endpoints.

Glue only: parse the input, call a named function, answer. Every read starts from the
caller's team (`team_for_request`). Endpoints that take JSON answer errors in the API's
error shape (`contract.errors.error_body`) with a 4xx status, never a 500, and never echo
a credential back.

- `GET /`                 the page; `?exchange=<public_id>` opens a recorded request.
- `POST /draft`           autosave: the page's whole state (drafts.save_draft).
- `POST /validate`        a Messages body in, the validator's findings out.
- `POST /import`          pasted text (a body or a curl command) in, composer state out.
- `POST /code`            the request as curl / Python / TypeScript.
"""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from playground.composer import catalogue, drafts
from playground.composer.importer import ImportFailure, parse_pasted
from playground.contract.errors import error_body, status_for
from playground.teams.ops import team_for_request

DEFAULT_VERSION = "2023-06-01"


def default_state(model: str = "sim-1") -> dict:
    return {
        "request": {
            "model": model,
            "max_tokens": 1024,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello!"}]}],
        },
        "provider": None,
        "headers": {"anthropic-version": DEFAULT_VERSION},
        "mocks": {},
    }


def _error(error_type: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(error_type, message), status=status_for(error_type))


class _BadBody(Exception):
    """A request body the endpoint cannot read; `@_reads_body` answers it as an API error."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def _reads_body(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except _BadBody as exc:
            return _error(exc.error_type, str(exc))

    return wrapper


def _raw_body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig as exc:
        raise _BadBody(
            "request_too_large", f"the body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
        ) from exc


def _json_body(request: HttpRequest) -> object | None:
    raw = _raw_body(request)
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _BadBody("invalid_request_error", f"the body is not valid JSON: {exc}") from exc


@login_required
def playground(request: HttpRequest) -> HttpResponse:
    team = team_for_request(request)
    notice = None
    state = None
    if team is not None:
        exchange_id = request.GET.get("exchange")
        if exchange_id:
            state, notice = _state_from_exchange(team, exchange_id)
        if state is None:
            state = drafts.load_draft(request.user, team)
    if state is None:
        state = default_state()
    context = {
        "nav": "playground",
        "team": team,
        "notice": notice,
        "initial_state": state,
        "composer_config": catalogue.page_config(team),
    }
    return render(request, "composer/playground.html", context)


def _state_from_exchange(team, public_id: str) -> tuple[dict | None, str | None]:
    """The recorded request as composer state, read through the team (else a notice)."""
    from playground.recording import queries
    from playground.recording.models import Exchange

    exchange = Exchange.objects.for_team(team).filter(public_id=public_id).first()
    if exchange is None:
        return None, "That exchange does not exist or belongs to another team."
    body = queries.get_request_body(exchange)
    if not isinstance(body, dict):
        return None, "That exchange has no JSON request body to open."
    state = default_state()
    state["request"] = body
    # The headers that change what the API does travel with the body (fidelity of a fork);
    # the recorded headers are already redacted, and only these names are kept anyway.
    for pair in exchange.request_headers or []:
        if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
            name = pair[0].lower()
            if name in ("anthropic-version", "anthropic-beta") or name.startswith("x-sim-"):
                state["headers"][name] = pair[1]
    return state, f"Opened the request of exchange {public_id}."


@login_required
@require_POST
@_reads_body
def save_draft(request: HttpRequest) -> JsonResponse:
    team = team_for_request(request)
    if team is None:
        return _error("permission_error", "you are not a member of any team")
    state = _json_body(request)
    try:
        draft = drafts.save_draft(request.user, team, state)
    except drafts.DraftError as exc:
        return _error("invalid_request_error", str(exc))
    return JsonResponse({"saved": draft.updated.isoformat()})


@login_required
@require_POST
@_reads_body
def validate(request: HttpRequest) -> JsonResponse:
    """Findings for the posted Messages body; `anthropic-beta` is read like the API reads it."""
    from playground.contract.validate import parse_body, validate_request

    body, findings = parse_body(_raw_body(request))
    betas = tuple(
        b.strip() for b in request.headers.get("anthropic-beta", "").split(",") if b.strip()
    )
    if body is not None and not any(f.severity == "error" for f in findings):
        findings = [*findings, *validate_request(body, betas=betas)]
    return JsonResponse({"findings": [catalogue.finding_json(f) for f in findings]})


@login_required
@require_POST
@_reads_body
def import_text(request: HttpRequest) -> JsonResponse:
    payload = _json_body(request)
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        return _error("invalid_request_error", "send {\"text\": \"<body or curl command>\"}")
    try:
        imported = parse_pasted(text)
    except ImportFailure as exc:
        return _error("invalid_request_error", str(exc))
    return JsonResponse(imported)


@login_required
@require_POST
@_reads_body
def code(request: HttpRequest) -> JsonResponse:
    from playground.contract import codegen

    payload = _json_body(request)
    if not isinstance(payload, dict) or not isinstance(payload.get("request"), dict):
        return _error("invalid_request_error", "send {\"request\": {...}, \"headers\": {...}}")
    headers = payload.get("headers")
    headers = (
        {k: v for k, v in headers.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(headers, dict)
        else {}
    )
    body = {**payload["request"], "stream": True}
    base_url = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        {
            "curl": codegen.to_curl(body, headers, base_url=base_url),
            "python": codegen.to_python(body, headers, base_url=base_url),
            "typescript": codegen.to_typescript(body, headers, base_url=base_url),
        }
    )
