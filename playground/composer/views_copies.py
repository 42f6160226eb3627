"""The working copies' endpoints: the composer's open requests (one per tab).

Glue only: parse, call `workcopies`, answer JSON. A copy is found through the caller's
team and user, so another team's (or another member's) copy is a 404 in the API's error
shape. Writes need a role that may write (viewers get 403 `permission_error`).

- `GET  /copies`                  the caller's open copies (id, title, unsaved, url).
- `POST /copies`                  a new copy: `{"state"?: {...}, "title"?: "..."}` (default:
                                  a blank request); answers 201 with the copy.
- `POST /copies/<id>/state`       autosave: the page's whole state as the body;
                                  `?revision=N` writes only if the copy is still at
                                  revision N (else 409: another window saved it).
- `POST /copies/<id>/title`       `{"title": "..."}`.
- `POST /copies/<id>/save`        save to the library: `{"state", "name", "description"?,
                                  "tags"?, "message"?}`; the first save creates the saved
                                  request, later ones add a version (saving.save_copy).
- `POST /copies/<id>/close`       close the tab (the copy is deleted); answers the copy to
                                  show next.
"""

from __future__ import annotations

import functools

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from playground.composer import saving, workcopies
from playground.composer.jsonapi import error, json_body, reads_body, signed_in_json_post
from playground.composer.models import WorkingCopy
from playground.contract.errors import error_body
from playground.teams.access import api_login_required, membership_for_request

SAVE_KEYS = {"state", "name", "description", "tags", "message"}


class _Refused(Exception):
    def __init__(self, response: JsonResponse) -> None:
        self.response = response


def _team(request: HttpRequest, write: bool):
    membership = membership_for_request(request)
    if membership is None:
        raise _Refused(error("permission_error", "you are not a member of any team"))
    if write and not membership.can_write:
        raise _Refused(error("permission_error", "viewers cannot change anything in this team"))
    return membership.team


def _copy(request: HttpRequest, public_id: str, write: bool = True) -> WorkingCopy:
    copy = workcopies.get_copy(request.user, _team(request, write), public_id)
    if copy is None:
        raise _Refused(error("not_found_error", "no such working copy"))
    return copy


def _refusals(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except _Refused as exc:
            return exc.response

    return wrapper


def _copy_action(view):
    """A POST on one of the caller's copies: signed in, POST only, refusals and unreadable
    bodies answered in the API's error shape."""
    return signed_in_json_post(_refusals(view))


@api_login_required
@require_http_methods(["GET", "POST"])
@_refusals
def copies(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _new_copy(request)
    team = _team(request, write=False)
    listed = [workcopies.copy_json(c) for c in workcopies.copies_for(request.user, team)]
    return JsonResponse({"copies": listed})


@reads_body
def _new_copy(request: HttpRequest) -> JsonResponse:
    team = _team(request, write=True)
    payload = json_body(request)
    payload = {} if payload is None else payload
    if not isinstance(payload, dict) or set(payload) - {"state", "title"}:
        return error("invalid_request_error", 'send {"state": {...}, "title": "..."} (both optional)')
    state = payload.get("state")
    try:
        copy = workcopies.open_working_copy(
            request.user,
            team,
            workcopies.default_state() if state is None else state,
            payload.get("title", "Untitled"),
        )
    except workcopies.DraftError as exc:
        return error("invalid_request_error", str(exc))
    return JsonResponse(workcopies.copy_json(copy), status=201)


@_copy_action
def save_state(request: HttpRequest, public_id: str) -> JsonResponse:
    copy = _copy(request, public_id)
    revision = request.GET.get("revision")
    if revision is not None and not revision.isdigit():
        return error("invalid_request_error", "revision must be a number")
    try:
        workcopies.autosave(copy, json_body(request), int(revision) if revision is not None else None)
    except workcopies.Conflict as exc:
        return JsonResponse(error_body("invalid_request_error", str(exc)), status=409)
    except workcopies.DraftError as exc:
        return error("invalid_request_error", str(exc))
    return JsonResponse({"saved": copy.updated.isoformat(), "unsaved": copy.unsaved, "revision": copy.revision})


@_copy_action
def title(request: HttpRequest, public_id: str) -> JsonResponse:
    copy = _copy(request, public_id)
    payload = json_body(request)
    if not isinstance(payload, dict) or "title" not in payload:
        return error("invalid_request_error", 'send {"title": "..."}')
    try:
        workcopies.rename(copy, payload["title"])
    except workcopies.DraftError as exc:
        return error("invalid_request_error", str(exc))
    return JsonResponse(workcopies.copy_json(copy))


@_copy_action
def save(request: HttpRequest, public_id: str) -> JsonResponse:
    copy = _copy(request, public_id)
    payload = json_body(request)
    if not isinstance(payload, dict) or "state" not in payload or set(payload) - SAVE_KEYS:
        return error(
            "invalid_request_error",
            'send {"state": {...}, "name": "...", "description": "...", "tags": [...], "message": "..."}',
        )
    try:
        version = saving.save_copy(
            copy,
            request.user,
            payload["state"],
            payload.get("name", copy.saved_request.name if copy.saved_request else ""),
            payload.get("description", ""),
            payload.get("tags", []),
            payload.get("message", ""),
        )
    except ValueError as exc:  # DraftError, or the library's LibraryError listing every problem
        return error("invalid_request_error", str(exc))
    return JsonResponse({**workcopies.copy_json(copy), "version": version.number})


@_copy_action
def close(request: HttpRequest, public_id: str) -> JsonResponse:
    copy = _copy(request, public_id)
    team = copy.team
    workcopies.close(copy)
    nxt = workcopies.copies_for(request.user, team).order_by("-opened", "-id").first()
    return JsonResponse({"closed": public_id, "next": nxt.get_absolute_url() if nxt else "/"})
