"""The only functions that write the library: saved requests, versions, facets, runs.

Policy:

* Each save makes a new immutable version; nothing ever edits a version's state.
* Version numbers are assigned under a lock on the saved request's row (SELECT ... FOR
  UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already serialize writers), and the
  unique (saved request, number) constraint backs it: two members saving at once both get
  a version, one after the other. Nobody's save is lost; the later one records which
  version its author started from (`base_version`), so the page can say it was concurrent.
* The heavy work (checking and serializing a state of up to 40 MB) happens before the
  transaction, so the lock is held only for two small writes and the insert.
* Names, descriptions and tags are stored exactly as given (markup and control characters
  included: pages escape them) within the limits below; NUL and unpaired surrogates are
  refused because no database column can hold them.
* Callers check permissions (`playground.teams.access`) before calling; these functions
  trust the team and user they are given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from playground.library.models import Facet, RunOrigin, SavedRequest, Version
from playground.library.state import StateError, check_state, search_fields, serialize_state

MAX_NAME = 500
MAX_DESCRIPTION = 20_000
MAX_MESSAGE = 2_000
MAX_TAGS = 30
MAX_TAG = 100
MAX_VALUE_SET_NAME = 200
_NUMBER_ATTEMPTS = 5


class LibraryError(StateError):
    """Input the library refuses; `problems` lists (field or JSON path, message) pairs."""


def storable(text: str) -> str | None:
    """Why `text` cannot be stored in a text column, or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain unpaired surrogates"
    return None


def check_details(
    name: object, description: object = "", tags: object = (), message: object = ""
) -> tuple[str, str, list[str], str]:
    """(name, description, tags, message) as stored, or LibraryError listing every problem.

    Tags lose surrounding whitespace, empties and repeats; everything else is kept exactly.
    """
    problems: list[tuple[str, str]] = []

    def text(field: str, value: object, limit: int, required: bool = False) -> str:
        if not isinstance(value, str):
            problems.append((field, "must be a string"))
            return ""
        if required and not value.strip():
            problems.append((field, "must not be empty"))
        if len(value) > limit:
            problems.append((field, f"is {len(value)} characters, more than the {limit} allowed"))
        why = storable(value)
        if why:
            problems.append((field, why))
        return value

    name = text("name", name, MAX_NAME, required=True)
    description = text("description", description, MAX_DESCRIPTION)
    message = text("message", message, MAX_MESSAGE)
    cleaned_tags: list[str] = []
    if isinstance(tags, str) or not isinstance(tags, Iterable):
        problems.append(("tags", "must be a list of strings"))
    else:
        for i, tag in enumerate(tags):
            tag = text(f"tags[{i}]", tag, MAX_TAG).strip()
            if tag and tag not in cleaned_tags:
                cleaned_tags.append(tag)
        if len(cleaned_tags) > MAX_TAGS:
            problems.append(("tags", f"at most {MAX_TAGS} tags"))
    if problems:
        raise LibraryError(problems)
    return name, description, cleaned_tags, message


def _check_message(message: object) -> str:
    return check_details("-", "", (), message)[3]


def _set_facets(saved: SavedRequest, kind: str, values: list[str]) -> None:
    Facet.objects.filter(saved_request=saved, kind=kind).delete()
    Facet.objects.bulk_create(
        [Facet(team_id=saved.team_id, saved_request=saved, kind=kind, value=v[:200]) for v in values]
    )


_VERSION_COLUMNS = (
    "saved_request_id", "number", "state_json", "size", "author_id", "created", "message",
    "base_number", "restored_from",
)


def _insert_row(version: Version) -> None:
    """Inserts a new version's row.

    On PostgreSQL the state travels as a bound parameter: Django's psycopg cursor binds on
    the client, splicing a 5 MB state into the SQL text as an escaped literal that the
    server then lexes (60 of a 5 MB save's 200 ms budget, bench/bench_library.py); a
    server-binding cursor on the same connection and transaction sends it as it is.
    """
    if connection.vendor != "postgresql":
        version.save(force_insert=True)
        return
    marks = ", ".join(["%s"] * len(_VERSION_COLUMNS))
    connection.ensure_connection()
    # wrap_database_errors: a duplicate number raises Django's IntegrityError, as save() does.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"INSERT INTO library_version ({', '.join(_VERSION_COLUMNS)}) VALUES ({marks}) RETURNING id",
            [getattr(version, column) for column in _VERSION_COLUMNS],
        )
        version.pk = cursor.fetchone()[0]
    version._state.adding = False
    version._state.db = connection.alias


