"""Staff pages for providers: list, add, edit, rotate the key, and the URL guard's verdict
shown inline while a base URL is typed.

Staff only (a signed-in user who is not staff gets 403). The stored key is never rendered:
the list says only whether one is stored. Writes go through the shared `ProviderForm`, whose
model validation runs the URL guard, so these pages refuse exactly what the admin, the
`addprovider` command and the upstream client refuse.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground.providers.crypto import encrypt_key
from playground.providers.forms import ProviderForm, RotateKeyForm
from playground.providers.models import Provider
from playground.providers.urlguard import URLRefused, check_base_url

MAX_URL_CHECK = 2048


def staff_required(view):
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied("Providers are configured by staff.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _provider(name: str) -> Provider:
    provider = Provider.objects.filter(name=name).first()
    if provider is None:
        raise Http404("No such provider.")
    return provider


@staff_required
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    providers = list(Provider.objects.select_related("team").order_by("-builtin", "name"))
    names = {p.name for p in providers}
    # The notice names a provider only when it exists, so the query string cannot put words on the page.
    saved = request.GET.get("saved") if request.GET.get("saved") in names else None
    rotated = request.GET.get("rotated") if request.GET.get("rotated") in names else None
    return render(request, "providers/list.html", {
        "nav": "providers", "providers": providers, "saved": saved, "rotated": rotated,
    })


@staff_required
@require_http_methods(["GET", "POST"])
def provider_new(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = form.save()
        return redirect(f"/providers/?saved={provider.name}")
    return render(request, "providers/form.html", {"nav": "providers", "form": form, "provider": None})


@staff_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, name: str) -> HttpResponse:
    provider = _provider(name)
    if provider.builtin:
        raise PermissionDenied("The built-in simulator cannot be changed.")
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect(f"/providers/?saved={provider.name}")
    return render(request, "providers/form.html", {"nav": "providers", "form": form, "provider": provider})


@staff_required
@require_http_methods(["GET", "POST"])
def provider_rotate_key(request: HttpRequest, name: str) -> HttpResponse:
    provider = _provider(name)
    if provider.builtin:
        raise PermissionDenied("The built-in simulator has no key.")
    form = RotateKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            row = Provider.objects.select_for_update().get(pk=provider.pk)
            row.api_key_encrypted = encrypt_key(form.cleaned_data["api_key"])
            row.save(update_fields=["api_key_encrypted", "updated"])
        return redirect(f"/providers/?rotated={provider.name}")
    return render(request, "providers/rotate.html", {"nav": "providers", "form": form, "provider": provider})


@staff_required
@require_POST
def check_url(request: HttpRequest) -> HttpResponse:
    """The URL guard's verdict on a base URL as the form is typed (an htmx partial)."""
    url = request.POST.get("base_url", "")[:MAX_URL_CHECK].strip()
    allow_private = request.POST.get("allow_private_network") in ("on", "true", "1")
    verdict, ok = "", None
    if url:
        try:
            verdict, ok = f"Allowed: {check_base_url(url, allow_private=allow_private)}", True
        except URLRefused as exc:
            verdict, ok = f"Refused: {exc}", False
    return render(request, "providers/form.html#url-verdict", {"verdict": verdict, "ok": ok})
