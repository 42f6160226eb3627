"""The /proxy/ page: keys (created here and shown once, revocable, replay switch),
"Connect your app" snippets filled with this server's address, and a live tail of the
latest proxied calls.

Every read starts from the request's team; a key id from another team is a 404. Writes go
through `playground.proxy.keys`. Forms work without JavaScript; with htmx the key list and
the tail are swapped as partials.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from playground.proxy import keys as key_ops
from playground.proxy.models import ProxyKey
from playground.proxy.routes import provider_names
from playground.proxy.snippets import snippets
from playground.recording.models import Exchange
from playground.teams.access import writer_required
from playground.teams.ops import team_for_request

TAIL_LENGTH = 20


def _team_or_404(request: HttpRequest):
    team = team_for_request(request)
    if team is None:
        raise Http404("You are not a member of any team.")
    return team


def _key_for_team(request: HttpRequest, key_id: int) -> ProxyKey:
    team = _team_or_404(request)
    key = ProxyKey.objects.for_team(team).filter(pk=key_id).first()
    if key is None:
        raise Http404("No such key.")
    return key


def base_url(request: HttpRequest) -> str:
    # The SDKs append /v1/messages themselves: the base URL must not end in /v1.
    return request.build_absolute_uri("/").rstrip("/")


def _tail(team) -> list:
    return list(
        Exchange.objects.for_team(team)
        .filter(source__in=["proxy", "replay"])
        .order_by("-started_at", "-id")[:TAIL_LENGTH]
    )


def _context(request: HttpRequest, team, **extra) -> dict:
    context = {
        "nav": "proxy",
        "team": team,
        "keys": list(ProxyKey.objects.for_team(team).order_by("revoked_at", "-created")),
        "modes": ProxyKey.MODES,
        "timings": ProxyKey.TIMINGS,
        "unmatched_choices": ProxyKey.UNMATCHED,
        "base_url": base_url(request),
        "snippets": snippets(base_url(request)),
        "tail": _tail(team),
        "providers": sorted(_provider_names(team)),
    }
    context.update(extra)
    return context


def _provider_names(team) -> set[str]:
    return provider_names(team) or set()


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    team = _team_or_404(request)
    return render(request, "proxy/index.html", _context(request, team))


@login_required
@require_GET
def tail(request: HttpRequest) -> HttpResponse:
    team = _team_or_404(request)
    return render(request, "proxy/index.html#tail", {"tail": _tail(team)})


def _keys_response(request: HttpRequest, team, **extra) -> HttpResponse:
    context = _context(request, team, **extra)
    if request.htmx:
        return render(request, "proxy/index.html#keys", context)
    return render(request, "proxy/index.html", context)


@login_required
@writer_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    team = _team_or_404(request)
    name = request.POST.get("name", "")
    provider = request.POST.get("provider", "").strip()
    known = _provider_names(team)
    if provider and provider not in known:
        return _keys_response(request, team, error=f"Unknown provider {provider!r}.", form_name=name)
    try:
        key, raw = key_ops.create_key(team, name, provider=provider, created_by=request.user)
    except key_ops.ProxyKeyError as exc:
        return _keys_response(request, team, error=str(exc), form_name=name)
    # The raw key is rendered into this one response and never again, alone and inside the
    # recipes, so the user can paste a working snippet at once.
    response = _keys_response(
        request, team, new_key=key, new_raw_key=raw, new_key_snippets=snippets(base_url(request), api_key=raw)
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@writer_required
@require_POST
def revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = _key_for_team(request, key_id)
    key_ops.revoke_key(key)
    if request.htmx:
        return _keys_response(request, key.team)
    return redirect("proxy:index")


@login_required
@writer_required
@require_POST
def mode(request: HttpRequest, key_id: int) -> HttpResponse:
    key = _key_for_team(request, key_id)
    try:
        key_ops.set_replay(
            key,
            mode=request.POST.get("mode", ProxyKey.MODE_RECORD),
            timing=request.POST.get("replay_timing") or None,
            unmatched=request.POST.get("replay_unmatched") or None,
        )
    except key_ops.ProxyKeyError as exc:
        return _keys_response(request, key.team, error=str(exc))
    if request.htmx:
        return _keys_response(request, key.team)
    return redirect("proxy:index")
