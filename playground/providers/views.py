"""Provider pages: list, add, edit, rotate the key, and the URL guard's verdict shown
inline while a base URL is typed.

Who may do what:

* Staff manage every provider, of any team or shared with all, and alone may allow a
  provider's URL to reach loopback and private addresses (the URL guard's switch).
* A team's owners manage the team's own providers: add (always in their team), edit,
  rotate the key, test it (one `GET /v1/models`, which spends no tokens). They read the
  shared providers without their URLs and cannot change
  them (403); a provider whose private-network access staff allowed keeps its URL.
* Members and viewers read the list of the providers their team may use (no URLs, no
  actions); every write is a 403 for them.
* Another team's provider is a 404, the same as a name that does not exist.

The stored key is never rendered: the list says only whether one is stored. Writes go
through `ProviderForm`, whose model validation runs the URL guard, so these pages refuse
exactly what the admin, the `addprovider` command and the upstream client refuse.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground import upstream
from playground.logs import scrub
from playground.providers.config import ProviderConfig, ProviderUnavailable
from playground.providers.crypto import encrypt_key
from playground.providers.forms import ProviderForm, RotateKeyForm, TeamProviderForm
from playground.providers.models import Provider
from playground.providers.urlguard import URLRefused, check_base_url
from playground.teams.access import membership_for_request
from playground.teams.models import Membership

MAX_URL_CHECK = 2048
MAX_PROBE_BODY = 64 * 1024
MAX_PROBE_DETAIL = 300


@dataclass
class Access:
    staff: bool
    membership: Membership | None

    @property
    def team(self):
        return self.membership.team if self.membership else None

    @property
    def owner(self) -> bool:
        return self.membership is not None and self.membership.can_manage

    def may_manage(self, provider: Provider) -> bool:
        if provider.builtin:
            return False
        return self.staff or (self.owner and provider.team_id == self.team.pk)


def provider_pages(view):
    """Signed-in staff, or a member of a team; anyone else gets 403."""

    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        access = Access(request.user.is_staff, membership_for_request(request))
        if not access.staff and access.membership is None:
            raise PermissionDenied("Providers are configured by staff and by a team's owners.")
        return view(request, access, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _visible(access: Access):
    if access.staff:
        return Provider.objects.all()
    return Provider.objects.for_team(access.team)


def _managed(access: Access, name: str) -> Provider:
    """The provider this caller may change: 404 when they cannot see it, 403 when they
    may only read it."""
    provider = _visible(access).filter(name=name).first()
    if provider is None:
        raise Http404("No such provider.")
    if provider.builtin:
        raise PermissionDenied("The built-in simulator cannot be changed.")
    if not access.may_manage(provider):
        raise PermissionDenied("Only staff and the team's owners change its providers.")
    return provider


def _form(access: Access, data=None, instance: Provider | None = None):
    if access.staff:
        return ProviderForm(data, instance=instance)
    if instance is None:
        instance = Provider(team=access.team)
    return TeamProviderForm(data, instance=instance)


@provider_pages
@require_GET
def provider_list(request: HttpRequest, access: Access) -> HttpResponse:
    providers = list(_visible(access).select_related("team").order_by("-builtin", "name"))
    for provider in providers:
        provider.manageable = access.may_manage(provider)
        provider.show_url = access.staff or provider.manageable
    names = {p.name for p in providers}
    # The notice names a provider only when it exists, so the query string cannot put words on the page.
    saved = request.GET.get("saved") if request.GET.get("saved") in names else None
    rotated = request.GET.get("rotated") if request.GET.get("rotated") in names else None
    return render(request, "providers/list.html", {
        "nav": "providers", "providers": providers, "saved": saved, "rotated": rotated,
        "can_add": access.staff or access.owner, "staff": access.staff,
    })


@provider_pages
@require_http_methods(["GET", "POST"])
def provider_new(request: HttpRequest, access: Access) -> HttpResponse:
    if not (access.staff or access.owner):
        raise PermissionDenied("Only staff and the team's owners add providers.")
    form = _form(access, request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = form.save()
        return redirect(f"/providers/?saved={provider.name}")
    return render(request, "providers/form.html", {"nav": "providers", "form": form, "provider": None})


@provider_pages
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, access: Access, name: str) -> HttpResponse:
    provider = _managed(access, name)
    form = _form(access, request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect(f"/providers/?saved={provider.name}")
    return render(request, "providers/form.html", {"nav": "providers", "form": form, "provider": provider})


@provider_pages
@require_http_methods(["GET", "POST"])
def provider_rotate_key(request: HttpRequest, access: Access, name: str) -> HttpResponse:
    provider = _managed(access, name)
    form = RotateKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            row = Provider.objects.select_for_update().get(pk=provider.pk)
            row.api_key_encrypted = encrypt_key(form.cleaned_data["api_key"])
            row.save(update_fields=["api_key_encrypted", "updated"])
        return redirect(f"/providers/?rotated={provider.name}")
    return render(request, "providers/rotate.html", {"nav": "providers", "form": form, "provider": provider})


async def _probe(config: ProviderConfig) -> tuple[bool, str]:
    """(worked, what happened) for one `GET /v1/models?limit=1` to the provider: an
    authenticated call that spends no tokens."""
    t0 = time.perf_counter()
    try:
        async with upstream.open(config, "GET", "/v1/models", query="limit=1") as response:
            body = b""
            async for chunk in response.aiter_raw():
                body += chunk
                if len(body) > MAX_PROBE_BODY:
                    break
    except upstream.UpstreamError as exc:
        return False, str(exc)
    took = f"HTTP {response.status} in {(time.perf_counter() - t0) * 1000:.0f} ms"
    if response.status < 300:
        return True, f"{took}: the provider answered and accepted the credentials."
    try:
        error = json.loads(body).get("error") or {}
        detail = f"{error.get('type', '')}: {error.get('message', '')}"[:MAX_PROBE_DETAIL]
    except (ValueError, AttributeError):
        detail = "the body is not an API error"
    if config.api_key:  # an upstream may echo the key it refused
        detail = detail.replace(config.api_key, "[redacted]")
    return False, f"{took}: {scrub(detail)}"


@provider_pages
@require_POST
def provider_test(request: HttpRequest, access: Access, name: str) -> HttpResponse:
    """One authenticated call to the provider, its answer shown (never the key)."""
    provider = _managed(access, name)
    try:
        worked, verdict = async_to_sync(_probe)(provider.config())
    except ProviderUnavailable as exc:
        worked, verdict = False, str(exc)
    return render(request, "providers/tested.html",
                  {"nav": "providers", "provider": provider, "worked": worked, "verdict": verdict})


@provider_pages
@require_POST
def check_url(request: HttpRequest, access: Access) -> HttpResponse:
    """The URL guard's verdict on a base URL as the form is typed (an htmx partial). Only
    staff may ask about private addresses."""
    if not (access.staff or access.owner):
        raise PermissionDenied("Only staff and the team's owners add providers.")
    url = request.POST.get("base_url", "")[:MAX_URL_CHECK].strip()
    allow_private = access.staff and request.POST.get("allow_private_network") in ("on", "true", "1")
    verdict, ok = "", None
    if url:
        try:
            verdict, ok = f"Allowed: {check_base_url(url, allow_private=allow_private)}", True
        except URLRefused as exc:
            verdict, ok = f"Refused: {exc}", False
    return render(request, "providers/form.html#url-verdict", {"verdict": verdict, "ok": ok})
