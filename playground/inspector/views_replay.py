"""Replay: send a recorded request again (same or another model), then show the diff.

An async view, because the run itself streams (`run_request` is async and records the new
exchange with source "replay"). The recorded body is rehydrated (media included) and sent
as it was, with only the model swapped when one is given; credentials come from the
provider configuration, never from the recording.
"""

from __future__ import annotations

from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from playground.inspector.access import exchange_for
from playground.recording.queries import get_request_body
from playground.teams.access import writer_required
from playground.teams.ops import team_for_request

MAX_MODEL = 200


def _load(request: HttpRequest, public_id: str):
    exchange = exchange_for(request, public_id)
    team = team_for_request(request)
    body = get_request_body(exchange)
    headers = {
        str(p[0]).lower(): str(p[1])
        for p in exchange.request_headers or []
        if isinstance(p, list | tuple) and len(p) == 2
    }
    return exchange, team, body, headers, request.user.pk


@login_required
@writer_required
@require_POST
async def exchange_replay(request: HttpRequest, public_id: str) -> HttpResponse:
    from playground import recording
    from playground.composer.results import RunRefused
    from playground.composer.runs import run_request

    exchange, team, body, headers, user_id = await sync_to_async(_load)(request, public_id)
    model = (request.POST.get("model") or "").strip()
    error = ""
    if not isinstance(body, dict):
        error = "The recorded request body is not a JSON object, so it cannot be replayed."
    elif len(model) > MAX_MODEL:
        error = f"model: at most {MAX_MODEL} characters."
    elif not model.isprintable():
        error = "model: control characters are not allowed."
    if not error:
        body = dict(body)
        provider = exchange.provider or None
        if model and model != body.get("model"):
            body["model"] = model
            provider = None  # another model may live at another provider: resolve it
        try:
            result = await run_request(
                body, provider=provider, headers=headers, source="replay",
                team_id=team.pk if team else None, user_id=user_id,
            )
        except RunRefused as refused:
            error = f"{refused.error['type']}: {refused.error['message']}"
        else:
            # The recorder writes in the background; the diff page must find the row.
            await recording.flush()
            if result.public_id:
                query = urlencode({"a": exchange.public_id, "b": result.public_id})
                return HttpResponseRedirect(f"/exchanges/diff/?{query}")
            error = "The replay was not recorded."
    return await sync_to_async(render)(
        request, "inspector/replay_error.html",
        {"nav": "exchanges", "exchange": exchange, "error": error}, status=400,
    )
