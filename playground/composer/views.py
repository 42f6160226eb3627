"""The composer page and its small JSON endpoints.

Glue only: parse the input, call a named function, answer. Every read starts from the
caller's team (`team_for_request`). Endpoints that take JSON answer errors in the API's
error shape (`contract.errors.error_body`) with a 4xx status, never a 500, and never echo
a credential back.

- `GET /`                 the page on the working copy the user looked at last;
                          `?copy=<id>` shows that copy, `?exchange=<public_id>` opens a
                          recorded request as a NEW copy, `?saved=<public_id>` opens (or
                          shows the existing) copy of a saved request (views_copies.py has
                          the copies' own endpoints).
- `POST /validate`        a Messages body in, the validator's findings out.
- `POST /compare`         {request, targets} in: each compare column's request (its model
                          and overrides applied, compare.py) and its findings.
- `POST /variables`       {request, variables} in: the placeholders and findings for values
                          the active value set lacks (placeholders.check).
- `POST /import`          pasted text (a body or a curl command) in, composer state out.
- `POST /code`            the request as curl / Python / TypeScript.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from playground.composer import catalogue, compare, placeholders, saving, workcopies
from playground.composer.importer import ImportFailure, parse_pasted
from playground.composer.jsonapi import (
    error,
    json_body,
    raw_body,
    reads_body,
    request_payload,
    signed_in_json_post,
)
from playground.composer.workcopies import default_state
from playground.contract import codegen
from playground.contract.errors import error_body
from playground.contract.validate import parse_body, validate_request
from playground.library.models import SavedRequest
from playground.library.state import check_state
from playground.recording import queries
from playground.recording.models import Exchange
from playground.teams.access import api_writer_required, membership_for_request


@login_required
def playground(request: HttpRequest) -> HttpResponse:
    membership = membership_for_request(request)
    team = membership.team if membership else None
    can_write = membership is not None and membership.can_write
    copy, state, notice = None, None, None
    if team is not None:
        copy, state, notice = _open(request, team, can_write)
    context = {
        "nav": "playground",
        "team": team,
        "notice": notice,
        "copy": copy,
        "copies": list(workcopies.copies_for(request.user, team)) if copy is not None else [],
        "initial_state": state if state is not None else default_state(),
        "composer_config": {
            **catalogue.page_config(team),
            "copy": workcopies.copy_json(copy) if copy is not None else None,
            "canWrite": can_write,
        },
    }
    return render(request, "composer/playground.html", context)


def _open(request: HttpRequest, team, can_write: bool):
    """(copy shown, its state, notice) for the page's query. A viewer gets a state to read
    and no copy (nothing of theirs is stored)."""
    user = request.user
    copy = state = notice = None
    try:
        if saved_id := request.GET.get("saved"):
            saved = SavedRequest.objects.for_team(team).filter(public_id=saved_id).first()
            if saved is None:
                raise Http404("No such saved request.")
            if not can_write:
                latest = saved.versions.order_by("-number").first()
                return None, latest.state if latest is not None else None, None
            copy = saving.open_saved(user, team, saved)
        elif exchange_id := request.GET.get("exchange"):
            state, notice = _state_from_exchange(team, exchange_id)
            if state is not None and can_write:
                copy = workcopies.open_working_copy(user, team, state, f"Exchange {exchange_id[:8]}")
        elif copy_id := request.GET.get("copy"):
            copy = workcopies.get_copy(user, team, copy_id)
            if copy is None:
                raise Http404("That request is not open (it was closed, or is not yours).")
    except workcopies.DraftError as exc:
        # Show the tabs instead (one can be closed to make room); the notice says why.
        copy, state, notice = None, None, f"Not opened: {exc}"
    if copy is None and state is None and can_write:
        copy = workcopies.current_copy(user, team)
    if copy is not None:
        workcopies.focus(copy)
        state = copy.state
    return copy, state, notice


def _state_from_exchange(team, public_id: str) -> tuple[dict | None, str | None]:
    """The recorded request as composer state, read through the team (else a notice)."""
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


def _betas(request: HttpRequest) -> tuple[str, ...]:
    """The `anthropic-beta` header, read like the API reads it."""
    return tuple(b.strip() for b in request.headers.get("anthropic-beta", "").split(",") if b.strip())


def _findings(body: dict, betas: tuple[str, ...]) -> list[dict]:
    return [catalogue.finding_json(f) for f in validate_request(body, betas=betas)]


@signed_in_json_post
def validate(request: HttpRequest) -> JsonResponse:
    """Findings for the posted Messages body."""
    body, findings = parse_body(raw_body(request))
    found = [catalogue.finding_json(f) for f in findings]
    if body is not None and not any(f.severity == "error" for f in findings):
        found += _findings(body, _betas(request))
    return JsonResponse({"findings": found})


@signed_in_json_post
def compare_columns(request: HttpRequest) -> JsonResponse:
    """Each compare column's request, as the run socket would send it, with its findings."""
    payload = request_payload(request, '{"request": {...}, "targets": [{"model", "provider", "overrides"}, ...]}')
    try:
        targets = compare.check_targets(payload.get("targets"), payload["request"])
    except compare.OverrideError as exc:
        body = error_body("invalid_request_error", str(exc))
        body["error"]["column"] = exc.column
        return JsonResponse(body, status=400)
    betas = _betas(request)
    columns = []
    for target in targets:
        body = compare.column_request(payload["request"], target)
        columns.append({"request": body, "findings": _findings(body, betas)})
    return JsonResponse({"columns": columns})


@signed_in_json_post
def variables(request: HttpRequest) -> JsonResponse:
    payload = request_payload(request, '{"request": {...}, "variables": {"sets": [...], "active": ...}}')
    checked, problems = check_state({"request": payload["request"], "variables": payload.get("variables")})
    if problems:
        return error("invalid_request_error", "; ".join(f"{path}: {message}" for path, message in problems))
    found, findings = placeholders.check(payload["request"], checked["variables"])
    return JsonResponse({"placeholders": found, "findings": findings})


@api_writer_required
@require_POST
@reads_body
def import_text(request: HttpRequest) -> JsonResponse:
    payload = json_body(request)
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        return error("invalid_request_error", "send {\"text\": \"<body or curl command>\"}")
    try:
        imported = parse_pasted(text)
    except ImportFailure as exc:
        return error("invalid_request_error", str(exc))
    return JsonResponse(imported)


@signed_in_json_post
def code(request: HttpRequest) -> JsonResponse:
    payload = request_payload(request, '{"request": {...}, "headers": {...}}')
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
