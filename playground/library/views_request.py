"""One saved request: its page, history, versions, diff, and the writes made from it.

- `GET  /library/<id>/`                    details, history, the latest state (lazily)
- `POST /library/<id>/edit`                name, description, tags
- `POST /library/<id>/delete`              the request and its versions (writers)
- `GET|POST /library/<id>/versions/new`    save a new version from edited state JSON
- `POST /library/<id>/restore`             version N's state as a new version
- `POST /library/<id>/fork`                a new saved request from version N
- `GET  /library/<id>/diff?a=N&b=M`        two versions by JSON path
- `GET  /library/<id>/versions/<n>/`       one version's state, highlighted and cut
- `GET  /library/<id>/versions/<n>/state.json`  the state exactly as saved
- `GET  /library/<id>/export`              this request as a file

Every read starts from the caller's team (another team's id is a 404); every write needs
a role that may write (403 for viewers).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground.inspector.jsonview import highlight_json, human_size
from playground.library import files, ops
from playground.library.access import saved_for, version_for, version_number
from playground.library.diffs import diff_states
from playground.library.forms import parse_state, parse_tags, tags_text
from playground.library.state import StateError
from playground.library.variables import placeholders
from playground.library.views_list import _live_outcomes
from playground.teams.access import membership_for_request, require_write

HISTORY_PAGE = 100
# A textarea holding more than this is no way to edit a request: open it in the playground.
MAX_EDITABLE_BYTES = 2 * 1024 * 1024


def _page_ctx(request, saved, **extra) -> dict:
    membership = membership_for_request(request)
    _live_outcomes(saved.team, [saved])
    versions = list(
        saved.versions.select_related("author")
        .defer("state_json").order_by("-number")[:HISTORY_PAGE]
    )
    return {
        "nav": "library",
        "saved": saved,
        "versions": versions,
        "more_versions": saved.latest_number > len(versions),
        "can_write": membership is not None and membership.can_write,
        "form": {"name": saved.name, "description": saved.description, "tags": tags_text(saved.tags)},
        **extra,
    }


@login_required
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = saved_for(request, public_id)
    return render(request, "library/detail.html", _page_ctx(request, saved))


@login_required
@require_POST
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    require_write(request)
    saved = saved_for(request, public_id)
    form = {k: request.POST.get(k, "") for k in ("name", "description", "tags")}
    try:
        ops.update_details(saved, form["name"], form["description"], parse_tags(form["tags"]))
    except StateError as exc:
        ctx = _page_ctx(request, saved, form=form, edit_problems=exc.problems)
        return render(request, "library/detail.html", ctx)
    messages.success(request, "Details saved.")
    return redirect(saved.get_absolute_url())


@login_required
@require_POST
def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    require_write(request)
    saved = saved_for(request, public_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the deletion.")
        return redirect(saved.get_absolute_url())
    name = saved.name
    ops.delete_saved_request(saved)
    messages.success(request, f"Deleted “{name[:200]}”.")
    return redirect("library:list")


def _new_version_form(request, saved, ctx: dict) -> HttpResponse:
    return render(request, "library/new_version.html", {"nav": "library", "saved": saved, **ctx})


@login_required
@require_http_methods(["GET", "POST"])
def new_version(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = saved_for(request, public_id)
    if request.method == "GET":
        latest = saved.versions.only("number", "size", "state_json").first()
        if latest.size > MAX_EDITABLE_BYTES:
            return _new_version_form(request, saved, {"too_big": human_size(latest.size)})
        text = json.dumps(latest.state, ensure_ascii=False, indent=2)
        return _new_version_form(request, saved, {"values": {"state": text, "base": latest.number}})
    require_write(request)
    values = {k: request.POST.get(k, "") for k in ("state", "message", "base")}
    try:
        base = int(values["base"]) if values["base"] else None
    except ValueError:
        base = None
    try:
        version = ops.save_version(
            saved, request.user, parse_state(values["state"]), values["message"], base_version=base
        )
    except StateError as exc:
        return _new_version_form(request, saved, {"values": values, "problems": exc.problems})
    if version.saved_concurrently:
        messages.warning(
            request,
            f"Saved as version {version.number}. Someone else saved since your version "
            f"{version.base_number}: both are kept; diff them to compare.",
        )
    else:
        messages.success(request, f"Saved as version {version.number}.")
    return redirect(saved.get_absolute_url())


def _posted_version(request: HttpRequest, public_id: str, default_latest: bool = False):
    """(saved request, the version named by the form's `version`) for a writer: 403 for a
    viewer, 404 for another team's request or a version it does not have."""
    require_write(request)
    saved = saved_for(request, public_id)
    number = request.POST.get("version") or (saved.latest_number if default_latest else "")
    return saved, version_for(saved, number)


@login_required
@require_POST
def restore(request: HttpRequest, public_id: str) -> HttpResponse:
    saved, version = _posted_version(request, public_id)
    restored = ops.restore_version(saved, request.user, version)
    messages.success(request, f"Version {version.number} restored as version {restored.number}.")
    return redirect(saved.get_absolute_url())


@login_required
@require_POST
def fork(request: HttpRequest, public_id: str) -> HttpResponse:
    saved, version = _posted_version(request, public_id, default_latest=True)
    try:
        forked = ops.fork(saved, request.user, version, name=request.POST.get("name", "").strip())
    except StateError as exc:
        messages.error(request, f"Not forked: {exc}")
        return redirect(saved.get_absolute_url())
    messages.success(request, f"Forked from version {version.number}.")
    return redirect(forked.get_absolute_url())


@login_required
@require_GET
def diff(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = saved_for(request, public_id)
    latest = saved.latest_number
    a_text = request.GET.get("a") or str(max(latest - 1, 1))
    b_text = request.GET.get("b") or str(latest)
    ctx = {"nav": "library", "saved": saved, "a_text": a_text[:20], "b_text": b_text[:20]}
    numbers = [version_number(a_text), version_number(b_text)]
    found = {v.number: v for v in saved.versions.filter(number__in=[n for n in numbers if n])}
    a, b = (found.get(n) for n in numbers)
    if a is None or b is None:
        ctx["error"] = f"Choose two versions of this request (numbers from 1 to {latest})."
        return render(request, "library/diff.html", ctx, status=400)
    ctx.update(a=a, b=b, request_diff=diff_states(a.state, b.state))
    return render(request, "library/diff.html", ctx)


@login_required
@require_GET
def version(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    saved = saved_for(request, public_id)
    found = version_for(saved, number)
    state = found.state
    variables = state.get("variables") or {}
    names = sorted(placeholders(state.get("request") or {}))
    value_rows = [
        (s["name"], s["name"] == variables.get("active"), [s.get("values", {}).get(n) for n in names])
        for s in variables.get("sets") or []
    ]
    ctx = {
        "nav": "library",
        "saved": saved,
        "version": found,
        "size": human_size(found.size),
        "state_html": highlight_json(state),
        "notes": state.get("notes", ""),
        "value_rows": value_rows,
        "placeholders": names,
    }
    if request.htmx:
        return render(request, "library/version.html#state", ctx)
    return render(request, "library/version.html", ctx)


@login_required
@require_GET
def version_json(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    saved = saved_for(request, public_id)
    found = version_for(saved, number)
    response = HttpResponse(found.state_json, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{saved.public_id}-v{found.number}.json"'
    return response


@login_required
@require_GET
def export_one(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = saved_for(request, public_id)
    latest_only = request.GET.get("history") == "latest"
    response = HttpResponse(
        files.export_text([saved], latest_only=latest_only),
        content_type="application/json; charset=utf-8",
    )
    name = slugify(saved.name)[:60] or saved.public_id
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response
