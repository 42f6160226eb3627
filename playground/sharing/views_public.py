"""The public share pages at /s/<token>: read-only, redacted, for anyone with the link.

Policy: no sign-in is needed and none is used; the page is the same for a visitor, a
member of the team and a member of another team (only "Open in playground" needs a
sign-in). Every refusal (unknown, malformed, truncated, padded, another type of token,
revoked, expired, anything else under /s/) is the same plain 404: same status, same
body, same headers. Every answer under /s/ says `X-Robots-Tag: noindex`,
`Referrer-Policy: no-referrer` and `Cache-Control: no-store` (a cached copy would outlive
a revocation).
"""

from __future__ import annotations

import re
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from playground.composer.workcopies import DraftError
from playground.inspector.conversation import build_turns, tools_used
from playground.inspector.thread_steps import build_thread
from playground.inspector.views_exchange import IMAGE_TYPES, response_message, tab_context, usage_of
from playground.sharing import opening
from playground.sharing.models import Share
from playground.sharing.redact import hide_provider, provider_words, shown_headers
from playground.sharing.tokens import share_for_token
from playground.teams.access import require_write

SHARE_TABS = ("conversation", "request", "response", "timeline", "headers", "findings")
NOT_FOUND_BODY = b"<!doctype html>\n<title>Not found</title>\n<h1>Not found</h1>\n"


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def not_found(request: HttpRequest | None = None, *args, **kwargs) -> HttpResponse:
    """The one answer for every share that cannot be shown."""
    return _private(HttpResponseNotFound(NOT_FOUND_BODY, content_type="text/html; charset=utf-8"))


def shared(view):
    """Resolves the token to an active share (else the plain 404) and marks the answer."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        share = share_for_token(token)
        if share is None:
            return not_found()
        response = view(request, share, token, *args, **kwargs)
        response.setdefault("Referrer-Policy", "no-referrer")
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _summary(share: Share) -> dict:
    exchange = share.exchange
    words = provider_words(exchange.provider)
    return {
        "error_message": hide_provider(exchange.error_message, words),
        "error_type": exchange.error_type,
    }


def _exchange_page(request: HttpRequest, share: Share, token: str) -> HttpResponse:
    exchange = share.exchange
    tab = request.GET.get("tab", "conversation")
    if tab not in SHARE_TABS:
        tab = "conversation"
    if tab == "timeline" and request.GET.get("part") == "gaps":
        return render(request, "inspector/exchange.html#gaps", tab_context(request, exchange, tab))
    ctx = {
        "share": share,
        "share_url": f"/s/{token}",
        "exchange": exchange,
        "tab": tab,
        "tabs": SHARE_TABS,
        "usage": usage_of(exchange),
        "tools": tools_used(response_message(exchange)),
        "finding_count": len(exchange.findings or []) + len(exchange.anomalies or []),
        "summary": _summary(share),
        **tab_context(request, exchange, tab),
    }
    if tab == "headers":
        ctx["request_headers"] = shown_headers(exchange.request_headers)
        ctx["response_headers"] = shown_headers(exchange.response_headers)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "inspector/exchange.html#tab-panel", ctx)
    return render(request, "sharing/exchange.html", ctx)


def _request_page(request: HttpRequest, share: Share, token: str) -> HttpResponse:
    version = opening.shared_version(share)
    state = version.state if version is not None else {}
    state = state if isinstance(state, dict) else {}
    body = state.get("request") if isinstance(state.get("request"), dict) else {}
    ctx = {
        "share": share,
        "share_url": f"/s/{token}",
        "saved": share.saved_request,
        "version": version,
        "turns": build_turns(body, None),
        "request_json": body,
        "headers": sorted(opening.kept_headers(state.get("headers")).items()),
        "mocks": state.get("mocks") or None,
    }
    return render(request, "sharing/request.html", ctx)


def _thread_page(request: HttpRequest, share: Share, token: str) -> HttpResponse:
    thread = share.thread
    ctx = {"share": share, "share_url": f"/s/{token}", "thread": thread, "view": build_thread(thread)}
    return render(request, "sharing/thread.html", ctx)


@require_GET
@shared
def share_page(request: HttpRequest, share: Share, token: str) -> HttpResponse:
    if share.kind == Share.EXCHANGE and share.exchange is not None:
        return _exchange_page(request, share, token)
    if share.kind == Share.THREAD and share.thread is not None:
        return _thread_page(request, share, token)
    if share.kind == Share.REQUEST and share.saved_request is not None:
        return _request_page(request, share, token)
    return not_found()


@require_http_methods(["GET", "POST"])
@shared
def share_open(request: HttpRequest, share: Share, token: str) -> HttpResponse:
    """"Open in playground": a copy of the shared request in the reader's own team.

    GET asks (naming the team the copy goes to), POST copies. The question is its own
    page because a form on a `no-referrer` page posts `Origin: null`, which the CSRF check
    rightly refuses; this page's policy is `same-origin`, so nothing of its URL leaves
    the site either way.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(f"/s/{token}/open")
    membership = require_write(request)
    if request.method == "GET":
        response = render(request, "sharing/open.html", {"share": share, "share_url": f"/s/{token}",
                                                         "team": membership.team})
        response["Referrer-Policy"] = "same-origin"
        return response
    try:
        copy = opening.open_in_playground(request.user, membership.team, share)
    except (opening.NothingToOpen, DraftError) as exc:
        return render(request, "sharing/message.html", {"title": "Cannot open this share", "message": str(exc)},
                      status=400)
    return redirect(f"/?copy={copy.public_id}")


@require_GET
@shared
def share_media(request: HttpRequest, share: Share, token: str, sha256: str) -> HttpResponse:
    """A blob the shared exchange references (image thumbnails), like the inspector's."""
    if share.exchange is None or not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return not_found()
    blob = share.exchange.blobs.filter(sha256=sha256).first()
    if blob is None or blob.media_type not in IMAGE_TYPES:
        return not_found()
    response = HttpResponse(bytes(blob.data), content_type=blob.media_type)
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