def _insert_version(
    saved: SavedRequest,
    user,
    state: object,
    message: str,
    base_number: int | None = None,
    restored_from: int | None = None,
    created: datetime | None = None,
) -> Version:
    cleaned, text = serialize_state(state)
    fields = search_fields(cleaned, saved.name, saved.description, saved.tags)
    tools = fields.pop("tools")
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    for attempt in range(_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                locked = (
                    SavedRequest.objects.select_for_update()
                    .only("id", "latest_number", "tool_names")
                    .get(pk=saved.pk)
                )
                now = timezone.now()
                version = Version(
                    saved_request_id=saved.pk,
                    number=locked.latest_number + 1,
                    state_json=text,
                    size=size,
                    author=user if user is not None and user.is_authenticated else None,
                    created=created or now,
                    message=message,
                    base_number=base_number,
                    restored_from=restored_from,
                )
                _insert_row(version)
                SavedRequest.objects.filter(pk=saved.pk).update(
                    latest_number=version.number, updated=now, used_at=now, **fields
                )
                if locked.tool_names != fields["tool_names"]:
                    _set_facets(saved, Facet.TOOL, tools)
            break
        except IntegrityError:
            # Only a writer that skipped the row lock can collide; try the next number.
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise
    saved.latest_number = version.number
    saved.updated = saved.used_at = version.created
    for key, value in fields.items():
        setattr(saved, key, value)
    return version


def _new_saved_request(team, user, name: str, description: str, tags: list[str], forked_from=None) -> SavedRequest:
    """The row of a new saved request and its tag facets (inside the caller's transaction)."""
    now = timezone.now()
    saved = SavedRequest.objects.create(
        team=team,
        name=name,
        description=description,
        tags=tags,
        created_by=user if user is not None and user.is_authenticated else None,
        created=now,
        updated=now,
        used_at=now,
        forked_from=forked_from,
    )
    _set_facets(saved, Facet.TAG, tags)
    return saved


def create_saved_request(
    team,
    user,
    name: str,
    state: object,
    description: str = "",
    tags: Iterable[str] = (),
    message: str = "",
    forked_from: Version | None = None,
) -> SavedRequest:
    """A new saved request in `team` whose version 1 is `state`.

    LibraryError (a StateError) lists every problem with the details or the state.
    """
    problems: list[tuple[str, str]] = []
    try:
        name, description, tags, message = check_details(name, description, tags, message)
    except LibraryError as exc:
        problems += exc.problems
    problems += check_state(state)[1]
    if problems:
        raise LibraryError(problems)
    with transaction.atomic():
        saved = _new_saved_request(team, user, name, description, tags, forked_from)
        _insert_version(saved, user, state, message or "Created")
    return saved


def import_saved_request(
    team, user, name: str, description: str, tags: list[str], versions: list[dict]
) -> SavedRequest:
    """A new saved request from a file's entry: `versions` in order, each a dict with
    `state`, `author` (a user or None), `message` and `created` (a datetime or None)."""
    name, description, tags, _ = check_details(name, description, tags)
    with transaction.atomic():
        saved = _new_saved_request(team, user, name, description, tags)
        for item in versions:
            _insert_version(
                saved, item.get("author"), item["state"], _check_message(item.get("message") or ""),
                created=item.get("created"),
            )
    return saved


def save_version(
    saved_request: SavedRequest,
    user,
    state: object,
    message: str = "",
    base_version: Version | int | None = None,
) -> Version:
    """A new version of `saved_request` holding `state`; earlier versions stay as they are.

    `base_version` is the version the user started from (a Version or its number): when
    another member saved in between, both versions are kept and the new one's
    `saved_concurrently` is True.
    """
    message = _check_message(message)
    base = base_version.number if isinstance(base_version, Version) else base_version
    return _insert_version(saved_request, user, state, message, base_number=base)


def restore_version(
    saved_request: SavedRequest, user, version: Version, message: str = ""
) -> Version:
    """A new version with `version`'s state (history is never rewritten)."""
    if version.saved_request_id != saved_request.pk:
        raise LibraryError([("version", "belongs to another saved request")])
    message = _check_message(message or f"Restored version {version.number}")
    return _insert_version(
        saved_request, user, version.state, message,
        base_number=saved_request.latest_number or None, restored_from=version.number,
    )


def fork(
    saved_request: SavedRequest, user, version: Version | None = None, name: str = ""
) -> SavedRequest:
    """A new saved request in the same team starting from `version` (default: the latest)."""
    if version is None:
        version = saved_request.versions.order_by("-number").first()
    elif version.saved_request_id != saved_request.pk:
        raise LibraryError([("version", "belongs to another saved request")])
    name = name or f"{saved_request.name} (fork)"[:MAX_NAME]
    return create_saved_request(
        saved_request.team,
        user,
        name,
        version.state,
        description=saved_request.description,
        tags=saved_request.tags,
        message=f"Forked from {saved_request.name[:200]} version {version.number}",
        forked_from=version,
    )


def update_details(
    saved_request: SavedRequest,
    name: str | None = None,
    description: str | None = None,
    tags: Iterable[str] | None = None,
) -> SavedRequest:
    """Change the name, description or tags (not versioned: they name the request, not its
    state). The search copy is rebuilt from the latest version."""
    name, description, tags, _ = check_details(
        saved_request.name if name is None else name,
        saved_request.description if description is None else description,
        saved_request.tags if tags is None else tags,
    )
    latest = saved_request.versions.order_by("-number").only("state_json").first()
    fields = search_fields(latest.state if latest else {}, name, description, tags)
    fields.pop("tools")
    with transaction.atomic():
        now = timezone.now()
        SavedRequest.objects.filter(pk=saved_request.pk).update(
            name=name, description=description, tags=tags, updated=now, **fields
        )
        if tags != saved_request.tags:
            _set_facets(saved_request, Facet.TAG, tags)
    saved_request.name, saved_request.description, saved_request.tags = name, description, tags
    saved_request.updated = now
    for key, value in fields.items():
        setattr(saved_request, key, value)
    return saved_request


def delete_saved_request(saved_request: SavedRequest) -> None:
    """Delete the saved request with its versions and run links (exchanges stay)."""
    saved_request.delete()


def record_run(
    saved_request: SavedRequest,
    exchange_id: str,
    version: Version | None = None,
    value_set: str = "",
    outcome: str = "streaming",
) -> RunOrigin:
    """Link the exchange `exchange_id` (its public id; the exchange records the resolved
    request as sent) to the saved request, version and value set it was run from, and make
    it the request's last run."""
    if version is not None and version.saved_request_id != saved_request.pk:
        raise LibraryError([("version", "belongs to another saved request")])
    value_set = (value_set or "")[:MAX_VALUE_SET_NAME]
    with transaction.atomic():
        now = timezone.now()
        origin, _ = RunOrigin.objects.update_or_create(
            exchange_id=exchange_id,
            defaults={
                "team_id": saved_request.team_id,
                "saved_request": saved_request,
                "version": version,
                "version_number": version.number if version else None,
                "value_set": value_set,
                "created": now,
            },
        )
        SavedRequest.objects.filter(pk=saved_request.pk).update(
            last_used_at=now,
            used_at=now,
            last_outcome=outcome[:20],
            last_exchange_id=exchange_id,
            last_version_number=origin.version_number,
            last_value_set=value_set,
        )
    saved_request.last_used_at = saved_request.used_at = now
    saved_request.last_outcome, saved_request.last_exchange_id = outcome[:20], exchange_id
    return origin


def record_outcome(exchange_id: str, outcome: str) -> None:
    """The run `exchange_id` finished with `outcome`: shown as its request's last outcome
    while it is still the last run."""
    origin = RunOrigin.objects.filter(exchange_id=exchange_id).only("saved_request_id").first()
    if origin is not None:
        SavedRequest.objects.filter(
            pk=origin.saved_request_id, last_exchange_id=exchange_id
        ).update(last_outcome=outcome[:20])
